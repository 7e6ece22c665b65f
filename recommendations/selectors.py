"""Reads about recommendations."""

from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from accounts.models import User
from carbon_site.errors import NotFoundError
from carbon_site.replica import reads_from_replica
from footprints.models import CarbonFootprint
from footprints.selectors import footprint_latest

from . import analytics
from .models import ActionRateSummary, ImplementedAction, Recommendation


def recommendation_get_own(*, user: User, recommendation_uuid) -> Recommendation:
    recommendation = (
        Recommendation.objects.select_related("carbon_footprint")
        .filter(uuid=recommendation_uuid, carbon_footprint__user=user)
        .first()
    )
    if recommendation is None:
        raise NotFoundError("No such recommendation.")
    return recommendation


@reads_from_replica
def recommendation_list(
    *,
    user: User,
    category: str | None = None,
    implemented: bool | None = None,
    priority_at_most: int | None = None,
    latest: CarbonFootprint | None = None,
) -> QuerySet[Recommendation]:
    """The latest footprint's actions, then actions taken earlier that it no longer carries.

    Each action appears once. `latest`: the user's latest footprint, when the caller has just
    read it (else it is looked up).
    """
    if latest is None:
        latest = footprint_latest(user=user)
    latest_codes = (
        list(latest.recommendations.values_list("action_code", flat=True)) if latest else []
    )
    earlier_taken = (
        ImplementedAction.objects.filter(user=user, recommendation__isnull=False)
        .exclude(action_code__in=latest_codes)
        .values_list("recommendation_id", flat=True)
    )
    rows = Recommendation.objects.filter(
        Q(carbon_footprint=latest) | Q(pk__in=list(earlier_taken))
    ).annotate(
        from_latest=Case(
            When(carbon_footprint=latest, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if category:
        rows = rows.filter(category=category)
    if implemented is not None:
        rows = rows.filter(is_implemented=implemented)
    if priority_at_most is not None:
        rows = rows.filter(priority__lte=priority_at_most)
    return rows.order_by("from_latest", "priority", "id")


@reads_from_replica
def recommendation_stats(*, user: User, open_count: int | None = None) -> dict:
    """What the user has done: actions taken and the kilograms a year they save, once each.

    `open_count`: the number of open actions, when the caller has just listed them.
    """
    taken = ImplementedAction.objects.filter(user=user)
    by_category = {
        row["category"]: {"implemented": row["count"], "realised_savings": row["savings"]}
        for row in taken.values("category")
        .annotate(count=Count("id"), savings=Sum("realised_savings"))
        .order_by("category")
    }
    offered = (
        open_count
        if open_count is not None
        else recommendation_list(user=user).filter(is_implemented=False).count()
    )
    return {
        # The totals are the categories' sums: one grouped query answers both.
        "implemented": sum(row["implemented"] for row in by_category.values()),
        "realised_savings": sum(
            (row["realised_savings"] or Decimal("0.000") for row in by_category.values()),
            Decimal("0.000"),
        ),
        "open": offered,
        "by_category": by_category,
    }


def _rate(taken: int, offered: int) -> float | None:
    return taken / offered if offered else None


def _rates_from_rows(rows: list[ActionRateSummary]) -> dict:
    by_category: dict[str, dict] = {}
    for row in rows:
        totals = by_category.setdefault(row.category, {"offered": 0, "taken": 0})
        totals["offered"] += row.offered
        totals["taken"] += row.taken
    offered_total = sum(row.offered for row in rows)
    taken_total = sum(row.taken for row in rows)
    return {
        "overall": {
            "offered": offered_total,
            "taken": taken_total,
            "rate": _rate(taken_total, offered_total),
        },
        "by_category": {
            category: {**totals, "rate": _rate(totals["taken"], totals["offered"])}
            for category, totals in sorted(by_category.items())
        },
        "by_action": {
            row.action_code: {
                "category": row.category,
                "offered": row.offered,
                "taken": row.taken,
                "rate": _rate(row.taken, row.offered),
            }
            for row in sorted(rows, key=lambda row: row.action_code)
        },
    }


def recommendation_staff_rates_compute() -> dict:
    """recommendation_staff_rates, read now (uncached) from action_rate_summary.

    `source` says where the figures come from: "summary" (as of `refreshed_at`); "on_demand"
    (no summary yet and a small recommendations table: counted just now); "not_computed" (no
    summary yet and too many recommendations to count on a page view: zeros until the task runs).
    """
    rows = list(ActionRateSummary.objects.all())
    if rows:
        return {
            **_rates_from_rows(rows),
            "source": "summary",
            "refreshed_at": max(row.refreshed_at for row in rows),
        }
    newest_id = Recommendation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if newest_id <= analytics.ON_DEMAND_MAX_RECOMMENDATIONS:
        rows = analytics.action_rates_count()
        return {
            **_rates_from_rows(rows),
            "source": "on_demand",
            "refreshed_at": rows[0].refreshed_at if rows else timezone.now(),
        }
    return {**_rates_from_rows([]), "source": "not_computed", "refreshed_at": None}


def recommendation_staff_rates() -> dict:
    """For staff: how often offered actions are taken, overall, by category and by action.

    A user counts once per action, however many footprints offered it; taken counts
    implemented_actions rows. Read from the summary table `action_rate_summary` (refreshed hourly
    by the task `refresh_action_rates`) and cached a few minutes: one small query, never a scan of
    recommendations. `refreshed_at` and `source` say how fresh the figures are.
    """
    rates = cache.get(analytics.RATES_CACHE_KEY)
    if rates is None:
        rates = recommendation_staff_rates_compute()
        cache.set(analytics.RATES_CACHE_KEY, rates, timeout=analytics.RATES_CACHE_SECONDS)
    return rates
