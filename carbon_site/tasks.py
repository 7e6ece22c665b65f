"""Celery tasks that belong to no domain: emails, and the retention jobs (CELERY_BEAT_SCHEDULE).

Each retention task runs one service of carbon_site.retention under its job's lock and answers
the summary (what was removed) or "skipped" when another run holds the lock. Database, broker and
cache outages are retried with exponential backoff; the services are safe to run again.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .emails import email_send
from .retention import (
    CleanupSummary,
    anonymous_calculations_anonymise,
    audit_log_rotate,
    job_run,
    sessions_cleanup_expired,
    tokens_cleanup_expired,
)

SKIPPED = "skipped"
RETRY_ON = (
    OperationalError,
    InterfaceError,
    BrokerError,
    ConnectionError,
    RedisConnectionError,
    RedisTimeoutError,
)
JOB_OPTIONS = {
    "autoretry_for": RETRY_ON,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


# Nobody reads an email's result: storing it would only cost the result backend a write.
@shared_task(
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_email(*, template: str, to: str, context: dict) -> None:
    email_send(template=template, to=to, context=context)


def _answer(summary: CleanupSummary | None) -> dict | str:
    return summary.as_dict() if summary is not None else SKIPPED


@shared_task(**JOB_OPTIONS)
def cleanup_sessions() -> dict | str:
    """Daily: expired or long-revoked device sessions, expired Django sessions and JWTs."""
    return _answer(job_run("cleanup_sessions", sessions_cleanup_expired))


@shared_task(**JOB_OPTIONS)
def cleanup_tokens() -> dict | str:
    """Daily: email-verification and password-reset token hashes past their validity."""
    return _answer(job_run("cleanup_tokens", tokens_cleanup_expired))


@shared_task(**JOB_OPTIONS)
def anonymise_calculations() -> dict | str:
    """Daily: old anonymous calculations lose their IP address, user agent and claim token."""
    return _answer(job_run("anonymise_calculations", anonymous_calculations_anonymise))


@shared_task(**JOB_OPTIONS)
def rotate_audit_log() -> dict | str:
    """Daily: audit entries past their retention, archived (gzipped JSON lines) then deleted."""
    return _answer(job_run("rotate_audit_log", audit_log_rotate))
