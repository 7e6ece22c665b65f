"""Staff analytics: site-wide figures that stay fast on millions of calculations.

Daily figures are never counted from carbon_footprints when the page is drawn: they come from
`daily_calculation_summary` (one row per UTC day and country, a few thousand rows a year), which
`daily_summary_refresh` recomputes for the last few days (task `refresh_daily_summary`, command
`manage.py refresh_daily_summary`). Everything else is an aggregate on an indexed column, and the
whole page's figures are cached for a few minutes. See docs/performance.md, "Staff analytics".

Definitions (also on the page):
- active user in the last N days: signed in (`users.last_login`) or recorded a calculation within
  the last N days (UTC);
- anonymous calculation: made without an account, whether claimed later or not
  (`is_anonymous` or `claimed_at` set); signed-in: every other calculation.
"""

import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User

from . import engine
from .models import CarbonFootprint, DailySummary

SUMMARY_REFRESH_DAYS = 3  # today, yesterday and the day before: late writes and claims settle
SUMMARY_CHUNK_DAYS = 31  # a backfill aggregates a month per query and per transaction
CHART_DAYS = 30
ACTIVE_WINDOWS_DAYS = (7, 30)
ANALYTICS_CACHE_KEY = "staff-analytics:v1"
ANALYTICS_CACHE_SECONDS = 5 * 60
GRAMS = Decimal("0.001")


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


# --- The summary table (writes) ----------------------------------------------------------------


def _made_anonymously() -> Q:
    return Q(is_anonymous=True) | Q(claimed_at__isnull=False)


@transaction.atomic
def _daily_summary_replace(first_day: datetime.date, last_day: datetime.date) -> int:
    """Replace the summary rows of first_day..last_day (inclusive) with fresh counts."""
    refreshed_at = timezone.now()
    counted = (
        CarbonFootprint.objects.filter(
            calculation_date__gte=_utc_midnight(first_day),
            calculation_date__lt=_utc_midnight(last_day + datetime.timedelta(days=1)),
        )
        .order_by()
        .annotate(day=TruncDate("calculation_date", tzinfo=datetime.UTC))
        .values("day", "country")
        .annotate(
            calculations=Count("id"),
            anonymous=Count("id", filter=_made_anonymously()),
            total=Sum("total_emissions"),
        )
    )
    rows = [
        DailySummary(
            day=row["day"],
            country=row["country"],
            calculations=row["calculations"],
            anonymous=row["anonymous"],
            signed_in=row["calculations"] - row["anonymous"],
            total_emissions_sum=Decimal(row["total"]).quantize(GRAMS),
            average_total=(Decimal(row["total"]) / row["calculations"]).quantize(GRAMS),
            refreshed_at=refreshed_at,
        )
        for row in counted
    ]
    DailySummary.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    DailySummary.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def daily_summary_refresh(*, first_day: datetime.date, last_day: datetime.date) -> int:
    """Recompute the summary of each UTC day from first_day to last_day; safe to repeat.

    A day's rows are replaced as a whole in one transaction (a month at a time for a backfill),
    so a refresh run twice, or after calculations were erased or claimed, leaves exactly the
    current counts. Forgets the cached page figures. Returns the (day, country) rows written.
    """
    written = 0
    chunk_start = first_day
    while chunk_start <= last_day:
        chunk_end = min(chunk_start + datetime.timedelta(days=SUMMARY_CHUNK_DAYS - 1), last_day)
        written += _daily_summary_replace(chunk_start, chunk_end)
        chunk_start = chunk_end + datetime.timedelta(days=1)
    cache.delete(ANALYTICS_CACHE_KEY)
    return written


def daily_summary_refresh_recent(*, days: int = SUMMARY_REFRESH_DAYS) -> int:
    """Recompute the last `days` UTC days, today included (what the periodic task does)."""
    today = _utc_today()
    return daily_summary_refresh(
        first_day=today - datetime.timedelta(days=days - 1), last_day=today
    )


def first_calculation_day() -> datetime.date | None:
    """The UTC day of the oldest calculation (one probe of footprints_date), for a backfill."""
    first = CarbonFootprint.objects.aggregate(first=Min("calculation_date"))["first"]
    return first.astimezone(datetime.UTC).date() if first else None


# --- Reads ---------------------------------------------------------------------------------------


