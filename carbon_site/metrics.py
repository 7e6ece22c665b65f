"""Prometheus metrics (prometheus-client): requests and queries by view, and Celery task outcomes.

Web: `MetricsMiddleware` counts each request by its view's URL name (never the raw path, which
holds uuids and tokens) with its latency and the database queries it ran; `metrics` serves them
at /metrics to staff, or to a scraper presenting `Authorization: Bearer <METRICS_TOKEN>`.

Under gunicorn every worker process keeps its own numbers: set PROMETHEUS_MULTIPROC_DIR to an
empty directory (wiped at each start) and prometheus-client's multiprocess mode adds them up at
each scrape. Only counters and histograms are used, which that mode sums without any hook.

Workers: with METRICS_WORKER_PORT set, carbon_site/celery.py calls `worker_metrics_connect`, and
each Celery worker serves task outcomes and durations on that port (its prefork children need
PROMETHEUS_MULTIPROC_DIR too, for the same reason).
"""

import collections
import hmac
import logging
import os
import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from .logging import view_label

logger = logging.getLogger(__name__)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

HTTP_REQUESTS = Counter(
    "carbon_site_http_requests",
    "HTTP requests answered, by view (URL name), method and status.",
    ["view", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "carbon_site_http_request_duration_seconds",
    "Time to answer a request, by view (URL name) and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_QUERIES = Counter(
    "carbon_site_db_queries",
    "Database queries run while answering requests, by view and database alias.",
    ["view", "database"],
)
DB_QUERIES_PER_REQUEST = Histogram(
    "carbon_site_db_queries_per_request",
    "Database queries one request ran, by view: a rising tail means a missing select_related.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100),
)
DB_UNAVAILABLE = Counter(
    "carbon_site_db_unavailable",
    "Requests answered 503 because the database could not be reached or was too slow.",
)
TASKS = Counter(
    "carbon_site_celery_tasks",
    "Celery tasks finished on this worker, by task and outcome (success, failure, retry, other).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "carbon_site_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=(0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900),
)


def method_label(request) -> str:
    return request.method if request.method in METHODS else "other"


def database_unavailable_count() -> None:
    DB_UNAVAILABLE.inc()


class MetricsMiddleware:
    """Counts each request, its latency and its database queries, by view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        queries: collections.Counter[str] = collections.Counter()

        def count_query(execute, sql, params, many, context):
            queries[context["connection"].alias] += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(count_query))
            response = self.get_response(request)

        view, method = view_label(request), method_label(request)
        HTTP_REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        HTTP_REQUEST_SECONDS.labels(view=view, method=method).observe(time.perf_counter() - started)
        for alias, number in queries.items():
            DB_QUERIES.labels(view=view, database=alias).inc(number)
        DB_QUERIES_PER_REQUEST.labels(view=view).observe(sum(queries.values()))
        return response


# --- Serving them ------------------------------------------------------------------------------


def metrics_registry():
    """What a scrape reads: every process's numbers in multiprocess mode, else this process's."""
    if not MULTIPROCESS:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def metrics_allowed(request) -> bool:
    """Staff signed in, or the bearer of METRICS_TOKEN (compared in constant time)."""
    token = settings.METRICS_TOKEN
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer":
        return hmac.compare_digest(presented.strip().encode(), token.encode())
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


@never_cache
@require_safe
def metrics(request):
    """Prometheus' text format (or OpenMetrics when the scraper asks for it)."""
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(metrics_registry()), content_type=content_type)


# --- Celery workers ------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


def _task_prerun(sender=None, task_id=None, **kwargs) -> None:
    _task_started[task_id] = time.perf_counter()


def _task_postrun(sender=None, task_id=None, state=None, **kwargs) -> None:
    name = getattr(sender, "name", None) or "unknown"
    started = _task_started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(task=name).observe(time.perf_counter() - started)
    outcome = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}.get(state, "other")
    TASKS.labels(task=name, outcome=outcome).inc()


def worker_metrics_start(port: int) -> None:
    """Count this worker's task outcomes and durations, and serve them on `port`.

    Called as the worker starts (worker_init, in the main process, before the pool's children
    are forked, so they inherit the signal handlers).
    """
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="metrics-prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="metrics-postrun")
    if not MULTIPROCESS:
        logger.warning(
            "METRICS_WORKER_PORT without PROMETHEUS_MULTIPROC_DIR: tasks run in prefork "
            "children are not counted; set it, or run the worker with --pool threads or solo"
        )
    # All interfaces: the scraper runs elsewhere; the port is for the worker's private network.
    start_http_server(port, registry=metrics_registry())
    logger.info("worker metrics on port %s", port)
