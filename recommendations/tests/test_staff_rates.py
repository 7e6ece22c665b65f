"""What staff see about how often actions are taken and goals achieved."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from carbon_site.locks import cache_lock
from footprints.tests.factories import CarbonFootprintFactory
from goals.tests.factories import UserGoalFactory
from recommendations import analytics
from recommendations.models import ActionRateSummary
from recommendations.selectors import (
    recommendation_staff_rates,
    recommendation_staff_rates_compute,
)
from recommendations.services import recommendation_implement
from recommendations.tasks import refresh_action_rates
from recommendations.tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def offer(user, code: str, category: str, footprints: int = 1):
    rows = []
    for _ in range(footprints):
        footprint = CarbonFootprintFactory(user=user)
        rows.append(
            RecommendationFactory(carbon_footprint=footprint, action_code=code, category=category)
        )
    return rows[0]


def test_rates_count_each_user_once_per_action():
    taker, ignorer = UserFactory(), UserFactory()
    first = offer(taker, "green_tariff", "electricity", footprints=3)
    offer(ignorer, "green_tariff", "electricity")
    offer(ignorer, "drive_less", "transportation")
    recommendation_implement(user=taker, recommendation=first)
    rates = recommendation_staff_rates()
    assert rates["overall"] == {"offered": 3, "taken": 1, "rate": pytest.approx(1 / 3)}
    assert rates["by_action"]["green_tariff"]["rate"] == 0.5
    assert rates["by_category"]["transportation"] == {"offered": 1, "taken": 0, "rate": 0.0}


def test_admin_changelists_show_the_rates_and_goal_achievement(client, staff_user):
    taker = UserFactory()
    recommendation_implement(user=taker, recommendation=offer(taker, "led_lighting", "electricity"))
    UserGoalFactory(
        status="achieved",
        is_achieved=True,
        baseline_emissions=Decimal("8000"),
        target_emissions=Decimal("6000"),
    )
    UserGoalFactory(status="missed")
    client.force_login(staff_user)
    html = client.get("/admin/recommendations/recommendation/").content.decode()
    assert "Implementation rates" in html
    assert "1 of 1 offered actions taken (100 %)" in html
    goals_html = client.get("/admin/goals/usergoal/").content.decode()
    assert "1 were achieved (50 %)" in goals_html
    assert "Average reduction achieved: 25.0 %" in goals_html


# --- The summary table and its refresh ---------------------------------------------------------


@pytest.fixture
def offers():
    """green_tariff offered to two users (one of them three times, and took it), drive_less to
    one, and an anonymous result that counts for nobody."""
    taker, ignorer = UserFactory(), UserFactory()
    recommendation_implement(
        user=taker, recommendation=offer(taker, "green_tariff", "electricity", footprints=3)
    )
    offer(ignorer, "green_tariff", "electricity")
    offer(ignorer, "drive_less", "transportation")
    RecommendationFactory(
        carbon_footprint=CarbonFootprintFactory(user=None, is_anonymous=True),
        action_code="fly_less",
        category="transportation",
    )
    return taker, ignorer


def summary_rows() -> dict:
    return {
        row.action_code: (row.category, row.offered, row.taken)
        for row in ActionRateSummary.objects.all()
    }


def test_the_refresh_counts_each_action_once_per_user(offers):
    assert refresh_action_rates() == 2
    assert summary_rows() == {
        "drive_less": ("transportation", 1, 0),
        "green_tariff": ("electricity", 2, 1),
    }


def test_staff_see_the_rates_of_the_last_refresh(offers):
    refresh_action_rates()
    rates = recommendation_staff_rates()
    assert rates["source"] == "summary"
    assert (
        rates["refreshed_at"]
        == ActionRateSummary.objects.get(action_code="drive_less").refreshed_at
    )
    assert rates["overall"] == {"offered": 3, "taken": 1, "rate": pytest.approx(1 / 3)}
    assert rates["by_category"] == {
        "electricity": {"offered": 2, "taken": 1, "rate": 0.5},
        "transportation": {"offered": 1, "taken": 0, "rate": 0.0},
    }
    assert rates["by_action"]["green_tariff"] == {
        "category": "electricity",
        "offered": 2,
        "taken": 1,
        "rate": 0.5,
    }


def test_the_rates_are_read_from_the_summary_in_one_query(offers, django_assert_num_queries):
    refresh_action_rates()
    with django_assert_num_queries(1):
        recommendation_staff_rates_compute()


def test_new_offers_show_after_the_next_refresh(offers):
    taker, _ = offers
    refresh_action_rates()
    assert recommendation_staff_rates()["overall"]["offered"] == 3
    recommendation_implement(
        user=taker, recommendation=offer(taker, "drive_less", "transportation")
    )
    assert recommendation_staff_rates()["overall"]["offered"] == 3  # the summary, cached
    refresh_action_rates()  # forgets the cached rates
    assert recommendation_staff_rates()["overall"] == {
        "offered": 4,
        "taken": 2,
        "rate": 0.5,
    }


def test_a_refresh_run_twice_or_after_an_erasure_leaves_the_current_counts(offers):
    taker, _ = offers
    refresh_action_rates()
    refresh_action_rates()
    assert ActionRateSummary.objects.count() == 2
    taker.delete()
    refresh_action_rates()
    assert summary_rows() == {
        "drive_less": ("transportation", 1, 0),
        "green_tariff": ("electricity", 1, 0),
    }


def test_before_the_first_refresh_a_small_table_is_counted_on_the_spot(offers):
    rates = recommendation_staff_rates()
    assert rates["source"] == "on_demand"
    assert rates["overall"] == {"offered": 3, "taken": 1, "rate": pytest.approx(1 / 3)}
    assert not ActionRateSummary.objects.exists()  # a read never writes


def test_before_the_first_refresh_a_large_table_says_not_computed_yet(
    offers, monkeypatch, client, staff_user
):
    monkeypatch.setattr(analytics, "ON_DEMAND_MAX_RECOMMENDATIONS", 1)
    rates = recommendation_staff_rates()
    assert rates["source"] == "not_computed"
    assert rates["refreshed_at"] is None
    client.force_login(staff_user)
    html = client.get("/admin/recommendations/recommendation/").content.decode()
    assert "Not computed yet" in html
    assert "manage.py refresh_action_rates" in html
    assert "offered actions taken" not in html


def test_the_changelist_shows_the_rates_and_when_they_were_refreshed(offers, client, staff_user):
    refresh_action_rates()
    refreshed_at = ActionRateSummary.objects.first().refreshed_at
    client.force_login(staff_user)
    html = client.get("/admin/recommendations/recommendation/").content.decode()
    assert "1 of 3 offered actions taken (33 %)" in html
    assert f"As of {refreshed_at:%Y-%m-%d %H:%M} UTC" in html


def test_the_analytics_page_shows_the_rates_and_when_they_were_refreshed(
    offers, client, staff_user
):
    refresh_action_rates()
    refreshed_at = ActionRateSummary.objects.first().refreshed_at
    client.force_login(staff_user)
    html = client.get(reverse("admin:analytics")).content.decode()
    assert "1 of 3 offered actions taken (33 %)" in html
    assert f"As of {refreshed_at:%Y-%m-%d %H:%M} UTC" in html


def test_the_task_skips_while_another_run_holds_the_lock(offers):
    with cache_lock("refresh-action-rates", timeout_seconds=60) as acquired:
        assert acquired
        assert refresh_action_rates() is None
    assert not ActionRateSummary.objects.exists()


def test_the_command_refreshes_the_summary(offers):
    out = io.StringIO()
    call_command("refresh_action_rates", stdout=out)
    assert out.getvalue().startswith("action_rate_summary: 2 actions in ")
    assert summary_rows()["green_tariff"] == ("electricity", 2, 1)
