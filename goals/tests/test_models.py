"""The database itself refuses goals that must never be stored."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from goals.models import UserGoal
from goals.tests.factories import UserGoalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("percentage", [Decimal("-1"), Decimal("100.01")])
def test_percentage_outside_zero_to_hundred_is_refused(percentage):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserGoalFactory(reduction_percentage=percentage)


def test_a_percentage_goal_without_a_percentage_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserGoalFactory(goal_type=UserGoal.GoalType.REDUCTION_PERCENTAGE, reduction_percentage=None)


def test_a_target_goal_without_a_target_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserGoalFactory(
            goal_type=UserGoal.GoalType.TARGET_EMISSIONS,
            target_emissions=None,
            reduction_percentage=None,
        )


@pytest.mark.parametrize("column", ["baseline_emissions", "target_emissions"])
def test_negative_baseline_or_target_is_refused(column):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserGoalFactory(**{column: Decimal("-1")})


def test_an_unknown_category_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserGoalFactory(category="pets")


def test_a_target_goal_may_wait_for_its_baseline():
    goal = UserGoalFactory(
        goal_type=UserGoal.GoalType.TARGET_EMISSIONS,
        target_emissions=Decimal("5000"),
        reduction_percentage=None,
        baseline_emissions=None,
    )
    goal.refresh_from_db()
    assert goal.baseline_emissions is None
