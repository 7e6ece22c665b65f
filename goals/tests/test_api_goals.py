"""The goals API: create, read, change, delete, with the rules a user would expect."""

import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import bearer_client
from footprints.tests.factories import CarbonFootprintFactory
from goals.models import UserGoal
from goals.tests.factories import UserGoalFactory

pytestmark = pytest.mark.django_db


def in_days(days: int) -> str:
    return (timezone.now().date() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def measured_client(user):
    CarbonFootprintFactory(user=user)  # total 7800 kg
    return bearer_client(user)


def test_a_percentage_goal_takes_the_latest_footprint_as_baseline(measured_client):
    response = measured_client.post(
        "/api/v1/goals/",
        {
            "goal_type": "reduction_percentage",
            "reduction_percentage": 25,
            "target_date": in_days(365),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["baseline_emissions"] == 7800.0
    assert body["target_emissions"] == 5850.0
    assert body["category"] == "total"
    assert body["status"] == "active"
    assert body["progress"]["percent_complete"] == 0.0
    assert body["progress"]["kg_to_cut"] == 1950.0
    assert body["progress"]["days_left"] == 365


def test_a_percentage_goal_without_any_footprint_is_400_non_field(auth_client):
    response = auth_client.post(
        "/api/v1/goals/",
        {
            "goal_type": "reduction_percentage",
            "reduction_percentage": 10,
            "target_date": in_days(30),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Record a footprint first" in response.json()["non_field_errors"][0]
    assert not UserGoal.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"goal_type": "reduction_percentage", "reduction_percentage": 101},
            "reduction_percentage",
        ),
        ({"goal_type": "reduction_percentage", "reduction_percentage": -1}, "reduction_percentage"),
        ({"goal_type": "reduction_percentage"}, "reduction_percentage"),
        (
            {
                "goal_type": "reduction_percentage",
                "reduction_percentage": 10,
                "target_emissions": 5,
            },
            "target_emissions",
        ),
        ({"goal_type": "target_emissions"}, "target_emissions"),
        ({"goal_type": "target_emissions", "target_emissions": 9000}, "target_emissions"),
        ({"goal_type": "shrink", "target_emissions": 10}, "goal_type"),
        (
            {"goal_type": "target_emissions", "target_emissions": 10, "category": "pets"},
            "category",
        ),
        (
            {"goal_type": "target_emissions", "target_emissions": 10, "is_achieved": True},
            "is_achieved",
        ),
    ],
)
def test_bad_goals_are_400_on_the_field(measured_client, body, field):
    body = {"target_date": in_days(90), **body}
    response = measured_client.post("/api/v1/goals/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not UserGoal.objects.exists()


@pytest.mark.parametrize("days", [0, -10])
def test_a_target_date_that_is_not_in_the_future_is_400(measured_client, days):
    response = measured_client.post(
        "/api/v1/goals/",
        {"goal_type": "target_emissions", "target_emissions": 5000, "target_date": in_days(days)},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["target_date"]


def test_an_unverified_user_is_told_to_verify_before_setting_goals():
    client = bearer_client(UserFactory(is_verified=False))
    response = client.post(
        "/api/v1/goals/",
        {"goal_type": "target_emissions", "target_emissions": 5000, "target_date": in_days(90)},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert client.get("/api/v1/goals/").status_code == 200


def test_list_detail_update_and_delete_own_goals(measured_client, user):
    goal = UserGoalFactory(user=user)
    listed = measured_client.get("/api/v1/goals/").json()
    assert listed["count"] == 1 and listed["results"][0]["uuid"] == str(goal.uuid)
    detail = measured_client.get(f"/api/v1/goals/{goal.uuid}/")
    assert detail.status_code == 200
    changed = measured_client.patch(
        f"/api/v1/goals/{goal.uuid}/", {"description": "Fly less"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["description"] == "Fly less"
    assert measured_client.delete(f"/api/v1/goals/{goal.uuid}/").status_code == 204
    assert not UserGoal.objects.exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_goal_is_404(auth_client, method):
    stranger_goal = UserGoalFactory()
    response = getattr(auth_client, method)(
        f"/api/v1/goals/{stranger_goal.uuid}/", {}, format="json"
    )
    assert response.status_code == 404
    assert UserGoal.objects.filter(pk=stranger_goal.pk).exists()


def test_stats_count_goals_by_status(auth_client, user):
    UserGoalFactory(user=user)
    UserGoalFactory(user=user, status="achieved", is_achieved=True)
    UserGoalFactory(user=user, status="missed")
    UserGoalFactory()  # someone else's
    assert auth_client.get("/api/v1/goals/stats/").json() == {
        "active": 1,
        "achieved": 1,
        "missed": 1,
    }


def test_goal_list_runs_a_bounded_number_of_queries(
    measured_client, user, django_assert_max_num_queries
):
    for _ in range(10):
        UserGoalFactory(user=user)
    with django_assert_max_num_queries(5):
        assert len(measured_client.get("/api/v1/goals/").json()["results"]) == 10
