"""What staff see about how often actions are taken and goals achieved."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from footprints.tests.factories import CarbonFootprintFactory
from goals.tests.factories import UserGoalFactory
from recommendations.selectors import recommendation_staff_rates
from recommendations.services import recommendation_implement
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
