"""The signed-in user's own profile, password and devices through the API."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import User, UserSession
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, UserSessionFactory
from conftest import bearer_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 91"


def test_me_is_one_flat_object_of_user_and_profile_fields(auth_client, user):
    response = auth_client.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["uuid"] == str(user.uuid)
    assert body["email"] == user.email
    assert body["household_size"] == 1
    assert body["units"] == "metric"
    assert body["timezone"] == "UTC"
    for secret in ("password", "email_verification_token", "password_reset_token", "id"):
        assert secret not in body


def test_patch_me_updates_names_and_profile(auth_client, user):
    response = auth_client.patch(
        "/api/v1/me/",
        {
            "first_name": "Robin",
            "country": "GB",
            "household_size": 3,
            "units": "imperial",
            "timezone": "Europe/London",
            "preferences": {"newsletter": False},
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["first_name"] == "Robin"
    assert body["country"] == "GB"
    assert body["household_size"] == 3
    assert body["timezone"] == "Europe/London"
    assert body["preferences"] == {"newsletter": False}
    user.refresh_from_db()
    assert user.profile.household_size == 3


@pytest.mark.parametrize(
    "field", ["uuid", "is_verified", "is_staff", "created_at", "last_login", "pending_email"]
)
def test_patch_me_refuses_read_only_fields(auth_client, user, field):
    response = auth_client.patch("/api/v1/me/", {field: True, "first_name": "Changed"})
    assert response.status_code == 400
    assert response.json() == {field: ["This field cannot be set."]}
    user.refresh_from_db()
    assert user.first_name != "Changed"
    assert user.is_staff is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"household_size": 0}, "household_size"),
        ({"household_size": 21}, "household_size"),
        ({"country": "gb"}, "country"),
        ({"units": "furlongs"}, "units"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_patch_me_with_bad_values_is_400_on_the_field(auth_client, changes, field):
    response = auth_client.patch("/api/v1/me/", changes)
    assert response.status_code == 400
    assert field in response.json()


def test_patch_me_with_a_taken_username_is_400(auth_client):
    UserFactory(username="taken")
    response = auth_client.patch("/api/v1/me/", {"username": "taken"})
    assert response.status_code == 400
    assert list(response.json()) == ["username"]


@override_settings(SITE_URL="http://testserver")
def test_email_change_switches_only_when_the_new_address_is_confirmed(
    auth_client, user, django_capture_on_commit_callbacks
):
    old_email = user.email
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch("/api/v1/me/", {"email": "New@Example.com"})
    assert response.status_code == 200
    assert response.json()["email"] == old_email
    assert response.json()["pending_email"] == "new@example.com"
    assert mail.outbox[-1].to == ["new@example.com"]
    token = re.search(r"/accounts/verify-email/([\w-]+)/", mail.outbox[-1].body).group(1)
    confirmed = auth_client.post("/api/v1/auth/verify-email/", {"token": token})
    assert confirmed.status_code == 200
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert user.pending_email == ""


def test_email_change_to_a_taken_address_is_400(auth_client):
    UserFactory(email="other@example.com")
    response = auth_client.patch("/api/v1/me/", {"email": "other@example.com"})
    assert response.status_code == 400
    assert list(response.json()) == ["email"]


# --- Password change --------------------------------------------------------------------------


def test_password_change_keeps_this_device_and_signs_out_the_others(
    user, django_capture_on_commit_callbacks
):
    this_device = bearer_client(user)
    other_device = bearer_client(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = this_device.post(
            "/api/v1/me/password/",
            {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        )
    assert response.status_code == 200
    assert response.json() == {"revoked_sessions": 1}
    assert this_device.get("/api/v1/me/").status_code == 200
    assert other_device.get("/api/v1/me/").status_code == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert mail.outbox[-1].subject == "Your carbon_site password was changed"


def test_password_change_with_a_wrong_current_password_is_400(auth_client, user):
    response = auth_client.post(
        "/api/v1/me/password/", {"current_password": "wrong", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["current_password"]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


# --- Sessions ---------------------------------------------------------------------------------


def test_sessions_list_shows_active_devices_with_the_current_one_flagged(user):
    client = bearer_client(user)
    bearer_client(user)
    UserSessionFactory(user=user, revoked_at="2026-01-01T00:00:00Z")
    UserSessionFactory()  # someone else's
    response = client.get("/api/v1/me/sessions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["current"] for row in body["results"]].count(True) == 1
    row = body["results"][0]
    assert set(row) == {
        "uuid",
        "kind",
        "device_name",
        "user_agent",
        "ip_address",
        "created_at",
        "last_seen_at",
        "expires_at",
        "current",
    }


def test_revoking_a_session_ends_its_access_at_once(user):
    client = bearer_client(user)
    other = bearer_client(user)
    other_uuid = UserSession.objects.filter(user=user).order_by("-id").first().uuid
    response = client.delete(f"/api/v1/me/sessions/{other_uuid}/")
    assert response.status_code == 204
    assert other.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 200


def test_revoking_another_users_session_is_404_and_changes_nothing(auth_client):
    stranger_session = UserSessionFactory()
    response = auth_client.delete(f"/api/v1/me/sessions/{stranger_session.uuid}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    stranger_session.refresh_from_db()
    assert stranger_session.revoked_at is None


def test_revoke_others_keeps_only_the_current_session(user):
    client = bearer_client(user)
    others = [bearer_client(user) for _ in range(2)]
    response = client.post("/api/v1/me/sessions/revoke-others/")
    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    assert all(other.get("/api/v1/me/").status_code == 401 for other in others)
    assert client.get("/api/v1/me/").status_code == 200


def test_a_deactivated_users_tokens_stop_working(auth_client, user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert auth_client.get("/api/v1/me/").status_code == 401
