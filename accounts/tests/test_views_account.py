"""The signed-in pages (profile, password, devices), the forgotten-password pages, and the
middleware that keeps a browser session tied to its row in user_sessions."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User, UserSession
from accounts.security_events import SESSION_UUID_KEY
from accounts.services import BROWSER_LAST_SEEN_EVERY
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, UserSessionFactory
from conftest import bearer_client
from footprints.tests.test_views_calculator import page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]

NEW_PASSWORD = "a brand new passphrase 91"


@pytest.fixture
def site_url():
    with override_settings(SITE_URL="http://testserver"):
        yield


@pytest.fixture
def person():
    return UserFactory()


def browser_for(person, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0") -> Client:
    """A browser signed in through the sign-in page (so it has its user_sessions row)."""
    browser = Client(HTTP_USER_AGENT=user_agent)
    response = browser.post(
        "/accounts/login/", {"email": person.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, response.content
    return browser


def row_of(browser: Client) -> UserSession:
    return UserSession.objects.get(uuid=browser.session[SESSION_UUID_KEY])


def is_signed_in(browser: Client) -> bool:
    return browser.get("/accounts/profile/").status_code == 200


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def link_path(message, prefix: str) -> str:
    match = re.search(rf"http://testserver({prefix}[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


# --- Profile ----------------------------------------------------------------------------------


def test_profile_shows_the_account_and_its_preferences(person):
    browser = browser_for(person)
    response = browser.get("/accounts/profile/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["email"].value() == person.email
    assert form["household_size"].value() == 1
    assert form["units"].value() == "metric"
    html = response.content.decode()
    assert html.count("<h1") == 1 and "style=" not in html


def test_profile_saves_names_and_preferences(person):
    browser = browser_for(person)
    response = browser.post(
        "/accounts/profile/",
        {
            "first_name": "Robin",
            "last_name": "Ash",
            "username": person.username,
            "email": person.email,
            "country": "FR",
            "household_size": 3,
            "units": "imperial",
            "timezone": "Europe/Paris",
        },
        follow=True,
    )
    assert "Your profile is saved." in shown_messages(response)
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Robin", "Ash")
    assert (person.profile.country, person.profile.household_size) == ("FR", 3)
    assert (person.profile.units, person.profile.timezone) == ("imperial", "Europe/Paris")


def test_profile_errors_are_shown_next_to_their_field(person):
    browser = browser_for(person)
    other = UserFactory()
    response = browser.post(
        "/accounts/profile/",
        {
            "username": other.username,
            "email": person.email,
            "household_size": 0,
            "units": "metric",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "household_size" in errors
    html = response.content.decode()
    assert 'id="id_household_size_error"' in html
    # A taken username is a service rule: it is checked once the form itself is valid.
    response = browser.post(
        "/accounts/profile/",
        {
            "username": other.username,
            "email": person.email,
            "household_size": 2,
            "units": "metric",
            "timezone": "UTC",
        },
    )
    assert response.context["form"].errors["username"] == ["This username is taken."]


def test_an_email_change_waits_for_the_link_sent_to_the_new_address(
    person, django_capture_on_commit_callbacks
):
    browser = browser_for(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/accounts/profile/",
            {
                "username": person.username,
                "email": "new@example.com",
                "household_size": 1,
                "units": "metric",
                "timezone": "UTC",
            },
            follow=True,
        )
    person.refresh_from_db()
    assert person.pending_email == "new@example.com" and person.email != "new@example.com"
    assert any("new@example.com" in text for text in shown_messages(response))
    assert mail.outbox[-1].to == ["new@example.com"]
    browser.get(link_path(mail.outbox[-1], "/accounts/verify-email/"), follow=True)
    person.refresh_from_db()
    assert person.email == "new@example.com" and person.pending_email == ""


# --- Password change --------------------------------------------------------------------------


def test_changing_the_password_keeps_this_browser_and_ends_every_other_session(
    person, django_capture_on_commit_callbacks
):
    browser = browser_for(person)
    other_browser = browser_for(person, user_agent="Other browser")
    phone = bearer_client(person)
    this_row = row_of(browser)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/accounts/password/",
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_again": NEW_PASSWORD,
            },
            follow=True,
        )
    assert "Your password is changed. 2 other devices were signed out." in shown_messages(response)
    assert is_signed_in(browser)
    assert not is_signed_in(other_browser)
    assert phone.get("/api/v1/me/").status_code == 401
    this_row.refresh_from_db()
    assert this_row.revoked_at is None
    # The row follows the session to its new key, so revoking it still ends this browser.
    assert this_row.session_key == browser.session.session_key
    assert [message.subject for message in mail.outbox]  # the "password changed" notice


def test_a_wrong_current_password_is_shown_next_to_its_field(person):
    browser = browser_for(person)
    response = browser.post(
        "/accounts/password/",
        {
            "current_password": "not it",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.context["form"].errors["current_password"] == [
        "Your current password is not right."
    ]
    assert 'id="id_current_password_error"' in response.content.decode()


def test_the_two_new_passwords_must_match(person):
    browser = browser_for(person)
    response = browser.post(
        "/accounts/password/",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD + "x",
        },
    )
    assert "new_password_again" in response.context["form"].errors
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)


# --- Forgotten password -----------------------------------------------------------------------


def ask_for_a_reset(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/password-reset/", {"email": email}, follow=True)


def test_a_reset_request_answers_the_same_for_known_and_unknown_addresses(
    client, person, django_capture_on_commit_callbacks
):
    known = ask_for_a_reset(client, person.email, django_capture_on_commit_callbacks)
    unknown = ask_for_a_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert shown_messages(known) == shown_messages(unknown)
    assert [message.to for message in mail.outbox] == [[person.email]]


def test_the_reset_link_leaves_the_url_then_sets_the_password_and_ends_every_session(
    client, person, django_capture_on_commit_callbacks
):
    signed_in_elsewhere = browser_for(person)
    phone = bearer_client(person)
    ask_for_a_reset(client, person.email, django_capture_on_commit_callbacks)
    link = link_path(mail.outbox[0], "/accounts/password-reset/")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    landing = client.get(link)
    assert landing.status_code == 302
    assert landing["Location"] == "/accounts/password-reset/set-password/"
    form_page = client.get(landing["Location"])
    assert form_page.status_code == 200 and token not in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/accounts/password-reset/set-password/",
            {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
            follow=True,
        )
    assert done.redirect_chain[-1][0] == "/accounts/login/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert not is_signed_in(signed_in_elsewhere)
    assert phone.get("/api/v1/me/").status_code == 401
    # Single use.
    assert client.get(link, follow=True).status_code == 400
    assert client.post("/accounts/login/", {"email": person.email, "password": NEW_PASSWORD})[
        "Location"
    ] == ("/dashboard/")


def test_a_reset_in_a_browser_signed_in_as_that_person_signs_it_out_cleanly(
    person, django_capture_on_commit_callbacks
):
    browser = browser_for(person)
    ask_for_a_reset(browser, person.email, django_capture_on_commit_callbacks)
    browser.get(link_path(mail.outbox[0], "/accounts/password-reset/"))
    response = browser.post(
        "/accounts/password-reset/set-password/",
        {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not is_signed_in(browser)


def test_a_weak_new_password_is_refused_and_the_link_still_works(
    client, person, django_capture_on_commit_callbacks
):
    ask_for_a_reset(client, person.email, django_capture_on_commit_callbacks)
    client.get(link_path(mail.outbox[0], "/accounts/password-reset/"))
    response = client.post(
        "/accounts/password-reset/set-password/",
        {"new_password": "12345678", "new_password_again": "12345678"},
    )
    assert response.status_code == 200
    assert "new_password" in response.context["form"].errors
    assert client.get("/accounts/password-reset/set-password/").status_code == 200


def test_an_expired_reset_link_shows_the_invalid_link_page(
    client, person, django_capture_on_commit_callbacks
):
    ask_for_a_reset(client, person.email, django_capture_on_commit_callbacks)
    User.objects.filter(pk=person.pk).update(
        password_reset_expires=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(link_path(mail.outbox[0], "/accounts/password-reset/"), follow=True)
    assert response.status_code == 400
    assert "Ask for a new link" in response.content.decode()


# --- Devices ----------------------------------------------------------------------------------


def test_devices_lists_browsers_and_apps_and_marks_this_one(person):
    browser = browser_for(person)
    bearer_client(person)
    UserSessionFactory(user=person, revoked_at=timezone.now())  # not listed
    response = browser.get("/accounts/devices/")
    html = response.content.decode()
    assert len(response.context["sessions"]) == 2
    assert "This device" in page(response).text("devices-table")
    assert "pytest" in html and "Firefox" in html
    assert html.count('action="/accounts/devices/') == 3  # two revoke buttons and "all others"


def test_revoking_a_browser_session_signs_that_browser_out_on_its_next_request(person):
    mine = browser_for(person)
    theirs = browser_for(person, user_agent="Someone else's browser")
    assert is_signed_in(theirs)
    response = mine.post(f"/accounts/devices/{row_of(theirs).uuid}/revoke/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/devices/"
    assert not is_signed_in(theirs)
    assert is_signed_in(mine)


def test_revoking_this_browser_signs_it_out(person):
    browser = browser_for(person)
    response = browser.post(f"/accounts/devices/{row_of(browser).uuid}/revoke/")
    assert response["Location"] == "/accounts/login/"
    assert not is_signed_in(browser)


def test_revoking_an_app_session_stops_its_tokens(person):
    browser = browser_for(person)
    phone = bearer_client(person)
    api_row = UserSession.objects.get(user=person, kind=UserSession.Kind.API)
    browser.post(f"/accounts/devices/{api_row.uuid}/revoke/")
    assert phone.get("/api/v1/me/").status_code == 401


def test_signing_out_every_other_device_keeps_this_one(person):
    browser = browser_for(person)
    other = browser_for(person, user_agent="Other")
    phone = bearer_client(person)
    response = browser.post("/accounts/devices/revoke-others/", follow=True)
    assert "2 other devices were signed out." in shown_messages(response)
    assert is_signed_in(browser) and not is_signed_in(other)
    assert phone.get("/api/v1/me/").status_code == 401


def test_someone_elses_session_is_not_found_and_revoke_is_post_only(person):
    browser = browser_for(person)
    stranger = UserSessionFactory()
    assert browser.post(f"/accounts/devices/{stranger.uuid}/revoke/").status_code == 404
    stranger.refresh_from_db()
    assert stranger.revoked_at is None
    assert browser.get(f"/accounts/devices/{row_of(browser).uuid}/revoke/").status_code == 405


# --- The browser-session middleware -----------------------------------------------------------


def test_a_browser_whose_row_was_revoked_is_signed_out_even_if_its_session_survived(person):
    browser = browser_for(person)
    # Revoke the row only, as if the session store had been out of reach at that moment.
    UserSession.objects.filter(uuid=row_of(browser).uuid).update(revoked_at=timezone.now())
    response = browser.get("/accounts/profile/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "This device was signed out. Sign in again to continue." in shown_messages(response)


def test_last_seen_is_written_at_most_every_few_minutes_with_one_query_a_request(person):
    browser = browser_for(person)
    row = row_of(browser)
    with CaptureQueriesContext(connection) as queries:
        browser.get("/accounts/profile/")
    touching = [query["sql"] for query in queries if "user_sessions" in query["sql"]]
    assert len(touching) == 1 and touching[0].startswith("SELECT")
    seen_before = row.last_seen_at

    long_ago = timezone.now() - BROWSER_LAST_SEEN_EVERY - timedelta(seconds=1)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=long_ago)
    browser.get("/accounts/profile/")
    row.refresh_from_db()
    assert row.last_seen_at > seen_before


def test_sessions_without_a_row_are_left_alone(client, person):
    client.force_login(person)  # e.g. the admin's own sign-in page
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/profile/").status_code == 200
    assert not [query for query in queries if "user_sessions" in query["sql"]]
