"""Signing up, confirming the address, signing in and out, through the pages."""

import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client, override_settings

from accounts.models import User, UserSession
from accounts.security_events import SESSION_UUID_KEY
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from carbon_site.http import RequestMeta
from footprints.models import CarbonFootprint
from footprints.services import footprint_record
from footprints.session_claims import session_claim_remember, session_claim_tokens

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]

NEW_PASSWORD = "a brand new passphrase 91"
ANSWERS = {
    "country": "GB",
    "household_size": 2,
    "electricity": {"kwh_per_year": 2700, "renewable_share": 0},
    "heating": {"natural_gas_kwh_per_year": 11500},
    "transportation": {"car_km_per_year": 11000, "car_fuel": "petrol"},
    "waste": {"kg_per_week": 8, "recycling_share": 0.4},
    "lifestyle": {"diet": "average"},
    "other": {"services_spend_per_month": 100},
}


@pytest.fixture
def site_url():
    with override_settings(SITE_URL="http://testserver"):
        yield


def link_path(message, prefix: str) -> str:
    match = re.search(rf"http://testserver({prefix}[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def keep_anonymous_results(client: Client, count: int) -> list[str]:
    """Record anonymous calculations and keep their claim tokens in this browser's session."""
    session = client.session
    holder = SimpleNamespace(session=session)
    uuids = []
    for _ in range(count):
        recorded = footprint_record(
            user=None, answers=ANSWERS, request_meta=RequestMeta("198.51.100.3", "pytest")
        )
        session_claim_remember(
            holder,
            calculation_uuid=recorded.footprint.calculation_uuid,
            claim_token=recorded.claim_token,
        )
        uuids.append(str(recorded.footprint.calculation_uuid))
    session.save()
    return uuids


def sign_up(client, django_capture_on_commit_callbacks, **answers):
    form = {"email": "sam@example.com", "username": "sam", "password": NEW_PASSWORD, **answers}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/signup/", form, follow=True)


def sign_in(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post("/accounts/login/", {"email": email, "password": password}, **extra)


# --- The pages themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/password-reset/",
        "/accounts/verify-email/resend/",
    ],
)
def test_each_page_has_a_title_one_h1_labelled_fields_and_no_inline_script_or_style(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>\S.*</title>", html)
    assert html.count("<h1") == 1
    for field_id in re.findall(r'<input [^>]*id="(id_\w+)"', html):
        assert f'<label for="{field_id}"' in html
    assert "<script>" not in html and "<script " not in html.replace('<script src="/static/', "")
    assert "style=" not in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/login/"])
def test_labels_read_as_plain_words_without_a_colon_like_every_form(client, url):
    labels = re.findall(r"<label for=\"id_\w+\">([^<]*)</label>", client.get(url).content.decode())
    assert "Email address" in labels
    assert not [label for label in labels if label.rstrip().endswith(":")]


# --- Sign up ----------------------------------------------------------------------------------


def test_sign_up_signs_in_unverified_says_check_your_inbox_and_emails_a_link(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    person = User.objects.get(email="sam@example.com")
    assert person.is_verified is False
    assert response.context["user"] == person
    assert any("Check your inbox" in text for text in shown_messages(response))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.com"]
    row = UserSession.objects.get(user=person)
    assert row.kind == UserSession.Kind.BROWSER
    assert row.session_key == client.session.session_key
    assert client.session[SESSION_UUID_KEY] == str(row.uuid)


def test_sign_up_with_a_taken_email_shows_the_error_next_to_the_field(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="sam@example.com")
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this email address already exists."
    ]
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'aria-invalid="true"' in html
    assert not mail.outbox


def test_sign_up_refuses_a_weak_password_next_to_the_field(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks, password="12345678")
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="sam@example.com").exists()


def test_sign_up_claims_the_anonymous_results_kept_in_this_browser(
    client, django_capture_on_commit_callbacks
):
    uuids = keep_anonymous_results(client, 2)
    response = sign_up(client, django_capture_on_commit_callbacks)
    person = User.objects.get(email="sam@example.com")
    claimed = CarbonFootprint.objects.filter(user=person).values_list("calculation_uuid", flat=True)
    assert {str(value) for value in claimed} == set(uuids)
    assert "We kept your 2 earlier results in your account." in shown_messages(response)
    assert session_claim_tokens(SimpleNamespace(session=client.session)) == {}


