"""/metrics: Prometheus' format, by view name; for staff and the bearer of METRICS_TOKEN only."""

import os
import urllib.request

import pytest
from celery import signals
from prometheus_client import REGISTRY

from carbon_site import metrics
from carbon_site.tests.processes import python_run

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_are_refused_without_credentials(client, metrics_token):
    response = client.get("/metrics")

    assert response.status_code == 403
    assert b"carbon_site_" not in response.content


def test_metrics_are_refused_with_a_wrong_token(client, metrics_token):
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")

    assert response.status_code == 403


def test_metrics_are_refused_to_a_signed_in_user_who_is_not_staff(client, metrics_token, user):
    client.force_login(user)

    assert client.get("/metrics").status_code == 403


def test_no_token_configured_means_no_token_is_accepted(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_metrics_are_served_with_the_token(client, metrics_token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"# TYPE carbon_site_http_requests_total counter" in response.content
    assert "no-cache" in response["Cache-Control"]


def test_metrics_are_served_to_staff(client, staff_user):
    client.force_login(staff_user)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert b"carbon_site_http_request_duration_seconds" in response.content


def test_requests_are_counted_by_view_name_not_by_path(client, metrics_token):
    before = sample("carbon_site_http_requests_total", view="result", method="GET", status="404")

    client.get("/results/6f1c1b43-4b47-4a3c-9a53-5b0f4f4b9c11/")
    client.get("/results/0a9e0d6c-2f7d-4b1e-8d5a-2c1f3b4e5d6f/")
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()

    after = sample("carbon_site_http_requests_total", view="result", method="GET", status="404")
    assert after == before + 2
    assert "6f1c1b43" not in body


def test_latency_and_queries_are_recorded_per_view(client, metrics_token):
    count_before = sample(
        "carbon_site_http_request_duration_seconds_count", view="healthz", method="GET"
    )
    queries_before = sample("carbon_site_db_queries_total", view="healthz", database="default")

    client.get("/healthz")

    assert (
        sample("carbon_site_http_request_duration_seconds_count", view="healthz", method="GET")
        == count_before + 1
    )
    assert (
        sample("carbon_site_db_queries_total", view="healthz", database="default")
        >= queries_before + 1
    )


def test_unknown_addresses_share_one_label(client):
    before = sample(
        "carbon_site_http_requests_total", view="<unresolved>", method="GET", status="404"
    )

    client.get("/no-such-page-1/")
    client.get("/no-such-page-2/")

    after = sample(
        "carbon_site_http_requests_total", view="<unresolved>", method="GET", status="404"
    )
    assert after == before + 2


# --- Celery workers ------------------------------------------------------------------------------


class FakeTask:
    name = "carbon_site.tasks.example"


def test_worker_counts_task_outcomes_and_serves_them_on_its_port(monkeypatch):
    served = {}

    def fake_server(port, registry):
        served.update(port=port, registry=registry)

    monkeypatch.setattr(metrics, "start_http_server", fake_server)
    before_ok = sample("carbon_site_celery_tasks_total", task=FakeTask.name, outcome="success")
    before_failed = sample("carbon_site_celery_tasks_total", task=FakeTask.name, outcome="failure")

    metrics.worker_metrics_start(9808)
    try:
        for task_id, state in [("1", "SUCCESS"), ("2", "FAILURE"), ("3", "SUCCESS")]:
            signals.task_prerun.send(sender=FakeTask, task_id=task_id, task=FakeTask)
            signals.task_postrun.send(sender=FakeTask, task_id=task_id, task=FakeTask, state=state)
    finally:
        signals.task_prerun.disconnect(dispatch_uid="metrics-prerun")
        signals.task_postrun.disconnect(dispatch_uid="metrics-postrun")

    assert served["port"] == 9808
    assert (
        sample("carbon_site_celery_tasks_total", task=FakeTask.name, outcome="success")
        == before_ok + 2
    )
    assert (
        sample("carbon_site_celery_tasks_total", task=FakeTask.name, outcome="failure")
        == before_failed + 1
    )
    assert sample("carbon_site_celery_task_duration_seconds_count", task=FakeTask.name) >= 3


def test_worker_exporter_answers_over_http():
    server, thread = metrics.start_http_server(0, addr="127.0.0.1")
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            body = answer.read().decode()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

    assert "# TYPE carbon_site_celery_tasks_total counter" in body


# --- Several gunicorn workers ---------------------------------------------------------------------

MULTIPROCESS_PROBE = """
import os, sys
import django
django.setup()
from carbon_site import metrics
assert metrics.MULTIPROCESS
for _ in range(2):  # two "gunicorn workers", each counting one request
    pid = os.fork()
    if pid == 0:
        metrics.HTTP_REQUESTS.labels(view="home", method="GET", status="200").inc()
        os._exit(0)
    os.waitpid(pid, 0)
from prometheus_client import generate_latest
sys.stdout.write(generate_latest(metrics.metrics_registry()).decode())
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_multiprocess_mode_adds_up_every_worker_process(tmp_path):
    environment = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "carbon_site.settings",
        "SECRET_KEY": "x" * 50,
        "IGNORE_DOTENV": "1",
    }
    completed = python_run("-c", MULTIPROCESS_PROBE, environment=environment)

    assert completed.returncode == 0, completed.stderr
    assert (
        'carbon_site_http_requests_total{method="GET",status="200",view="home"} 2.0'
        in completed.stdout
    )
