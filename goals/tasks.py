"""Periodic goal work (scheduled in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .services import goals_mark_missed


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def mark_missed_goals() -> int:
    """Daily: goals past their date and not met become missed."""
    return goals_mark_missed(today=timezone.now().date())
