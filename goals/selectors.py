"""Reads about goals, with progress from the latest footprint."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet

from accounts.models import User
from carbon_site.errors import NotFoundError
from carbon_site.replica import reads_from_replica
from footprints.models import CarbonFootprint
from footprints.selectors import footprint_latest

from .models import GoalProgress, UserGoal


@dataclass(frozen=True)
class GoalWithProgress:
    goal: UserGoal
    progress: GoalProgress


def goal_get_own(*, user: User, goal_uuid) -> UserGoal:
    goal = UserGoal.objects.filter(user=user, uuid=goal_uuid).first()
    if goal is None:
        raise NotFoundError("No such goal.")
    return goal


@reads_from_replica
def goal_list(*, user: User, status: str | None = None) -> QuerySet[UserGoal]:
    goals = UserGoal.objects.filter(user=user)
    if status:
        goals = goals.filter(status=status)
    return goals.order_by("-created_at", "-id")


@reads_from_replica
def goals_with_progress(
    *, goals, user: User, today: datetime.date, latest: CarbonFootprint | None = None
) -> list[GoalWithProgress]:
    """Progress of each goal, all measured against the user's one latest footprint.

    `latest`: that footprint, when the caller has just read it (else it is looked up).
    """
    if latest is None:
        latest = footprint_latest(user=user)
    return [
        GoalWithProgress(goal, goal.progress(goal.emissions_of(latest) if latest else None, today))
        for goal in goals
    ]


@reads_from_replica
def goal_stats(*, user: User) -> dict[str, int]:
    counts = UserGoal.objects.filter(user=user).aggregate(
        active=Count("id", filter=Q(status=UserGoal.Status.ACTIVE)),
        achieved=Count("id", filter=Q(status=UserGoal.Status.ACHIEVED)),
        missed=Count("id", filter=Q(status=UserGoal.Status.MISSED)),
    )
    return counts


def goal_staff_stats() -> dict:
    """Achievement rate and the average reduction achieved, over every finished goal."""
    finished = UserGoal.objects.exclude(status=UserGoal.Status.ACTIVE)
    counts = finished.aggregate(
        finished=Count("id"),
        achieved=Count("id", filter=Q(status=UserGoal.Status.ACHIEVED)),
    )
    achieved = finished.filter(status=UserGoal.Status.ACHIEVED, baseline_emissions__gt=0)
    average = achieved.aggregate(
        reduction=Avg(
            (F("baseline_emissions") - F("target_emissions")) * 100 / F("baseline_emissions")
        )
    )["reduction"]
    rate = counts["achieved"] / counts["finished"] if counts["finished"] else None
    return {
        "active": UserGoal.objects.filter(status=UserGoal.Status.ACTIVE).count(),
        "finished": counts["finished"],
        "achieved": counts["achieved"],
        "achievement_rate": rate,
        "average_reduction_percent": average,
    }
