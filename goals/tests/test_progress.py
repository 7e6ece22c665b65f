"""Goal progress over a footprint history, computed by hand in each test."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from footprints.tests.factories import CarbonFootprintFactory
from goals import services
from goals.models import UserGoal
from goals.tests.factories import UserGoalFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def goal_set_on(day: datetime.date, **fields) -> UserGoal:
    goal = UserGoalFactory(**fields)
    UserGoal.objects.filter(pk=goal.pk).update(
        created_at=datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    )
    goal.refresh_from_db()
    return goal


def test_no_footprint_yet_means_no_progress_but_days_left():
    goal = UserGoalFactory.build(
        baseline_emissions=None, target_date=TODAY + datetime.timedelta(days=30)
    )
    progress = goal.progress(None, TODAY)
    assert progress.percent_complete is None and progress.on_track is None
    assert progress.days_left == 30


def test_half_way_in_kilograms_and_ahead_of_the_straight_line():
    goal = goal_set_on(
        datetime.date(2026, 1, 1),
        baseline_emissions=Decimal("10000"),
        reduction_percentage=Decimal("20"),
        target_emissions=Decimal("8000"),
        target_date=datetime.date(2027, 1, 1),
    )
    progress = goal.progress(Decimal("9000"), TODAY)
    assert progress.percent_complete == Decimal("50.0")  # (10000-9000)/(10000-8000)
    assert progress.kg_to_cut == Decimal("1000")
    # 151 of 365 days gone: the line expects 10000 - 2000*151/365 = 9172.6 kg; 9000 is below.
    assert progress.expected_emissions_now == Decimal("9172.603")
    assert progress.on_track is True
    assert progress.days_left == 214


def test_behind_the_straight_line_is_off_track():
    goal = goal_set_on(
        datetime.date(2026, 1, 1),
        baseline_emissions=Decimal("10000"),
        target_emissions=Decimal("8000"),
        target_date=datetime.date(2027, 1, 1),
    )
    progress = goal.progress(Decimal("9900"), TODAY)
    assert progress.percent_complete == Decimal("5.0")
    assert progress.on_track is False


def test_going_up_counts_as_zero_progress_not_negative():
    goal = goal_set_on(
        datetime.date(2026, 1, 1),
        baseline_emissions=Decimal("10000"),
        target_emissions=Decimal("8000"),
        target_date=datetime.date(2027, 1, 1),
    )
    progress = goal.progress(Decimal("11000"), TODAY)
    assert progress.percent_complete == Decimal("0.0")
    assert progress.kg_to_cut == Decimal("3000")


def record(user, kg_total: str):
    """A footprint whose total (and categories) are known numbers, sent through the signal."""
    from footprints import engine
    from footprints.models import CarbonFootprint
    from footprints.signals import footprint_recorded

    footprint = CarbonFootprintFactory(
        user=user, total_emissions=Decimal(kg_total), calculation_date=timezone.now()
    )
    result = engine.calculate(footprint.input_data)  # what every subscriber is sent
    footprint_recorded.send(sender=CarbonFootprint, footprint=footprint, result=result)
    return footprint


def test_a_footprint_that_meets_the_target_achieves_the_goal_once(user):
    record(user, "10000")
    goal = services.goal_create(
        user=user,
        goal_type="reduction_percentage",
        reduction_percentage=Decimal("10"),
        target_date=timezone.now().date() + datetime.timedelta(days=200),
    )
    assert goal.baseline_emissions == Decimal("10000") and goal.target_emissions == Decimal("9000")
    record(user, "9500")
    goal.refresh_from_db()
    assert goal.status == "active" and not goal.is_achieved
    record(user, "8900")
    goal.refresh_from_db()
    assert goal.status == "achieved" and goal.is_achieved
    first_achieved_at = goal.achieved_at
    record(user, "8000")
    goal.refresh_from_db()
    assert goal.achieved_at == first_achieved_at


def test_a_target_goal_set_before_any_footprint_takes_its_baseline_from_the_next(user):
    goal = services.goal_create(
        user=user,
        goal_type="target_emissions",
        target_emissions=Decimal("6000"),
        target_date=timezone.now().date() + datetime.timedelta(days=200),
    )
    assert goal.baseline_emissions is None
    record(user, "8000")
    goal.refresh_from_db()
    assert goal.baseline_emissions == Decimal("8000")
    assert goal.reduction_percentage == Decimal("25.00")
    assert goal.status == "active"


def test_a_category_goal_watches_its_category(user):
    CarbonFootprintFactory(user=user, heating_emissions=Decimal("1200"))
    goal = services.goal_create(
        user=user,
        goal_type="reduction_percentage",
        reduction_percentage=Decimal("50"),
        category="heating",
        target_date=timezone.now().date() + datetime.timedelta(days=200),
    )
    assert goal.baseline_emissions == Decimal("1200") and goal.target_emissions == Decimal("600")
    record(user, "99999")  # the factory's heating stays 1200: not met
    goal.refresh_from_db()
    assert goal.status == "active"


def test_goals_past_their_date_become_missed_and_running_again_does_nothing():
    late = UserGoalFactory(target_date=datetime.date(2026, 1, 1))
    current = UserGoalFactory(target_date=datetime.date(2027, 1, 1))
    achieved = UserGoalFactory(
        target_date=datetime.date(2025, 1, 1), status="achieved", is_achieved=True
    )
    assert services.goals_mark_missed(today=datetime.date(2026, 6, 1)) == 1
    assert services.goals_mark_missed(today=datetime.date(2026, 6, 1)) == 0
    late.refresh_from_db(), current.refresh_from_db(), achieved.refresh_from_db()
    assert (late.status, current.status, achieved.status) == ("missed", "active", "achieved")


def test_the_daily_task_marks_missed_goals():
    from goals.tasks import mark_missed_goals

    late = UserGoalFactory(target_date=timezone.now().date() - datetime.timedelta(days=1))
    assert mark_missed_goals.apply().get() == 1
    late.refresh_from_db()
    assert late.status == "missed"
