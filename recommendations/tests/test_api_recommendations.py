"""Recommendations as users meet them: with each calculation, taken once, counted once."""

import pytest

from carbon_site.http import RequestMeta
from conftest import bearer_client
from footprints.services import footprint_record
from recommendations.models import ImplementedAction, Recommendation
from recommendations.tests.factories import RecommendationFactory
from recommendations.tests.test_catalogue import HOUSEHOLDS

pytestmark = pytest.mark.django_db
META = RequestMeta("127.0.0.1", "pytest")


def record_for(user, answers=None, mode="detailed"):
    return footprint_record(
        user=user, answers=answers or HOUSEHOLDS["uk_family"], request_meta=META, mode=mode
    ).footprint


def test_every_recorded_footprint_gets_its_ranked_actions(user):
    footprint = record_for(user)
    actions = list(footprint.recommendations.order_by("priority"))
    assert len(actions) >= 15
    assert [action.priority for action in actions] == list(range(1, len(actions) + 1))
    assert {action.estimated_impact for action in actions} <= {"high", "medium", "low"}
    assert all(action.potential_savings > 0 for action in actions)


def test_quick_calculations_get_actions_too(user):
    quick = {
        "country": "GB",
        "household_size": 2,
        "home_size": "100_150",
        "home_type": "detached",
        "heating_fuel": "gas",
        "car_use": "high",
        "flights": "three_to_five",
        "diet": "high_meat",
    }
    footprint = record_for(user, quick, mode="quick")
    codes = set(footprint.recommendations.values_list("action_code", flat=True))
    assert {"heat_pump", "plant_rich_diet"} <= codes
    for action in footprint.recommendations.all():
        assert action.potential_savings <= getattr(footprint, f"{action.category}_emissions")


def test_list_shows_the_latest_footprints_actions(user):
    record_for(user)
    latest = record_for(user)
    body = bearer_client(user).get("/api/v1/recommendations/?page_size=100").json()
    assert body["count"] == latest.recommendations.count()
    assert {row["calculation_uuid"] for row in body["results"]} == {str(latest.calculation_uuid)}
    assert body["results"][0]["priority"] == 1


def test_list_filters_by_category_implemented_and_priority(user):
    record_for(user)
    client = bearer_client(user)
    heating = client.get("/api/v1/recommendations/?category=heating").json()["results"]
    assert heating and {row["category"] for row in heating} == {"heating"}
    top_three = client.get("/api/v1/recommendations/?priority=3").json()["results"]
    assert [row["priority"] for row in top_three] == [1, 2, 3]
    client.post(f"/api/v1/recommendations/{top_three[0]['uuid']}/implement/")
    done = client.get("/api/v1/recommendations/?implemented=true").json()["results"]
    assert [row["uuid"] for row in done] == [top_three[0]["uuid"]]
    assert client.get("/api/v1/recommendations/?category=pets").status_code == 400


def test_implementing_marks_it_and_the_next_calculation_shows_it_done(user):
    first = record_for(user)
    action = first.recommendations.get(action_code="green_tariff")
    client = bearer_client(user)
    response = client.post(f"/api/v1/recommendations/{action.uuid}/implement/")
    assert response.status_code == 200
    assert response.json()["is_implemented"] is True
    second = record_for(user)
    again = second.recommendations.get(action_code="green_tariff")
    assert again.is_implemented
    listed = client.get("/api/v1/recommendations/?page_size=100").json()["results"]
    assert [row["action_code"] for row in listed].count("green_tariff") == 1


def test_realised_savings_are_counted_once_however_many_footprints_carried_the_action(user):
    first = record_for(user)
    record_for(user)
    record_for(user)
    action = first.recommendations.get(action_code="thermostat_down_1c")
    client = bearer_client(user)
    client.post(f"/api/v1/recommendations/{action.uuid}/implement/")
    client.post(f"/api/v1/recommendations/{action.uuid}/implement/")  # twice: no harm
    stats = client.get("/api/v1/recommendations/stats/").json()
    assert stats["implemented"] == 1
    assert stats["realised_savings"] == pytest.approx(float(action.potential_savings))
    assert stats["by_category"]["heating"]["implemented"] == 1
    assert ImplementedAction.objects.filter(user=user).count() == 1


def test_stats_total_every_category_taken(user):
    footprint = record_for(user)
    taken = [
        footprint.recommendations.get(action_code=code)
        for code in ("thermostat_down_1c", "green_tariff")
    ]
    client = bearer_client(user)
    for action in taken:
        client.post(f"/api/v1/recommendations/{action.uuid}/implement/")
    stats = client.get("/api/v1/recommendations/stats/").json()
    assert stats["implemented"] == 2
    assert stats["realised_savings"] == pytest.approx(
        float(sum(action.potential_savings for action in taken))
    )
    assert {category: row["implemented"] for category, row in stats["by_category"].items()} == {
        "heating": 1,
        "electricity": 1,
    }


def test_unimplementing_offers_it_again_and_stops_counting_it(user):
    footprint = record_for(user)
    action = footprint.recommendations.get(action_code="green_tariff")
    client = bearer_client(user)
    client.post(f"/api/v1/recommendations/{action.uuid}/implement/")
    response = client.post(f"/api/v1/recommendations/{action.uuid}/unimplement/")
    assert response.status_code == 200
    assert response.json()["is_implemented"] is False
    assert client.get("/api/v1/recommendations/stats/").json()["implemented"] == 0
    assert not Recommendation.objects.filter(is_implemented=True).exists()


def test_an_action_taken_earlier_still_shows_when_the_latest_footprint_lacks_it(user):
    first = record_for(user)
    action = first.recommendations.get(action_code="heat_pump")
    client = bearer_client(user)
    client.post(f"/api/v1/recommendations/{action.uuid}/implement/")
    # The household switched away from gas: the latest footprint has no heat-pump action.
    electric_home = {**HOUSEHOLDS["uk_family"], "heating": {}}
    record_for(user, electric_home)
    listed = client.get("/api/v1/recommendations/?page_size=100").json()["results"]
    codes = [row["action_code"] for row in listed]
    assert codes.count("heat_pump") == 1
    assert codes[-1] == "heat_pump"


@pytest.mark.parametrize("action", ["", "implement/", "unimplement/"])
def test_another_users_recommendation_is_404(auth_client, action):
    stranger = RecommendationFactory()
    response = auth_client.post(f"/api/v1/recommendations/{stranger.uuid}/{action}")
    if action == "":
        response = auth_client.get(f"/api/v1/recommendations/{stranger.uuid}/")
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_implemented is False


def test_list_and_stats_need_credentials(api_client):
    assert api_client.get("/api/v1/recommendations/").status_code == 401
    assert api_client.get("/api/v1/recommendations/stats/").status_code == 401


def test_list_runs_a_bounded_number_of_queries(user, django_assert_max_num_queries):
    record_for(user)
    client = bearer_client(user)
    client.get("/api/v1/recommendations/")  # warm the site-wide caches (system config)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/recommendations/?page_size=100").status_code == 200
