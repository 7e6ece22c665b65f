"""The recommendations change list stays cheap on a large table."""

import pytest

from recommendations.tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db

URL = "/admin/recommendations/recommendation/"


def test_the_category_filter_offers_the_six_categories_and_filters(client, staff_user):
    RecommendationFactory(action_code="green_tariff", category="electricity")
    RecommendationFactory(action_code="wall_insulation", category="heating")
    client.force_login(staff_user)
    html = client.get(URL).content.decode()
    for category in ("electricity", "heating", "transportation", "waste", "lifestyle", "other"):
        assert f"?category={category}" in html
    page = client.get(URL, {"category": "heating"})
    assert [row.action_code for row in page.context["cl"].result_list] == ["wall_insulation"]


def test_the_change_list_shows_the_newest_recommendations_first(client, staff_user):
    older, newer = RecommendationFactory(priority=1), RecommendationFactory(priority=9)
    client.force_login(staff_user)
    rows = list(client.get(URL).context["cl"].result_list)
    assert rows == [newer, older]
