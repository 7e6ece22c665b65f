"""Reads about recommendations."""

from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from accounts.models import User
from carbon_site.errors import NotFoundError
from carbon_site.replica import reads_from_replica
from footprints.models import CarbonFootprint

from .models import ImplementedAction, Recommendation


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
) -> QuerySet[Recommendation]:
    """The latest footprint's actions, then actions taken earlier that it no longer carries.

    Each action appears once.
    """
    latest = CarbonFootprint.objects.filter(user=user).order_by("-calculation_date", "-id").first()
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
def recommendation_stats(*, user: User) -> dict:
    """What the user has done: actions taken and the kilograms a year they save, once each."""
    taken = ImplementedAction.objects.filter(user=user)
    by_category = {
        row["category"]: {"implemented": row["count"], "realised_savings": row["savings"]}
        for row in taken.values("category")
        .annotate(count=Count("id"), savings=Sum("realised_savings"))
        .order_by("category")
    }
    totals = taken.aggregate(count=Count("id"), savings=Sum("realised_savings"))
    offered = recommendation_list(user=user).filter(is_implemented=False).count()
    return {
        "implemented": totals["count"],
        "realised_savings": totals["savings"] or Decimal("0.000"),
        "open": offered,
        "by_category": by_category,
    }


def recommendation_staff_rates() -> dict:
    """For staff: how often offered actions are taken, overall, by category and by action.

    A user counts once per action, however many footprints offered it.
    """
    offered = (
        Recommendation.objects.filter(carbon_footprint__user__isnull=False)
        .values("carbon_footprint__user", "action_code", "category")
        .order_by()
        .distinct()
    )
    offered_by_action: dict[str, dict] = {}
    for row in offered:
        entry = offered_by_action.setdefault(
            row["action_code"], {"category": row["category"], "offered": 0, "taken": 0}
        )
        entry["offered"] += 1
    for row in ImplementedAction.objects.values("action_code").annotate(count=Count("id")):
        if row["action_code"] in offered_by_action:
            offered_by_action[row["action_code"]]["taken"] = row["count"]

    def rate(taken: int, offered_count: int) -> float | None:
        return taken / offered_count if offered_count else None

    by_category: dict[str, dict] = {}
    for entry in offered_by_action.values():
        totals = by_category.setdefault(entry["category"], {"offered": 0, "taken": 0})
        totals["offered"] += entry["offered"]
        totals["taken"] += entry["taken"]
    offered_total = sum(entry["offered"] for entry in offered_by_action.values())
    taken_total = sum(entry["taken"] for entry in offered_by_action.values())
    return {
        "overall": {
            "offered": offered_total,
            "taken": taken_total,
            "rate": rate(taken_total, offered_total),
        },
        "by_category": {
            category: {**totals, "rate": rate(totals["taken"], totals["offered"])}
            for category, totals in sorted(by_category.items())
        },
        "by_action": {
            code: {**entry, "rate": rate(entry["taken"], entry["offered"])}
            for code, entry in sorted(offered_by_action.items())
        },
    }
