"""`manage.py seed_load`: realistic synthetic data, in bulk, consistent with the product's rules."""

import datetime
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db.models import Count, Max, Sum
from django.utils import timezone

from accounts.models import User, UserProfile
from carbon_site.http import RequestMeta
from footprints import engine
from footprints.models import CATEGORIES, CarbonFootprint, DailySummary
from footprints.quick_model import quick_model
from footprints.services import footprint_record
from goals.models import UserGoal
from recommendations.models import ImplementedAction, Recommendation

pytestmark = pytest.mark.django_db

USERS, CALCULATIONS = 30, 400


@pytest.fixture
def seeded():
    output = io.StringIO()
    call_command(
        "seed_load",
        users=USERS,
        calculations=CALCULATIONS,
        pool=40,
        batch_size=64,
        stdout=output,
    )
    return output.getvalue()


def test_it_loads_the_users_and_calculations_asked_for_and_says_how_long_it_took(seeded):
    assert User.objects.count() == USERS
    assert UserProfile.objects.count() == USERS
    assert CarbonFootprint.objects.count() == CALCULATIONS
    assert "30 users, 400 calculations in" in seeded
    assert "calculations: 400 / 400" in seeded


def test_a_fifth_of_the_calculations_are_anonymous(seeded):
    anonymous = CarbonFootprint.objects.filter(user__isnull=True)
    assert anonymous.count() == CALCULATIONS // 5
    assert not anonymous.filter(is_anonymous=False).exists()
    assert not CarbonFootprint.objects.filter(user__isnull=False, is_anonymous=True).exists()


def test_nobody_can_sign_in_as_a_seed_user_and_they_share_one_hash(seeded):
    users = list(User.objects.all())
    assert not any(user.has_usable_password() for user in users)
    assert len({user.password for user in users}) == 1


def test_history_spreads_over_two_years_with_each_row_created_when_calculated(seeded):
    now = timezone.now()
    dates = CarbonFootprint.objects.values_list("calculation_date", "created_at")
    assert all(now - datetime.timedelta(days=731) <= made <= now for made, _ in dates)
    assert all(made == created for made, created in dates)
    span = max(made for made, _ in dates) - min(made for made, _ in dates)
    assert span > datetime.timedelta(days=365)


def test_calculations_of_a_user_come_after_the_sign_up_and_stay_in_one_country(seeded):
    for user in User.objects.annotate(n=Count("footprints")).filter(n__gt=0):
        footprints = CarbonFootprint.objects.filter(user=user)
        assert footprints.values("country").distinct().count() == 1
        assert not footprints.filter(calculation_date__lt=user.created_at).exists()
        assert user.profile.country == footprints.first().country


def test_every_stored_number_is_the_engines_for_the_stored_answers(seeded):
    detailed = CarbonFootprint.objects.filter(mode=CarbonFootprint.Mode.DETAILED)[:20]
    quick = CarbonFootprint.objects.filter(mode=CarbonFootprint.Mode.QUICK)[:20]
    assert detailed and quick
    for footprint in detailed:
        result = engine.calculate(footprint.input_data)
        assert footprint.total_emissions == result.total_kg
        assert footprint.breakdown == dict(result.categories_kg)
        assert footprint.factor_version == engine.FACTOR_VERSION
    for footprint in quick:
        result = engine.quick_estimate(footprint.input_data, quick_model())
        assert footprint.total_emissions == result.total_kg
    assert all(
        footprint.total_emissions == sum(footprint.breakdown.values()) for footprint in detailed
    )


def test_only_each_users_latest_calculation_has_recommendations(seeded):
    with_recommendations = set(
        Recommendation.objects.values_list("carbon_footprint_id", flat=True).distinct()
    )
    latest = {
        CarbonFootprint.objects.filter(user=user).order_by("-calculation_date", "-id")[0].pk
        for user in User.objects.annotate(n=Count("footprints")).filter(n__gt=0)
    }
    assert with_recommendations <= latest
    assert len(with_recommendations) >= len(latest) * 0.9  # a few households need no action


def test_recommendations_are_ranked_as_the_product_ranks_them(seeded):
    footprint = (
        CarbonFootprint.objects.filter(mode="detailed", recommendations__isnull=False)
        .distinct()
        .first()
    )
    recorded = footprint_record(
        user=footprint.user,
        answers=footprint.input_data,
        request_meta=RequestMeta("127.0.0.1", "pytest"),
    ).footprint

    def ranked(of):
        return list(
            of.recommendations.order_by("priority").values_list(
                "priority", "action_code", "potential_savings", "estimated_impact"
            )
        )

    assert ranked(footprint) == ranked(recorded)


def test_actions_taken_match_the_recommendations_marked_implemented(seeded):
    implemented = Recommendation.objects.filter(is_implemented=True)
    assert ImplementedAction.objects.count() == implemented.count() > 0
    for action in ImplementedAction.objects.select_related("recommendation__carbon_footprint"):
        assert action.recommendation.is_implemented
        assert action.recommendation.carbon_footprint.user_id == action.user_id
        assert action.realised_savings == action.recommendation.potential_savings
        assert action.implemented_at >= action.recommendation.carbon_footprint.calculation_date


def test_goals_follow_the_rules_of_their_status(seeded):
    today = timezone.now().date()
    for goal in UserGoal.objects.all():
        assert goal.target_emissions == (
            goal.baseline_emissions * (100 - goal.reduction_percentage) / 100
        ).quantize(Decimal("0.001"))
        assert goal.is_achieved == (goal.status == UserGoal.Status.ACHIEVED)
        if goal.status == UserGoal.Status.MISSED:
            assert goal.target_date < today
        if goal.status == UserGoal.Status.ACTIVE:
            assert goal.target_date >= today


def test_the_daily_summary_covers_every_calculation(seeded):
    summary = DailySummary.objects.aggregate(calculations=Sum("calculations"), day=Max("day"))
    assert summary["calculations"] == CALCULATIONS
    assert DailySummary.objects.aggregate(anonymous=Sum("anonymous"))["anonymous"] == 80


def test_the_load_writes_nothing_to_the_audit_log(seeded):
    assert LogEntry.objects.count() == 0


def test_running_it_again_adds_new_people(seeded):
    call_command("seed_load", users=5, calculations=20, pool=5, stdout=io.StringIO())
    assert User.objects.count() == USERS + 5
    assert CarbonFootprint.objects.count() == CALCULATIONS + 20


def test_average_category_values_are_realistic(seeded):
    averages = CarbonFootprint.objects.aggregate(
        total=Sum("total_emissions"), **{c: Sum(f"{c}_emissions") for c in CATEGORIES}
    )
    per_calculation = averages["total"] / CALCULATIONS
    assert Decimal(1000) < per_calculation < Decimal(40000)  # kg CO2e a year per person
