"""Rate limits on signing in, signing up, password resets and verification resends.

Per client IP, every attempt counts; per account, only failed sign-ins count, and a successful
sign-in or a password reset clears them. Over a limit the API answers 429 `rate_limited` with
Retry-After, and the pages a friendly 429 page with Retry-After. The root conftest gives every
test its own counters.
"""

import re

import pytest
from django.core import mail
from django.test import RequestFactory, override_settings
from django_ratelimit.decorators import ratelimit

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from carbon_site.ratelimits import RateLimited

pytestmark = pytest.mark.django_db

WRONG = "not the password"


def api_sign_in(api_client, email, password=WRONG, ip="198.51.100.20"):
    return api_client.post(
        "/api/v1/auth/token/", {"email": email, "password": password}, REMOTE_ADDR=ip
    )


def page_sign_in(client, email, password=WRONG, ip="198.51.100.20"):
    return client.post("/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def assert_api_limited(response) -> None:
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60 * 60  # the longest window in use


# --- Sign-in: per IP and per account ----------------------------------------------------------


def test_thirty_wrong_passwords_in_a_row_from_one_ip_meet_a_429(api_client):
    person = UserFactory()
    statuses = [api_sign_in(api_client, person.email).status_code for _ in range(30)]
    assert 429 in statuses
    assert statuses[-1] == 429
    assert statuses[0] == 401


def test_thirty_wrong_passwords_from_thirty_ips_on_one_account_meet_a_429(api_client):
    person = UserFactory()
    answers = [api_sign_in(api_client, person.email, ip=f"203.0.113.{n}") for n in range(1, 31)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:10] == [401] * 10  # RATELIMIT_SIGNIN_ACCOUNT: 10 failures in 15 minutes
    assert set(statuses[10:]) == {429}
    assert_api_limited(answers[-1])


def test_guessing_many_accounts_from_one_ip_meets_the_ip_limit(api_client):
    answers = [api_sign_in(api_client, f"person{n}@example.com") for n in range(21)]
    assert [answer.status_code for answer in answers[:20]] == [401] * 20
    assert_api_limited(answers[20])
    # Another address is not held back by this one's attempts.
    assert api_sign_in(api_client, "someone@example.com", ip="198.51.100.99").status_code == 401


def test_an_account_limited_sign_in_refuses_even_the_right_password(api_client, settings):
    settings.RATELIMIT_SIGNIN_ACCOUNT = "3/15m"
    person = UserFactory()
    for n in range(3):
        api_sign_in(api_client, person.email, ip=f"203.0.113.{n}")
    assert_api_limited(api_sign_in(api_client, person.email, DEFAULT_PASSWORD, ip="192.0.2.1"))


def test_only_failures_count_against_an_account(api_client, settings):
    settings.RATELIMIT_SIGNIN_ACCOUNT = "3/15m"
    person = UserFactory()
    for n in range(6):
        ok = api_sign_in(api_client, person.email, DEFAULT_PASSWORD, ip=f"203.0.113.{n}")
        assert ok.status_code == 200


def test_a_successful_sign_in_clears_the_accounts_failures(api_client, settings):
    settings.RATELIMIT_SIGNIN_ACCOUNT = "3/15m"
    person = UserFactory()
    for _ in range(2):
        assert api_sign_in(api_client, person.email).status_code == 401
    assert api_sign_in(api_client, person.email, DEFAULT_PASSWORD).status_code == 200
    for _ in range(3):
        assert api_sign_in(api_client, person.email).status_code == 401
    assert api_sign_in(api_client, person.email).status_code == 429


@override_settings(SITE_URL="http://testserver")
def test_a_password_reset_clears_the_accounts_failures(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.RATELIMIT_SIGNIN_ACCOUNT = "3/15m"
    person = UserFactory()
    for n in range(3):
        api_sign_in(api_client, person.email, ip=f"203.0.113.{n}")
    assert api_sign_in(api_client, person.email, DEFAULT_PASSWORD).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/password-reset/", {"email": person.email})
    token = re.search(r"/accounts/password-reset/([\w-]+)/", mail.outbox[-1].body).group(1)
    new_password = "a brand new passphrase 91"
    confirmed = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {"token": token, "new_password": new_password}
    )
    assert confirmed.status_code == 200
    assert api_sign_in(api_client, person.email, new_password).status_code == 200


def test_an_unknown_address_meets_the_same_account_limit(api_client, settings):
    """A 429 tells nothing about whether an address has an account."""
    settings.RATELIMIT_SIGNIN_ACCOUNT = "3/15m"
    UserFactory(email="known@example.com")
    for email in ("known@example.com", "unknown@example.com"):
        statuses = [
            api_sign_in(api_client, email, ip=f"203.0.113.{n}").status_code for n in range(4)
        ]
        assert statuses == [401, 401, 401, 429]


def test_the_account_key_is_the_normalised_email(api_client, settings):
    settings.RATELIMIT_SIGNIN_ACCOUNT = "2/15m"
    person = UserFactory(email="sam@example.com")
    api_sign_in(api_client, "Sam@Example.com", ip="203.0.113.1")
    api_sign_in(api_client, " SAM@example.COM", ip="203.0.113.2")
    assert api_sign_in(api_client, person.email, DEFAULT_PASSWORD).status_code == 429


def test_pages_and_the_api_share_the_counters(client, api_client, settings):
    settings.RATELIMIT_SIGNIN_ACCOUNT = "2/15m"
    person = UserFactory()
    page_sign_in(client, person.email)
    api_sign_in(api_client, person.email)
    assert page_sign_in(client, person.email, DEFAULT_PASSWORD).status_code == 429


# --- The friendly page ------------------------------------------------------------------------


def test_a_page_over_the_limit_gets_a_friendly_429_page_with_retry_after(client, settings):
    settings.RATELIMIT_SIGNIN_IP = "2/10m"
    for n in range(2):
        assert page_sign_in(client, f"person{n}@example.com").status_code == 200
    response = page_sign_in(client, "person9@example.com")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 600
    assert response.templates[0].name == "carbon_site/rate_limited.html"
    html = response.content.decode()
    assert html.count("<h1") == 1 and "Please wait a moment" in html
    # Showing the form costs nothing: only attempts count.
    assert client.get("/accounts/login/", REMOTE_ADDR="198.51.100.20").status_code == 200


# --- Sign-up, resets and resends, per IP, on pages and API ------------------------------------


LIMITED_FORMS = [
    ("RATELIMIT_SIGNUP_IP", "/api/v1/auth/register/", "/accounts/signup/"),
    ("RATELIMIT_PASSWORD_RESET_IP", "/api/v1/auth/password-reset/", "/accounts/password-reset/"),
    (
        "RATELIMIT_VERIFICATION_RESEND_IP",
        "/api/v1/auth/verify-email/resend/",
        "/accounts/verify-email/resend/",
    ),
]


@pytest.mark.parametrize(("setting", "api_path", "page_path"), LIMITED_FORMS)
def test_each_account_form_is_limited_per_ip_on_the_api(
    api_client, settings, setting, api_path, page_path
):
    setattr(settings, setting, "3/h")
    answers = [
        api_client.post(api_path, {"email": "x@example.com"}, REMOTE_ADDR="198.51.100.7")
        for _ in range(4)
    ]
    assert all(answer.status_code != 429 for answer in answers[:3])
    assert_api_limited(answers[3])
    other_ip = api_client.post(api_path, {"email": "x@example.com"}, REMOTE_ADDR="198.51.100.8")
    assert other_ip.status_code != 429


@pytest.mark.parametrize(("setting", "api_path", "page_path"), LIMITED_FORMS)
def test_each_account_form_is_limited_per_ip_on_the_pages(
    client, settings, setting, api_path, page_path
):
    setattr(settings, setting, "3/h")
    answers = [
        client.post(page_path, {"email": "x@example.com"}, REMOTE_ADDR="198.51.100.7")
        for _ in range(4)
    ]
    assert all(answer.status_code != 429 for answer in answers[:3])
    assert answers[3].status_code == 429
    assert int(answers[3]["Retry-After"]) >= 1


def test_the_default_limits_allow_a_normal_sign_up(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"email": "new@example.com", "username": "new", "password": "a long passphrase 7"},
        )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()


