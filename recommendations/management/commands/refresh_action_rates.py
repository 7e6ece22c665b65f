"""`manage.py refresh_action_rates`: the hourly task's work, for cron or by hand."""

import time

from django.core.management.base import BaseCommand

from recommendations.analytics import action_rates_refresh


class Command(BaseCommand):
    help = (
        "Recount how often each offered action is taken into action_rate_summary (the "
        "implementation rates in the admin). Safe to repeat."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        written = action_rates_refresh()
        took = time.monotonic() - started
        self.stdout.write(f"action_rate_summary: {written} actions in {took:.1f} s")
