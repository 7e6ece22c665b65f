"""Reads about footprints."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Max, Min, QuerySet, Subquery
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from accounts.models import User
from accounts.tokens import token_digest
from carbon_site.errors import FieldErrors, NotFoundError
from carbon_site.replica import reads_from_replica
from carbon_site.user_cache import user_cached

from . import engine
from .models import CATEGORIES, CarbonFootprint
from .quick_model import quick_model


def footprint_compute(*, answers: Mapping[str, Any], mode: str) -> engine.FootprintResult:
    """Run the engine on stored or submitted answers; InvalidAnswers becomes a field error."""
    try:
        if mode == CarbonFootprint.Mode.QUICK:
            return engine.quick_estimate(answers, quick_model())
        return engine.calculate(answers)
    except engine.InvalidAnswers as error:
        raise FieldErrors(error.errors) from error


def claim_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.CLAIM_TOKEN_LIFETIME_DAYS)


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


@reads_from_replica
def footprint_list(
    *,
    user: User,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[CarbonFootprint]:
    """The user's footprints, newest first; the date range is inclusive, in UTC."""
    footprints = CarbonFootprint.objects.filter(user=user)
    # Bounds on the column itself (not on its date) so the (user, calculation_date) index serves.
    if date_from is not None:
        footprints = footprints.filter(calculation_date__gte=_utc_midnight(date_from))
    if date_to is not None:
        footprints = footprints.filter(
            calculation_date__lt=_utc_midnight(date_to + datetime.timedelta(days=1))
        )
    return footprints.order_by("-calculation_date", "-id")


def footprint_latest(*, user: User) -> CarbonFootprint | None:
    """The user's newest footprint: the one goals and open actions are measured against."""
    return footprint_list(user=user).first()


def footprint_get_readable(
    *, user: User | None, calculation_uuid, claim_token: str | None = None
) -> CarbonFootprint:
    """A footprint its owner may read, or an unclaimed anonymous one whose claim token is shown.

    Anyone else gets NotFoundError: whether the uuid exists is never revealed.
    """
    footprint = (
        CarbonFootprint.objects.select_related("recalculated_from")
        .filter(calculation_uuid=calculation_uuid)
        .first()
    )
    if footprint is not None:
        if user is not None and footprint.user_id == user.pk:
            return footprint
        if (
            claim_token
            and footprint.user_id is None
            and footprint.claim_token_hash == token_digest(claim_token)
            and footprint.created_at > claim_window_start()
        ):
            return footprint
    raise NotFoundError("No such calculation.")


def footprint_get_own(*, user: User, calculation_uuid) -> CarbonFootprint:
    return footprint_get_readable(user=user, calculation_uuid=calculation_uuid)


def footprint_result(footprint: CarbonFootprint) -> engine.FootprintResult | None:
    """The engine's full result (trace, reasons, comparison) for a stored footprint.

    Only the numbers are stored; the rest is recomputed in microseconds from the stored answers.
    A footprint made with an older factor set cannot be reproduced: None (recalculate it).
    """
    if footprint.factor_version != engine.FACTOR_VERSION:
        return None
    return footprint_compute(answers=footprint.input_data, mode=footprint.mode)


def _change(latest: Decimal, earlier: Decimal | None) -> dict | None:
    if earlier is None:
        return None
    kg = latest - earlier
    percent = (kg / earlier * 100).quantize(Decimal("0.1")) if earlier else None
    return {"kg": kg, "percent": percent}


STATS_FIELDS = (
    "first_date",
    "latest_date",
    "latest_total",
    "min_total",
    "max_total",
    "average_total",
    "average_breakdown",
    "change_since_first",
    "change_since_previous",
)


def _compute_stats(user_id: int) -> dict:
    """One query: the aggregates over the user's rows, and the first, latest and previous totals
    as scalar subqueries, each a single probe of the (user_id, calculation_date) index."""
    footprints = CarbonFootprint.objects.filter(user_id=user_id).order_by()
    newest_first = footprints.order_by("-calculation_date", "-id").values("total_emissions")
    oldest_first = footprints.order_by("calculation_date", "id").values("total_emissions")
    rows = list(
        footprints.values("user_id").annotate(
            count=Count("id"),
            first_date=Min("calculation_date"),
            latest_date=Max("calculation_date"),
            min_total=Min("total_emissions"),
            max_total=Max("total_emissions"),
            average_total=Avg("total_emissions"),
            **{f"average_{c}": Avg(f"{c}_emissions") for c in CATEGORIES},
            latest_total=Subquery(newest_first[:1]),
            previous_total=Subquery(newest_first[1:2]),
            first_total=Subquery(oldest_first[:1]),
        )
    )
    if not rows:
        return {"count": 0, **dict.fromkeys(STATS_FIELDS)}
    summary = rows[0]
    latest = summary["latest_total"]
    places = Decimal("0.001")
    return {
        "count": summary["count"],
        "first_date": summary["first_date"],
        "latest_date": summary["latest_date"],
        "latest_total": latest,
        "min_total": summary["min_total"],
        "max_total": summary["max_total"],
        "average_total": Decimal(summary["average_total"]).quantize(places),
        "average_breakdown": {
            c: Decimal(summary[f"average_{c}"]).quantize(places) for c in CATEGORIES
        },
        "change_since_first": (
            _change(latest, summary["first_total"]) if summary["count"] > 1 else None
        ),
        "change_since_previous": _change(latest, summary["previous_total"]),
    }


@reads_from_replica
def footprint_stats(*, user: User) -> dict:
    """The user's history in numbers: a constant handful of queries, cached until it changes."""
    return user_cached(user.pk, "footprint-stats", lambda: _compute_stats(user.pk))


TRUNCATE = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}


@reads_from_replica
def footprint_trend(
    *,
    user: User,
    period: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> list[dict]:
    """Averages per month, quarter or year (UTC): one grouped query, cached until it changes."""

    def compute() -> list[dict]:
        rows = (
            footprint_list(user=user, date_from=date_from, date_to=date_to)
            .order_by()
            .annotate(start=TRUNCATE[period]("calculation_date", tzinfo=datetime.UTC))
            .values("start")
            .annotate(
                count=Count("id"),
                total=Avg("total_emissions"),
                **{c: Avg(f"{c}_emissions") for c in CATEGORIES},
            )
            .order_by("start")
        )
        places = Decimal("0.001")
        return [
            {
                "start": row["start"].date() if hasattr(row["start"], "date") else row["start"],
                "count": row["count"],
                "total": Decimal(row["total"]).quantize(places),
                "breakdown": {c: Decimal(row[c]).quantize(places) for c in CATEGORIES},
            }
            for row in rows
        ]

    name = f"footprint-trend:{period}:{date_from}:{date_to}"
    return user_cached(user.pk, name, compute)
