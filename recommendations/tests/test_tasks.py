"""The periodic recommendation work and its place in the beat schedule."""

from celery.schedules import crontab
from django.conf import settings
from django.db import OperationalError

from carbon_site.celery import app
from recommendations.tasks import refresh_action_rates


def test_beat_refreshes_the_action_rates_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-action-rates"]
    assert entry["task"] == "recommendations.tasks.refresh_action_rates"
    assert entry["schedule"] == crontab(minute=25)
    # A run that waited in the queue past the next one is dropped; the next one catches up.
    assert entry["options"]["expires"] < 60 * 60


def test_the_scheduled_task_is_registered_and_retries_on_database_errors():
    app.loader.import_default_modules()
    assert "recommendations.tasks.refresh_action_rates" in app.tasks
    assert OperationalError in refresh_action_rates.autoretry_for
    assert refresh_action_rates.retry_backoff is True
