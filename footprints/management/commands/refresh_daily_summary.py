"""`manage.py refresh_daily_summary`: the periodic task's work, for cron or a backfill."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from footprints.analytics import (
    SUMMARY_REFRESH_DAYS,
    daily_summary_refresh,
    first_calculation_day,
)


class Command(BaseCommand):
    help = (
        "Recount calculations per UTC day and country into daily_calculation_summary: the last "
        f"--days days (default {SUMMARY_REFRESH_DAYS}), or --all since the first calculation. "
        "Safe to repeat."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--days", type=int, default=SUMMARY_REFRESH_DAYS)
        which.add_argument(
            "--all", action="store_true", dest="backfill", help="every day since the first"
        )

    def handle(self, *args, days: int, backfill: bool, **options) -> None:
        today = datetime.datetime.now(datetime.UTC).date()
        if backfill:
            first_day = first_calculation_day() or today
        else:
            if days < 1:
                raise CommandError("--days must be 1 or more.")
            first_day = today - datetime.timedelta(days=days - 1)
        started = datetime.datetime.now(datetime.UTC)
        written = daily_summary_refresh(first_day=first_day, last_day=today)
        took = (datetime.datetime.now(datetime.UTC) - started).total_seconds()
        self.stdout.write(
            f"daily_calculation_summary: {written} rows for {first_day}..{today} in {took:.1f} s"
        )
