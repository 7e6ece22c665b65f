"""Pages and endpoints that belong to no domain: the front page, the health check, error pages."""

import sys

from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .failures import (
    RETRY_AFTER_SECONDS,
    is_api_request,
    is_database_unavailable,
    unavailable_response,
)
from .health import health_report
from .metrics import metrics_allowed


@require_safe
def home(request):
    return render(request, "carbon_site/home.html")


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 while the database answers, 503 otherwise.

    Each check (database, cache, broker) is ok, failed or skipped, with its latency;
    `?full=1` also pings a Celery worker, for staff or the metrics token only.
    """
    full = request.GET.get("full") == "1"
    report = health_report(full=full, full_allowed=full and metrics_allowed(request))
    response = JsonResponse(report.as_dict(), status=200 if report.database_ok else 503)
    if not report.database_ok:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# --- Error pages (handler400, handler403, handler404, handler500 in urls.py) --------------------
# Pages get the site's templates (400.html, 403.html, 404.html, 500.html); /api/ gets the API's
# error shape, `{"detail", "code"}`, as DRF's views answer it.


def _api_error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request, exception):
    if is_api_request(request):
        return _api_error(400, "Bad request.", "bad_request")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return _api_error(403, "You do not have permission to do this.", "permission_denied")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        return _api_error(404, "Not found.", "not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500, except when the database is what failed: then 503 with Retry-After.

    Django calls this for an exception anywhere (a middleware reading the session included),
    from inside its `except` block, so the exception is still at hand.
    """
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return unavailable_response(request, error)
    if is_api_request(request):
        return _api_error(500, "Something went wrong on our side.", "server_error")
    return defaults.server_error(request)
