"""Security events in the audit log: one entry per event, with who, from where and which
session, the actor named even on JWT requests, filterable by staff, and never a secret."""

import json
import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client, override_settings

from accounts.models import UserSession
from accounts.security_events import SESSION_UUID_KEY, SecurityEvent
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import bearer_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 91"
AGENT = "carbon_site-ios/2.1 (iPhone)"
IP = "198.51.100.23"


def events(event: SecurityEvent) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__event=event)
    )


def only_event(event: SecurityEvent) -> LogEntry:
    found = events(event)
    assert len(found) == 1, found
    return found[0]


def assert_no_secret_in_the_audit_log(*secrets: str) -> None:
    dumped = json.dumps(
        list(LogEntry.objects.values("changes", "additional_data", "object_repr")), default=str
    )
    for secret in secrets:
        assert secret not in dumped


def api_sign_in(api_client, email, password=DEFAULT_PASSWORD):
    return api_client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        REMOTE_ADDR=IP,
        HTTP_USER_AGENT=AGENT,
    )


# --- Signing in and out -----------------------------------------------------------------------


def test_an_api_sign_in_is_recorded_with_its_actor_address_browser_and_session(api_client):
    person = UserFactory()
    pair = api_sign_in(api_client, person.email).json()
    entry = only_event(SecurityEvent.SIGNIN_SUCCEEDED)
    session = UserSession.objects.get(user=person)
    assert entry.actor == person
    assert entry.object_pk == str(person.pk)
    assert entry.additional_data == {
        "event": "signin_succeeded",
        "ip": IP,
        "user_agent": AGENT,
        "session": str(session.uuid),
    }
    assert_no_secret_in_the_audit_log(DEFAULT_PASSWORD, pair["access"], pair["refresh"])


def test_a_failed_sign_in_is_recorded_without_actor_password_or_the_typed_email(api_client):
    person = UserFactory()
    api_sign_in(api_client, person.email, "a wrong guess 1")
    api_sign_in(api_client, "stranger@example.com", "a wrong guess 2")
    known, unknown = sorted(
        events(SecurityEvent.SIGNIN_FAILED), key=lambda entry: entry.object_pk, reverse=True
    )
    assert known.object_pk == str(person.pk) and known.actor is None
    assert unknown.object_pk == "" and unknown.actor is None
    assert unknown.additional_data["ip"] == IP
    assert_no_secret_in_the_audit_log("a wrong guess", "stranger@example.com")