# --- Addresses, switches and the exception class ----------------------------------------------


def test_ipv6_clients_are_counted_by_their_64_network(api_client, settings):
    settings.RATELIMIT_SIGNIN_IP = "2/10m"
    api_sign_in(api_client, "a@example.com", ip="2001:db8:1:2::1")
    api_sign_in(api_client, "b@example.com", ip="2001:db8:1:2::ffff")
    assert api_sign_in(api_client, "c@example.com", ip="2001:db8:1:2::abcd").status_code == 429
    assert api_sign_in(api_client, "d@example.com", ip="2001:db8:1:3::1").status_code == 401


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(api_client, settings):
    settings.RATELIMIT_SIGNIN_IP = "2/10m"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(2):
        api_client.post(
            "/api/v1/auth/token/",
            {"email": f"p{n}@example.com", "password": WRONG},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    # Two different clients behind our proxy: neither is over its limit.
    third = api_client.post(
        "/api/v1/auth/token/",
        {"email": "p3@example.com", "password": WRONG},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.0",
    )
    assert third.status_code == 401
    # A client cannot dodge its limit by writing its own X-Forwarded-For.
    for n in range(3):
        spoofed = api_client.post(
            "/api/v1/auth/token/",
            {"email": f"q{n}@example.com", "password": WRONG},
            REMOTE_ADDR="198.51.100.50",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert spoofed.status_code == 429


def test_ratelimit_enable_off_turns_every_limit_off(api_client, settings):
    settings.RATELIMIT_ENABLE = False
    settings.RATELIMIT_SIGNIN_IP = "1/10m"
    settings.RATELIMIT_SIGNIN_ACCOUNT = "1/10m"
    person = UserFactory()
    for _ in range(3):
        assert api_sign_in(api_client, person.email).status_code == 401
    assert api_sign_in(api_client, person.email, DEFAULT_PASSWORD).status_code == 200


def test_django_ratelimits_own_decorator_raises_our_exception_not_a_403():
    @ratelimit(key="ip", rate="1/m", group="pytest.decorator")
    def view(request):
        return "ok"

    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.77")
    assert view(request) == "ok"
    with pytest.raises(RateLimited) as refusal:
        view(request)
    assert refusal.value.status_code == 429
    assert refusal.value.retry_after >= 1
