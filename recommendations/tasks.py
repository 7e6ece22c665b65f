"""Periodic recommendation work (scheduled in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import OperationalError

from carbon_site.locks import cache_lock

from .analytics import REFRESH_LOCK_SECONDS, action_rates_refresh


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def refresh_action_rates() -> int | None:
    """Hourly: recompute action_rate_summary (the implementation rates staff see).

    Safe to repeat (the rows are replaced as a whole). One run at a time: a run that finds the
    lock taken skips and returns None; the next one catches up.
    """
    with cache_lock("refresh-action-rates", timeout_seconds=REFRESH_LOCK_SECONDS) as acquired:
        if not acquired:
            return None
        return action_rates_refresh()
