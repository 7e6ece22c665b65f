"""Periodic footprint work (schedule it in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import OperationalError

from carbon_site.locks import cache_lock

from .analytics import SUMMARY_REFRESH_DAYS, daily_summary_refresh_recent

REFRESH_LOCK_SECONDS = 10 * 60


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_daily_summary(days: int = SUMMARY_REFRESH_DAYS) -> int | None:
    """Every few minutes: recount the last `days` UTC days into daily_calculation_summary.

    Safe to repeat (each day's rows are replaced). One run at a time: a run that finds the lock
    taken skips and returns None; the next one catches up.
    """
    with cache_lock("refresh-daily-summary", timeout_seconds=REFRESH_LOCK_SECONDS) as acquired:
        if not acquired:
            return None
        return daily_summary_refresh_recent(days=days)
