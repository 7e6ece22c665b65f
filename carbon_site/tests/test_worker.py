"""Background work for real: a Celery worker runs a beat entry; a broker outage loses no email.

Tests elsewhere run tasks eagerly (inline). Here the producer publishes for real: to a live Redis
that a worker in this process consumes from, or to a Redis that is not there.
"""

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User, UserSession
from accounts.tests.factories import UserSessionFactory
from carbon_site.celery import app

SIGN_UP = {"email": "sam@example.com", "username": "sam", "password": "a long passphrase 42"}


def _producers_reset() -> None:
    """Make the app look its broker connections up again, so the next publish uses the current URL.

    Celery keeps them in private attributes (this is what it does itself after a fork); the pools
    themselves are kombu's, shared per URL, and stay open for whoever uses them next.
    """
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(broker_url: str) -> Iterator[None]:
    """Publish for real (not eagerly) to `broker_url` inside the block."""
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = broker_url, False
    _producers_reset()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        _producers_reset()


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers: a hung broker."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for connection in accepted:
            connection.close()
        listener.close()


# --- A broker outage ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("broker", ["nothing listening", "never answers"])
def test_with_the_broker_down_the_email_is_sent_inline_and_the_request_succeeds(
    api_client, django_capture_on_commit_callbacks, caplog, broker
):
    with silent_server() as silent_port:
        port = _unused_port() if broker == "nothing listening" else silent_port
        with publishing_to(f"redis://127.0.0.1:{port}/0"):
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                response = api_client.post("/api/v1/auth/register/", SIGN_UP)
            elapsed = time.monotonic() - started

    assert response.status_code == 201
    assert User.objects.filter(email="sam@example.com").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.com"]
    assert "broker unavailable, running carbon_site.tasks.send_email inline" in caplog.text
    # One attempt, bounded by the broker timeouts: never a hang.
    assert elapsed < settings.CELERY_BROKER_CONNECTION_TIMEOUT + 3


# --- A real worker --------------------------------------------------------------------------------


@pytest.fixture
def worker_queue() -> Iterator[str]:
    """A worker thread consuming a queue of its own on the real broker, tasks not eager."""
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    with (
        publishing_to(settings.CELERY_BROKER_URL),
        start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]),
    ):
        yield queue


@pytest.mark.mysql_only
# Celery's Redis result backend (5.7) stores results with redis-py's setex, deprecated in redis 8;
# warnings are errors here, and this one is theirs.
@pytest.mark.filterwarnings(
    "ignore:Call to deprecated setex:DeprecationWarning:celery.backends.redis"
)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL) for a real broker")
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_beat_entry_and_the_expired_rows_are_gone(worker_queue):
    now = timezone.now()
    retention_days = settings.REVOKED_SESSION_RETENTION_DAYS
    long_ended = UserSessionFactory(expires_at=now - timedelta(days=retention_days + 1))
    active = UserSessionFactory(expires_at=now + timedelta(days=7))
    Session.objects.create(
        session_key="expired-session", session_data="e30", expire_date=now - timedelta(hours=1)
    )
    token = OutstandingToken.objects.create(
        jti="expired-jti", token="h.p.s", expires_at=now - timedelta(hours=1)
    )
    BlacklistedToken.objects.create(token=token)

    # What beat does with the entry: send its task by name, with its arguments and options.
    entry = settings.CELERY_BEAT_SCHEDULE["cleanup-sessions"]
    result = app.send_task(
        entry["task"],
        args=entry.get("args", ()),
        kwargs=entry.get("kwargs", {}),
        **{**entry.get("options", {}), "queue": worker_queue},
    )
    summary = result.get(timeout=30)

    assert summary["user_sessions"] == 1
    assert not UserSession.objects.filter(pk=long_ended.pk).exists()
    assert UserSession.objects.filter(pk=active.pk).exists()
    assert not Session.objects.filter(session_key="expired-session").exists()
    assert not OutstandingToken.objects.filter(pk=token.pk).exists()
    assert not BlacklistedToken.objects.exists()
