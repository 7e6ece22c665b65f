"""Goals: set, change and remove them; mark them achieved or missed as footprints arrive."""

import contextlib
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from carbon_site.user_cache import user_cache_bump_after_commit
from footprints.models import CarbonFootprint
from footprints.selectors import footprint_latest

from .models import UserGoal

PERCENT = Decimal(100)
THOUSANDTH = Decimal("0.001")
NO_FOOTPRINT = "Record a footprint first: a percentage needs a starting point to cut from."


def _targets_check(*, goal: UserGoal) -> None:
    """Fill the target from the percentage (or the reverse) once a baseline is known."""
    if goal.baseline_emissions is None:
        return
    if goal.goal_type == UserGoal.GoalType.REDUCTION_PERCENTAGE:
        goal.target_emissions = (
            goal.baseline_emissions * (PERCENT - goal.reduction_percentage) / PERCENT
        ).quantize(THOUSANDTH)
        return
    if goal.target_emissions >= goal.baseline_emissions:
        raise ValidationError(
            {
                "target_emissions": [
                    f"Must be below where you are now ({goal.baseline_emissions:,.0f} kg CO2e a "
                    "year) to be a reduction."
                ]
            }
        )
    goal.reduction_percentage = (
        (goal.baseline_emissions - goal.target_emissions) / goal.baseline_emissions * PERCENT
    ).quantize(Decimal("0.01"))


def _date_check(target_date: datetime.date) -> None:
    if target_date <= timezone.now().date():
        raise ValidationError({"target_date": ["Must be in the future."]})


@transaction.atomic
def goal_create(
    *,
    user: User,
    goal_type: str,
    target_date: datetime.date,
    reduction_percentage: Decimal | None = None,
    target_emissions: Decimal | None = None,
    category: str = UserGoal.Category.TOTAL,
    description: str = "",
) -> UserGoal:
    """Set a goal measured from the latest footprint (a target goal may wait for one)."""
    _date_check(target_date)
    goal = UserGoal(
        user=user,
        goal_type=goal_type,
        category=category,
        target_date=target_date,
        description=description,
        reduction_percentage=reduction_percentage
        if goal_type == UserGoal.GoalType.REDUCTION_PERCENTAGE
        else None,
        target_emissions=target_emissions
        if goal_type == UserGoal.GoalType.TARGET_EMISSIONS
        else None,
    )
    latest = footprint_latest(user=user)
    if latest is None and goal_type == UserGoal.GoalType.REDUCTION_PERCENTAGE:
        raise ValidationError(NO_FOOTPRINT)
    if latest is not None:
        goal.baseline_emissions = goal.emissions_of(latest)
    _targets_check(goal=goal)
    goal.save()
    user_cache_bump_after_commit(user.pk)
    return goal


@transaction.atomic
def goal_update(*, goal: UserGoal, changes: dict) -> UserGoal:
    """Change the date, description or the target of the goal's own type; the baseline stays."""
    if goal.status != UserGoal.Status.ACTIVE:
        raise ValidationError("Only an active goal can be changed.")
    if "target_date" in changes:
        _date_check(changes["target_date"])
    for field in ("target_date", "description", "reduction_percentage", "target_emissions"):
        if field in changes:
            setattr(goal, field, changes[field])
    _targets_check(goal=goal)
    goal.save()
    user_cache_bump_after_commit(goal.user_id)
    return goal


@transaction.atomic
def goal_delete(*, goal: UserGoal) -> None:
    goal.delete()
    user_cache_bump_after_commit(goal.user_id)


def goals_on_footprint_recorded(sender, *, footprint: CarbonFootprint, result, **kwargs) -> None:
    """Subscriber to `footprint_recorded`: start waiting goals, mark the ones now met."""
    if footprint.user_id is None:
        return
    goals = UserGoal.objects.select_for_update().filter(
        user_id=footprint.user_id, status=UserGoal.Status.ACTIVE
    )
    for goal in goals:
        value = goal.emissions_of(footprint)
        if goal.baseline_emissions is None:
            goal.baseline_emissions = value
            # A target above the new baseline raises: it is already met, and marked so below.
            with contextlib.suppress(ValidationError):
                _targets_check(goal=goal)
            goal.save(update_fields=["baseline_emissions", "reduction_percentage", "updated_at"])
        if goal.is_met_by(value):
            goal.status = UserGoal.Status.ACHIEVED
            goal.is_achieved = True
            goal.achieved_at = timezone.now()
            goal.save(update_fields=["status", "is_achieved", "achieved_at", "updated_at"])


@transaction.atomic
def goals_mark_missed(*, today: datetime.date) -> int:
    """Goals whose date has passed unmet become missed. Safe to run as often as you like."""
    late = UserGoal.objects.filter(status=UserGoal.Status.ACTIVE, target_date__lt=today)
    user_ids = set(late.values_list("user_id", flat=True))
    missed = late.update(status=UserGoal.Status.MISSED, updated_at=timezone.now())
    for user_id in user_ids:
        user_cache_bump_after_commit(user_id)
    return missed
