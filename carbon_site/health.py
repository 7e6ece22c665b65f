"""What /healthz checks, each with its latency: the database, the cache, the broker, a worker.

Only the database decides the answer's status (200 or 503): without it nothing works, while
the site keeps serving without Redis (the cache ignores its errors, rate limits fail open, tasks
run inline) and without workers (tasks wait in the queue).
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

from .failures import is_database_unavailable

# Seconds each probe may take: a load balancer waits for the whole answer.
PROBE_TIMEOUT_SECONDS = 1


class ProbeFailed(Exception):
    """A probe got an answer, but not the right one."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    latency_ms: float
    error: str = ""
    skipped: str = ""

    def as_dict(self) -> dict:
        if self.skipped:
            return {"status": "skipped", "reason": self.skipped}
        answer = {"status": "ok" if self.ok else "failed", "latency_ms": self.latency_ms}
        if self.error:
            answer["error"] = self.error
        return answer


@dataclass(frozen=True)
class HealthReport:
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def database_ok(self) -> bool:
        return all(check.ok for check in self.checks if check.name == "database")

    @property
    def status(self) -> str:
        """ok; degraded (serving, but something besides the database failed); unavailable."""
        if not self.database_ok:
            return "unavailable"
        return "ok" if all(check.ok for check in self.checks) else "degraded"

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "checks": {check.name: check.as_dict() for check in self.checks},
        }


def _timed(name: str, probe: Callable[[], None]) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:
        return Check(name, False, _elapsed_ms(started), _describe(error))
    return Check(name, True, _elapsed_ms(started))


def _skipped(name: str, reason: str) -> Check:
    return Check(name, True, 0.0, skipped=reason)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _describe(error: Exception) -> str:
    """The error's class, and its message when it is ours (others may name hosts or users)."""
    if isinstance(error, ProbeFailed):
        return str(error)
    return error.__class__.__name__


def _ping_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        if is_database_unavailable(error) and not connection.in_atomic_block:
            connection.close()  # do not keep a broken connection for the next request
        raise


def _ping_cache() -> None:
    """A write and a read through Django's cache: what the site itself does.

    The Redis cache ignores its errors (the site must keep serving), so an outage shows as a
    value that does not come back, not as an exception.
    """
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise ProbeFailed("no answer")
    cache.delete(key)


def _broker_configured() -> bool:
    return not settings.CELERY_BROKER_URL.startswith("memory://")


def _ping_broker() -> None:
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def _ping_worker() -> None:
    from .celery import app

    replies = app.control.ping(timeout=PROBE_TIMEOUT_SECONDS)
    if not replies:
        raise ProbeFailed("no worker answered")


def health_report(*, full: bool = False, full_allowed: bool = True) -> HealthReport:
    """Database, cache and broker; with `full`, also whether a Celery worker answers a ping.

    The worker ping is a broadcast that waits up to a second: only those allowed to read the
    metrics may ask for it (`full_allowed`), so nobody can tie up web workers with it.
    """
    checks = [_timed("database", _ping_database), _timed("cache", _ping_cache)]
    if _broker_configured():
        checks.append(_timed("broker", _ping_broker))
    else:
        checks.append(_skipped("broker", "inline tasks"))
    if full:
        if not full_allowed:
            checks.append(_skipped("worker", "for staff or the metrics token only"))
        elif settings.CELERY_TASK_ALWAYS_EAGER or not _broker_configured():
            checks.append(_skipped("worker", "inline tasks"))
        else:
            checks.append(_timed("worker", _ping_worker))
    return HealthReport(checks=tuple(checks))
