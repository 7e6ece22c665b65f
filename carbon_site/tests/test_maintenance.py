"""Maintenance mode and closed features, as pages and API clients meet them."""

import pytest
from django.http import HttpResponse
from django.urls import include, path

from accounts.models import User
from carbon_site.config import feature_required
from carbon_site.tests.factories import SystemConfigFactory
from conftest import bearer_client

pytestmark = pytest.mark.django_db

DETAILED = {"country": "GB", "household_size": 2, "electricity": {"kwh_per_year": 2700}}
QUICK = {
    "country": "GB",
    "household_size": 2,
    "home_size": "50_100",
    "home_type": "semi",
    "heating_fuel": "gas",
    "car_use": "medium",
    "flights": "one_or_two",
    "diet": "average",
}
SIGN_UP = {"email": "sam@example.com", "username": "sam", "password": "a long passphrase 42"}
MESSAGE = "Upgrading the database. Back at 10:00 UTC."


@feature_required("signups_open")
def closed_page(request):
    return HttpResponse("the page itself")


# This module is also the URLconf of the page tests below: one gated page plus the site's own.
urlpatterns = [
    path("gated/", closed_page),
    path("", include("carbon_site.urls")),
]


def flag(name: str, enabled: bool) -> None:
    SystemConfigFactory(key=name, value=enabled, is_feature_flag=True)


@pytest.fixture
def maintenance(db):
    return SystemConfigFactory(
        key="maintenance",
        value={"enabled": True, "message": MESSAGE, "retry_after_seconds": 900},
    )


# --- Maintenance mode -----------------------------------------------------------------------------


def test_pages_answer_503_with_the_message_and_retry_after(client, maintenance):
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "900"
    assert MESSAGE in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"  # the usual headers still apply


def test_the_api_answers_503_maintenance_in_its_error_shape(api_client, maintenance):
    for response in (
        api_client.get("/api/v1/footprints/"),
        api_client.post("/api/v1/footprints/", DETAILED),
        api_client.post("/api/v1/auth/register/", SIGN_UP),
    ):
        assert response.status_code == 503
        assert response.json() == {"detail": MESSAGE, "code": "maintenance"}
        assert response["Retry-After"] == "900"
    assert not User.objects.exists()


def test_a_signed_in_member_of_the_public_gets_503_too(client, user, maintenance):
    client.force_login(user)
    assert client.get("/").status_code == 503


def test_staff_keep_using_the_site(client, staff_user, maintenance):
    client.force_login(staff_user)
    assert client.get("/").status_code == 200


def test_admin_and_the_health_check_keep_working(client, maintenance):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_staff_can_switch_maintenance_off_in_admin(client, staff_user, maintenance):
    client.force_login(staff_user)
    response = client.post(
        f"/admin/carbon_site/systemconfig/{maintenance.pk}/change/",
        {"key": "maintenance", "value": '{"enabled": false}', "description": ""},
    )
    assert response.status_code == 302, response.content
    client.logout()
    assert client.get("/").status_code == 200


def test_the_site_answers_normally_when_maintenance_is_off(client, api_client):
    SystemConfigFactory(key="maintenance", value={"enabled": False, "message": MESSAGE})
    assert client.get("/").status_code == 200
    assert api_client.post("/api/v1/footprints/", DETAILED).status_code == 201


# --- Closed features: API -------------------------------------------------------------------------


def test_quick_estimates_are_refused_while_quick_mode_is_off(api_client):
    flag("quick_mode", False)
    response = api_client.post("/api/v1/footprints/quick/", QUICK)
    assert response.status_code == 403
    assert response.json()["code"] == "feature_disabled"
    assert api_client.post("/api/v1/footprints/", DETAILED).status_code == 201  # detailed works


def test_anonymous_calculations_are_refused_while_switched_off(api_client, user):
    flag("anonymous_calculations", False)
    refused = api_client.post("/api/v1/footprints/", DETAILED)
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": refused.json()["detail"],
        "code": "feature_disabled",
    }
    assert "sign in" in refused.json()["detail"]
    assert bearer_client(user).post("/api/v1/footprints/", DETAILED).status_code == 201


def test_sign_ups_are_refused_while_closed(api_client):
    flag("signups_open", False)
    response = api_client.post("/api/v1/auth/register/", SIGN_UP)
    assert response.status_code == 403
    assert response.json()["code"] == "feature_disabled"
    assert not User.objects.exists()


def test_sign_ups_work_while_open(api_client):
    flag("signups_open", True)
    assert api_client.post("/api/v1/auth/register/", SIGN_UP).status_code == 201


# --- Closed features: pages -----------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_gated_page_answers_a_friendly_403_while_its_feature_is_off(client):
    flag("signups_open", False)
    response = client.get("/gated/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "New sign-ups are closed" in page
    assert "Back to the front page" in page


@pytest.mark.urls(__name__)
def test_a_gated_page_works_while_its_feature_is_on(client):
    assert client.get("/gated/").content == b"the page itself"