def test_a_page_sign_in_and_sign_out_are_recorded_with_the_browser_session(client):
    person = UserFactory()
    client.post(
        "/accounts/login/",
        {"email": person.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=IP,
        HTTP_USER_AGENT=AGENT,
    )
    session_uuid = client.session[SESSION_UUID_KEY]
    signed_in = only_event(SecurityEvent.SIGNIN_SUCCEEDED)
    assert signed_in.actor == person
    assert signed_in.additional_data["session"] == session_uuid
    client.post("/accounts/logout/", REMOTE_ADDR=IP)
    signed_out = only_event(SecurityEvent.LOGOUT)
    assert signed_out.actor == person
    assert signed_out.additional_data["session"] == session_uuid
    assert_no_secret_in_the_audit_log(DEFAULT_PASSWORD)


def test_an_api_logout_is_recorded_with_its_actor(api_client):
    person = UserFactory()
    pair = api_sign_in(api_client, person.email).json()
    api_client.post("/api/v1/auth/logout/", {"refresh": pair["refresh"]})
    entry = only_event(SecurityEvent.LOGOUT)
    assert entry.actor == person
    assert entry.additional_data["session"] == str(UserSession.objects.get(user=person).uuid)
    assert_no_secret_in_the_audit_log(pair["refresh"])


# --- Passwords and email ----------------------------------------------------------------------


def test_a_password_change_over_jwt_names_the_actor(django_capture_on_commit_callbacks):
    person = UserFactory()
    phone = bearer_client(person)
    bearer_client(person)  # another device, signed out by the change
    with django_capture_on_commit_callbacks(execute=True):
        response = phone.post(
            "/api/v1/me/password/",
            {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
            HTTP_USER_AGENT=AGENT,
        )
    assert response.status_code == 200
    entry = only_event(SecurityEvent.PASSWORD_CHANGED)
    assert entry.actor == person
    assert entry.additional_data["signed_out_devices"] == 1
    assert entry.additional_data["session"] is not None
    assert_no_secret_in_the_audit_log(DEFAULT_PASSWORD, NEW_PASSWORD)


def test_a_password_change_on_the_page_is_recorded(client):
    person = UserFactory()
    client.post("/accounts/login/", {"email": person.email, "password": DEFAULT_PASSWORD})
    client.post(
        "/accounts/password/",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    entry = only_event(SecurityEvent.PASSWORD_CHANGED)
    assert entry.actor == person
    assert entry.additional_data["session"] == client.session[SESSION_UUID_KEY]
    assert_no_secret_in_the_audit_log(DEFAULT_PASSWORD, NEW_PASSWORD)


@override_settings(SITE_URL="http://testserver")
def test_a_password_reset_is_recorded_without_its_token(client, django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": person.email})
    link = re.search(r"http://testserver(/accounts/password-reset/([\w-]+)/)", mail.outbox[0].body)
    client.get(link.group(1))
    client.post(
        "/accounts/password-reset/set-password/",
        {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    entry = only_event(SecurityEvent.PASSWORD_RESET)
    assert entry.actor == person and entry.object_pk == str(person.pk)
    assert_no_secret_in_the_audit_log(link.group(2), NEW_PASSWORD)


@override_settings(SITE_URL="http://testserver")
def test_an_email_verification_is_recorded_on_the_page_and_the_api(
    client, api_client, django_capture_on_commit_callbacks
):
    first, second = UserFactory(is_verified=False), UserFactory(is_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        for person in (first, second):
            api_client.post("/api/v1/auth/verify-email/resend/", {"email": person.email})
    tokens = [
        re.search(r"/accounts/verify-email/([\w-]+)/", message.body).group(1)
        for message in mail.outbox
    ]
    client.get(f"/accounts/verify-email/{tokens[0]}/", follow=True)
    api_client.post("/api/v1/auth/verify-email/", {"token": tokens[1]})
    recorded = events(SecurityEvent.EMAIL_VERIFIED)
    assert {entry.actor for entry in recorded} == {first, second}
    assert_no_secret_in_the_audit_log(*tokens)


# --- Sessions ---------------------------------------------------------------------------------


def test_revoking_a_session_over_jwt_names_the_actor_and_the_session(api_client):
    person = UserFactory()
    phone = bearer_client(person)
    bearer_client(person)
    other = UserSession.objects.filter(user=person).order_by("-id").first()
    assert phone.delete(f"/api/v1/me/sessions/{other.uuid}/").status_code == 204
    entry = only_event(SecurityEvent.SESSION_REVOKED)
    assert entry.actor == person
    assert entry.additional_data["revoked_session"] == str(other.uuid)
    assert entry.additional_data["session"] != str(other.uuid)


def test_revoking_a_device_on_the_page_is_recorded(client):
    person = UserFactory()
    client.post("/accounts/login/", {"email": person.email, "password": DEFAULT_PASSWORD})
    bearer_client(person)
    api_row = UserSession.objects.get(user=person, kind=UserSession.Kind.API)
    client.post(f"/accounts/devices/{api_row.uuid}/revoke/")
    entry = only_event(SecurityEvent.SESSION_REVOKED)
    assert entry.actor == person
    assert entry.additional_data["revoked_session"] == str(api_row.uuid)


# --- Rate limits ------------------------------------------------------------------------------


def test_a_rate_limit_hit_is_recorded_once_per_window_not_once_per_refusal(api_client, settings):
    settings.RATELIMIT_SIGNIN_ACCOUNT = "2/15m"
    person = UserFactory()
    for _ in range(6):
        api_sign_in(api_client, person.email, "wrong")
    entry = only_event(SecurityEvent.RATE_LIMITED)
    assert entry.additional_data["limit"] == "accounts.signin.account"
    assert entry.object_pk == str(person.pk)
    assert entry.actor is None


def test_an_ip_rate_limit_hit_on_a_page_is_recorded(client, settings):
    settings.RATELIMIT_PASSWORD_RESET_IP = "1/h"
    for _ in range(3):
        client.post("/accounts/password-reset/", {"email": "x@example.com"}, REMOTE_ADDR=IP)
    entry = only_event(SecurityEvent.RATE_LIMITED)
    assert entry.additional_data["limit"] == "accounts.password_reset.ip"
    assert entry.additional_data["ip"] == IP
    assert entry.object_repr == "(no account)"


# --- Staff see them -----------------------------------------


def test_staff_filter_security_events_by_event_in_the_admin(api_client, staff_user):
    person = UserFactory()
    api_sign_in(api_client, person.email)
    api_sign_in(api_client, person.email, "wrong")
    staff = Client()
    staff.force_login(staff_user)
    listing = staff.get("/admin/auditlog/logentry/", {"security_event": "signin_failed"})
    assert listing.status_code == 200
    shown = list(listing.context["cl"].result_list)
    assert [entry.additional_data["event"] for entry in shown] == ["signin_failed"]
    assert "signin_failed" in listing.content.decode()
    detail = staff.get(f"/admin/auditlog/logentry/{shown[0].pk}/change/")
    assert detail.status_code == 200
    assert IP in detail.content.decode()


def test_people_without_staff_rights_cannot_see_the_audit_log(client):
    client.force_login(UserFactory())
    assert client.get("/admin/auditlog/logentry/").status_code == 302