def analytics_users(*, now: datetime.datetime) -> dict:
    """Users: total, verified, and active in the last 7 and 30 days (see the module docstring).

    One pass over users; each user's latest calculation date is one probe of the
    (user_id, calculation_date) index.
    """
    latest_calculation = Subquery(
        CarbonFootprint.objects.filter(user_id=OuterRef("pk"))
        .order_by("-calculation_date")
        .values("calculation_date")[:1]
    )
    windows = {days: now - datetime.timedelta(days=days) for days in ACTIVE_WINDOWS_DAYS}
    counts = (
        User.objects.order_by()
        .annotate(latest_calculation=latest_calculation)
        .aggregate(
            total=Count("id"),
            verified=Count("id", filter=Q(is_verified=True)),
            **{
                f"active_{days}": Count(
                    "id", filter=Q(last_login__gte=since) | Q(latest_calculation__gte=since)
                )
                for days, since in windows.items()
            },
        )
    )
    return {
        "total": counts["total"],
        "verified": counts["verified"],
        "active": {days: counts[f"active_{days}"] for days in ACTIVE_WINDOWS_DAYS},
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def analytics_daily(*, today: datetime.date, days: int = CHART_DAYS) -> list[dict]:
    """Calculations per UTC day for the last `days` days (today included), from the summary;
    days without calculations are listed with zeros."""
    first_day = today - datetime.timedelta(days=days - 1)
    totals = {
        row["day"]: row
        for row in DailySummary.objects.filter(day__gte=first_day, day__lte=today)
        .order_by()
        .values("day")
        .annotate(
            calculations=Sum("calculations"),
            anonymous=Sum("anonymous"),
            signed_in=Sum("signed_in"),
            emissions=Sum("total_emissions_sum"),
        )
    }
    series = []
    for offset in range(days):
        day = first_day + datetime.timedelta(days=offset)
        row = totals.get(day)
        calculations = row["calculations"] if row else 0
        series.append(
            {
                "day": day,
                "calculations": calculations,
                "anonymous": row["anonymous"] if row else 0,
                "signed_in": row["signed_in"] if row else 0,
                "average_total": (
                    (Decimal(row["emissions"]) / calculations).quantize(GRAMS) if row else None
                ),
            }
        )
    return series


def analytics_totals() -> dict:
    """Every summarised calculation: counts, anonymous and signed-in shares, days covered."""
    totals = DailySummary.objects.aggregate(
        calculations=Sum("calculations"),
        anonymous=Sum("anonymous"),
        signed_in=Sum("signed_in"),
        first_day=Min("day"),
        last_day=Max("day"),
        refreshed_at=Max("refreshed_at"),
    )
    calculations = totals["calculations"] or 0
    return {
        **totals,
        "calculations": calculations,
        "anonymous": totals["anonymous"] or 0,
        "signed_in": totals["signed_in"] or 0,
        "anonymous_share": _share(totals["anonymous"] or 0, calculations),
        "signed_in_share": _share(totals["signed_in"] or 0, calculations),
    }


def analytics_by_country() -> list[dict]:
    """Average footprint per country over every summarised day, most calculations first."""
    names = dict(engine.countries())
    rows = (
        DailySummary.objects.order_by()
        .values("country")
        .annotate(calculations=Sum("calculations"), emissions=Sum("total_emissions_sum"))
        .order_by("-calculations", "country")
    )
    return [
        {
            "country": row["country"],
            "name": names.get(row["country"], row["country"]),
            "calculations": row["calculations"],
            "average_total": (Decimal(row["emissions"]) / row["calculations"]).quantize(GRAMS),
        }
        for row in rows
        if row["calculations"]
    ]


def _project_tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def analytics_table_sizes() -> list[dict]:
    """Rows and bytes of each of the project's tables, largest first.

    MySQL/MariaDB: information_schema (data + index bytes; table_rows is InnoDB's estimate), one
    query. Elsewhere (SQLite): an exact COUNT(*) per table and no byte size.
    """
    tables = _project_tables()
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, table_rows, data_length + index_length"
                " FROM information_schema.TABLES WHERE table_schema = DATABASE()"
                " AND table_type = 'BASE TABLE'"
            )
            found = {name: (rows, size) for name, rows, size in cursor.fetchall()}
        sizes = [
            {"table": name, "rows": found[name][0], "bytes": found[name][1], "estimated": True}
            for name in tables
            if name in found
        ]
        return sorted(sizes, key=lambda row: (-(row["bytes"] or 0), row["table"]))
    sizes = []
    with connection.cursor() as cursor:
        for name in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 - names from introspection
            sizes.append(
                {"table": name, "rows": cursor.fetchone()[0], "bytes": None, "estimated": False}
            )
    return sorted(sizes, key=lambda row: (-row["rows"], row["table"]))


def staff_analytics_compute(*, now: datetime.datetime | None = None) -> dict:
    """The users and calculations figures of the staff analytics page, computed now.

    Recommendation and goal rates belong to their apps (the page asks them; the arrows point
    from those apps to this one, never back)."""
    now = now or timezone.now()
    today = now.astimezone(datetime.UTC).date()
    daily = analytics_daily(today=today)
    window_calculations = sum(day["calculations"] for day in daily)
    window_anonymous = sum(day["anonymous"] for day in daily)
    return {
        "computed_at": now,
        "users": analytics_users(now=now),
        "daily": daily,
        "window": {
            "days": CHART_DAYS,
            "calculations": window_calculations,
            "anonymous": window_anonymous,
            "signed_in": window_calculations - window_anonymous,
            "anonymous_share": _share(window_anonymous, window_calculations),
            "signed_in_share": _share(window_calculations - window_anonymous, window_calculations),
        },
        "totals": analytics_totals(),
        "by_country": analytics_by_country(),
        "tables": analytics_table_sizes(),
    }


def staff_analytics() -> dict:
    """staff_analytics_compute's figures, cached for ANALYTICS_CACHE_SECONDS (a summary refresh
    forgets them, so new daily figures show at the next view)."""
    figures = cache.get(ANALYTICS_CACHE_KEY)
    if figures is None:
        figures = staff_analytics_compute()
        cache.set(ANALYTICS_CACHE_KEY, figures, timeout=ANALYTICS_CACHE_SECONDS)
    return figures
