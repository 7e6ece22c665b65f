"""/healthz: database, cache and broker, each ok, failed or skipped, with its latency."""

import socket
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError

from carbon_site import health
from carbon_site.celery import app as celery_app

pytestmark = pytest.mark.django_db

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable_redis_url() -> str:
    return f"redis://127.0.0.1:{_unused_port()}/0"


def test_healthy_site_answers_200_with_each_check_and_its_latency(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["cache"]["latency_ms"] >= 0
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="without REDIS_URL only")
def test_without_redis_the_broker_is_skipped_because_tasks_run_inline(client):
    body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["checks"]["broker"] == {"status": "skipped", "reason": "inline tasks"}


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")
def test_with_redis_the_broker_is_pinged(client):
    body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    assert body["checks"]["broker"]["latency_ms"] >= 0


def test_database_down_is_503_with_retry_after(client):
    with mock.patch.object(health, "_ping_database", side_effect=OperationalError(2003, "down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "failed"
    assert body["checks"]["database"]["error"] == "OperationalError"


def test_cache_down_is_still_200_and_says_the_cache_failed(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": unreachable_redis_url(),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "failed"
    assert body["checks"]["cache"]["error"] == "no answer"
    assert body["checks"]["database"]["status"] == "ok"


def test_broker_down_is_still_200_and_says_the_broker_failed(client, settings):
    settings.CELERY_BROKER_URL = unreachable_redis_url()

    response = client.get("/healthz")

    assert response.status_code == 200
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "failed"
    assert broker["error"] == "ConnectionError"
    assert broker["latency_ms"] < 2000


def test_full_check_skips_the_worker_when_tasks_run_inline(client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.CELERY_TASK_ALWAYS_EAGER = True

    body = client.get("/healthz?full=1", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").json()

    assert body["checks"]["worker"] == {"status": "skipped", "reason": "inline tasks"}


def test_full_check_pings_a_worker(client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    pong = [{"celery@worker-1": {"ok": "pong"}}]
    with (
        mock.patch.object(health, "_ping_broker"),
        mock.patch.object(celery_app.control, "ping", return_value=pong) as ping,
    ):
        body = client.get("/healthz?full=1", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").json()

    assert body["checks"]["worker"]["status"] == "ok"
    ping.assert_called_once_with(timeout=1)


def test_full_check_with_no_worker_answering_says_so_and_stays_200(client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    with (
        mock.patch.object(health, "_ping_broker"),
        mock.patch.object(celery_app.control, "ping", return_value=[]),
    ):
        response = client.get("/healthz?full=1", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == {
        "status": "failed",
        "latency_ms": mock.ANY,
        "error": "no worker answered",
    }


def test_full_check_is_refused_to_anonymous_callers_who_get_the_basic_report(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch.object(celery_app.control, "ping") as ping:
        response = client.get("/healthz?full=1")

    assert response.status_code == 200
    assert response.json()["checks"]["worker"]["status"] == "skipped"
    ping.assert_not_called()


def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
