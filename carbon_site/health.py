"""What /healthz checks, each with its latency."""

import time
from dataclasses import dataclass, field

from django.db import DatabaseError, connection


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    latency_ms: float
    error: str = ""

    def as_dict(self) -> dict:
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

    def as_dict(self) -> dict:
        return {
            "status": "ok" if self.database_ok else "unavailable",
            "checks": {check.name: check.as_dict() for check in self.checks},
        }


def _timed(name: str, probe) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:
        return Check(name, False, _elapsed_ms(started), error.__class__.__name__)
    return Check(name, True, _elapsed_ms(started))


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _ping_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()  # do not keep a broken connection for the next request
        raise


def health_report() -> HealthReport:
    return HealthReport(checks=(_timed("database", _ping_database),))