# --- Verification -----------------------------------------------------------------------------


def test_the_verification_link_leaves_the_url_at_once_then_verifies(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    link = link_path(mail.outbox[0], "/accounts/verify-email/")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    landing = client.get(link)
    assert landing.status_code == 302
    assert landing["Location"] == "/accounts/verify-email/confirm/"
    confirmed = client.get(landing["Location"], follow=True)
    assert User.objects.get(email="sam@example.com").is_verified is True
    assert any("is confirmed" in text for text in shown_messages(confirmed))
    assert token not in confirmed.content.decode()
    # Single use: the token left the session with the first visit.
    assert client.get("/accounts/verify-email/confirm/").status_code == 400


def test_a_forged_verification_link_shows_the_invalid_link_page(client):
    response = client.get("/accounts/verify-email/not-a-real-token/", follow=True)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert response.redirect_chain == [("/accounts/verify-email/confirm/", 302)]


def test_resend_answers_the_same_whatever_the_address(client, django_capture_on_commit_callbacks):
    UserFactory(email="pending@example.com", is_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(
            "/accounts/verify-email/resend/", {"email": "pending@example.com"}, follow=True
        )
        unknown = client.post(
            "/accounts/verify-email/resend/", {"email": "nobody@example.com"}, follow=True
        )
    assert shown_messages(known) == shown_messages(unknown)
    assert known.status_code == unknown.status_code == 200
    assert [message.to for message in mail.outbox] == [["pending@example.com"]]


# --- Sign in and out --------------------------------------------------------------------------


def test_sign_in_opens_a_browser_session_and_claims_the_anonymous_results(client):
    person = UserFactory()
    uuids = keep_anonymous_results(client, 1)
    response = sign_in(client, person.email, follow=True)
    assert response.context["user"] == person
    assert CarbonFootprint.objects.get(calculation_uuid=uuids[0]).user == person
    assert "We kept your 1 earlier result in your account." in shown_messages(response)
    row = UserSession.objects.get(user=person, kind=UserSession.Kind.BROWSER)
    assert client.session[SESSION_UUID_KEY] == str(row.uuid)
    assert row.session_key == client.session.session_key


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client):
    person = UserFactory()
    wrong = sign_in(client, person.email, "not the password")
    unknown = sign_in(client, "nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "The email address or password is not right." in wrong.content.decode()
    assert not UserSession.objects.exists()


@pytest.mark.parametrize(
    ("next_url", "destination"),
    [
        ("", "/dashboard/"),
        ("/accounts/devices/", "/accounts/devices/"),
        ("https://evil.example/", "/dashboard/"),
    ],
)
def test_sign_in_follows_next_only_on_this_site(client, next_url, destination):
    person = UserFactory()
    response = client.post(
        "/accounts/login/",
        {"email": person.email, "password": DEFAULT_PASSWORD, "next": next_url},
    )
    assert response["Location"] == destination


def test_a_page_that_needs_signing_in_sends_to_the_sign_in_page_with_next(client):
    response = client.get("/accounts/devices/")
    assert response["Location"] == "/accounts/login/?next=/accounts/devices/"
    assert 'value="/accounts/devices/"' in client.get(response["Location"]).content.decode()


def test_an_unverified_account_can_sign_in(client):
    person = UserFactory(is_verified=False)
    assert sign_in(client, person.email).status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


def test_sign_out_is_post_only_with_csrf_and_revokes_the_browser_session():
    person = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    browser.post(
        "/accounts/login/",
        {"email": person.email, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    row = UserSession.objects.get(user=person)
    assert browser.get("/accounts/logout/").status_code == 405
    assert browser.post("/accounts/logout/").status_code == 403  # no CSRF token
    token = browser.cookies["csrftoken"].value
    response = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert browser.get("/accounts/profile/").status_code == 302
