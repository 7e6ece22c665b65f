"""Sign-up, verification, tokens and password reset through the API, as a mobile app uses them."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import User, UserSession
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import bearer_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 91"


def link_token(message, path: str) -> str:
    match = re.search(rf"http://testserver{path}([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def sign_in(api_client, email: str, password: str = DEFAULT_PASSWORD, user_agent="", **answers):
    return api_client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password, **answers},
        format="json",
        HTTP_USER_AGENT=user_agent,
    )


# --- Registration -----------------------------------------------------------------------------


@override_settings(SITE_URL="http://testserver")
def test_register_answers_the_public_profile_and_emails_a_verification_link(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"email": "Sam@Example.com", "username": "sam", "password": NEW_PASSWORD},
        )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"uuid", "email", "username", "is_verified"}
    assert body["email"] == "sam@example.com"
    assert body["is_verified"] is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.com"]
    token = link_token(mail.outbox[0], "/accounts/verify-email/")
    stored = User.objects.get(email="sam@example.com")
    assert stored.email_verification_token != token  # only the hash is kept
    assert len(stored.email_verification_token) == 64
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.parametrize("field", ["email", "username"])
def test_register_with_a_taken_email_or_username_is_400_on_that_field(api_client, field):
    existing = UserFactory(email="taken@example.com", username="taken")
    answers = {"email": "new@example.com", "username": "newname", "password": NEW_PASSWORD}
    answers[field] = getattr(existing, field)
    response = api_client.post("/api/v1/auth/register/", answers)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert User.objects.count() == 1


def test_register_applies_the_password_validators(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "weak@example.com", "username": "weak", "password": "password"},
    )
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(email="weak@example.com").exists()


def test_register_refuses_fields_a_client_may_not_set(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {
            "email": "sneaky@example.com",
            "username": "sneaky",
            "password": NEW_PASSWORD,
            "is_staff": True,
            "is_verified": True,
        },
    )
    assert response.status_code == 400
    assert set(response.json()) == {"is_staff", "is_verified"}
    assert not User.objects.filter(email="sneaky@example.com").exists()


def test_a_body_that_is_not_a_json_object_is_400(api_client):
    response = api_client.post("/api/v1/auth/register/", [1, 2], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


# --- Verification -----------------------------------------------------------------------------


def register_and_get_token(api_client, capture) -> str:
    with capture(execute=True):
        api_client.post(
            "/api/v1/auth/register/",
            {"email": "v@example.com", "username": "v", "password": NEW_PASSWORD},
        )
    return link_token(mail.outbox[-1], "/accounts/verify-email/")


@override_settings(SITE_URL="http://testserver")
def test_verify_email_marks_the_account_verified_once(
    api_client, django_capture_on_commit_callbacks
):
    token = register_and_get_token(api_client, django_capture_on_commit_callbacks)
    response = api_client.post("/api/v1/auth/verify-email/", {"token": token})
    assert response.status_code == 200
    assert response.json()["is_verified"] is True
    again = api_client.post("/api/v1/auth/verify-email/", {"token": token})
    assert again.status_code == 400
    assert "token" in again.json()


@override_settings(SITE_URL="http://testserver")
def test_verify_email_after_48_hours_is_refused(api_client, django_capture_on_commit_callbacks):
    token = register_and_get_token(api_client, django_capture_on_commit_callbacks)
    User.objects.update(email_verification_sent_at=timezone.now() - timedelta(hours=49))
    response = api_client.post("/api/v1/auth/verify-email/", {"token": token})
    assert response.status_code == 400
    assert User.objects.get().is_verified is False


def test_a_forged_verification_token_is_refused(api_client):
    UserFactory(is_verified=False, email_verification_token="0" * 64)
    response = api_client.post("/api/v1/auth/verify-email/", {"token": "forged-token"})
    assert response.status_code == 400
    assert response.json() == {"token": ["This link is invalid or has expired. Ask for a new one."]}


def test_resend_answers_202_whatever_the_address(api_client, django_capture_on_commit_callbacks):
    UserFactory(email="pending@example.com", is_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post(
            "/api/v1/auth/verify-email/resend/", {"email": "pending@example.com"}
        )
        unknown = api_client.post("/api/v1/auth/verify-email/resend/", {"email": "no@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [message.to for message in mail.outbox] == [["pending@example.com"]]


# --- Tokens -----------------------------------------------------------------------------------


def test_sign_in_opens_a_device_session_and_answers_a_token_pair(api_client):
    person = UserFactory()
    response = sign_in(
        api_client, person.email, device_name="Sam's phone", user_agent="carbon-ios/2.0"
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    session = UserSession.objects.get(user=person)
    assert session.kind == "api"
    assert session.device_name == "Sam's phone"
    assert session.user_agent == "carbon-ios/2.0"
    assert session.ip_address == "127.0.0.1"
    assert session.expires_at > timezone.now() + timedelta(days=6)
    person.refresh_from_db()
    assert person.last_login is not None


def test_sign_in_derives_a_device_name_from_the_user_agent(api_client):
    person = UserFactory()
    agent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
    sign_in(api_client, person.email, user_agent=agent)
    assert UserSession.objects.get(user=person).device_name == "Chrome on Android"


def test_access_token_carries_uuids_and_never_the_integer_id(api_client):
    import jwt

    person = UserFactory()
    access = sign_in(api_client, person.email).json()["access"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["user_uuid"] == str(person.uuid)
    assert claims["session_uuid"] == str(UserSession.objects.get(user=person).uuid)
    assert str(person.pk) not in {str(value) for value in claims.values()}


@pytest.mark.parametrize(
    ("email", "password"),
    [("person@example.com", "wrong password 1"), ("nobody@example.com", DEFAULT_PASSWORD)],
)
def test_wrong_credentials_are_401_and_say_the_same_thing(api_client, email, password):
    UserFactory(email="person@example.com")
    response = sign_in(api_client, email, password)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The email address or password is not right.",
        "code": "invalid_credentials",
    }
    assert not UserSession.objects.exists()


def test_an_inactive_account_cannot_sign_in(api_client):
    person = UserFactory(is_active=False)
    assert sign_in(api_client, person.email).status_code == 401


def test_refresh_rotates_and_blacklists_the_old_token(api_client):
    person = UserFactory()
    first = sign_in(api_client, person.email).json()
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"]
    session = UserSession.objects.get(user=person)
    assert session.previous_refresh_jti is not None
    assert BlacklistedToken.objects.filter(token__jti=session.previous_refresh_jti).exists()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access']}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_a_rotated_out_token_inside_the_grace_window_is_401_token_rotated_without_harm(
    api_client,
):
    person = UserFactory()
    first = sign_in(api_client, person.email).json()
    second = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}).json()
    retry = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert retry.status_code == 401
    assert retry.json()["code"] == "token_rotated"
    # The newest token still works: nothing was revoked.
    assert UserSession.objects.get(user=person).revoked_at is None
    third = api_client.post("/api/v1/auth/token/refresh/", {"refresh": second["refresh"]})
    assert third.status_code == 200


def test_a_rotated_out_token_after_the_grace_window_revokes_the_session(api_client):
    person = UserFactory()
    first = sign_in(api_client, person.email).json()
    second = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}).json()
    UserSession.objects.update(rotated_at=timezone.now() - timedelta(seconds=31))
    reuse = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "session_revoked"
    assert UserSession.objects.get(user=person).revoked_at is not None
    # The thief's (or the owner's) newest pair is dead too.
    newest = api_client.post("/api/v1/auth/token/refresh/", {"refresh": second["refresh"]})
    assert newest.status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access']}")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_an_expired_or_forged_refresh_token_is_401(api_client, settings):
    from rest_framework_simplejwt.tokens import RefreshToken

    person = UserFactory()
    expired = RefreshToken()
    expired["user_uuid"] = str(person.uuid)
    expired["session_uuid"] = "00000000-0000-0000-0000-000000000000"
    expired.set_exp(lifetime=timedelta(seconds=-1))
    for token in (str(expired), "not.a.token", str(expired)[:-4] + "abcd"):
        response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": token})
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"


def test_an_access_token_is_not_accepted_as_a_refresh_token(api_client):
    person = UserFactory()
    pair = sign_in(api_client, person.email).json()
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["access"]})
    assert response.status_code == 401


@pytest.mark.mysql_only  # SQLite serialises writers by locking the database: no race to test
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_give_one_new_pair():
    """Two threads race to refresh the same token: exactly one wins, the other is told calmly."""
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    person = UserFactory()
    refresh = bearer_client(person).refresh_token
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def refresh_once():
        try:
            barrier.wait()
            answer = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh})
            statuses.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 401]
    assert UserSession.objects.get(user=person).revoked_at is None


@pytest.mark.mysql_only  # SQLite serialises writers by locking the database: no race to test
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ins_to_one_account_all_succeed():
    """Four devices sign in to one account at the same moment: four sessions, no deadlock."""
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    person = UserFactory()
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def sign_in_once():
        try:
            barrier.wait()
            statuses.append(sign_in(APIClient(), person.email).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert UserSession.objects.filter(user=person).count() == 4


def test_logout_revokes_the_session_and_its_access_token_at_once(api_client):
    person = UserFactory()
    pair = sign_in(api_client, person.email).json()
    response = api_client.post("/api/v1/auth/logout/", {"refresh": pair["refresh"]})
    assert response.status_code == 204
    assert UserSession.objects.get(user=person).revoked_at is not None
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    refused = api_client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "session_revoked"
    assert (
        api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}).status_code
        == 401
    )


def test_no_credentials_is_401_not_authenticated(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_sign_in_and_refresh_run_a_bounded_number_of_queries(
    api_client, django_assert_max_num_queries
):
    person = UserFactory()
    with django_assert_max_num_queries(12):
        pair = sign_in(api_client, person.email).json()
    with django_assert_max_num_queries(12):
        response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert response.status_code == 200


# --- Password reset ---------------------------------------------------------------------------


@override_settings(SITE_URL="http://testserver")
def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    api_client, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post("/api/v1/auth/password-reset/", {"email": "known@example.com"})
        unknown = api_client.post("/api/v1/auth/password-reset/", {"email": "nope@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [message.to for message in mail.outbox] == [["known@example.com"]]
    assert "http://testserver/accounts/password-reset/" in mail.outbox[0].body


def request_reset_token(api_client, capture, email: str) -> str:
    with capture(execute=True):
        api_client.post("/api/v1/auth/password-reset/", {"email": email})
    return link_token(mail.outbox[-1], "/accounts/password-reset/")


@override_settings(SITE_URL="http://testserver")
def test_password_reset_sets_the_password_once_and_signs_out_everywhere(
    api_client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="reset@example.com")
    signed_in = bearer_client(person)
    token = request_reset_token(api_client, django_capture_on_commit_callbacks, person.email)
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert signed_in.get("/api/v1/me/").status_code == 401
    assert sign_in(api_client, person.email, NEW_PASSWORD).status_code == 200
    again = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {"token": token, "new_password": "another one 77"}
    )
    assert again.status_code == 400
    assert "token" in again.json()


@override_settings(SITE_URL="http://testserver")
def test_password_reset_link_expires_after_an_hour(api_client, django_capture_on_commit_callbacks):
    person = UserFactory(email="late@example.com")
    token = request_reset_token(api_client, django_capture_on_commit_callbacks, person.email)
    User.objects.update(password_reset_expires=timezone.now() - timedelta(seconds=1))
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert sign_in(api_client, person.email).status_code == 200


@override_settings(SITE_URL="http://testserver")
def test_password_reset_with_a_weak_password_is_400_and_keeps_the_token(
    api_client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="weak@example.com")
    token = request_reset_token(api_client, django_capture_on_commit_callbacks, person.email)
    weak = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {"token": token, "new_password": "12345678"}
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()
    strong = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}
    )
    assert strong.status_code == 200
