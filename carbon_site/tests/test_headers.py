"""Security headers on pages and API answers: CSP without inline script, framing refused,
referrers kept in-house, CORS only for listed origins, HTTPS and secure cookies in production."""

import base64
import hashlib
import json
import os
import re

import pytest
from django.test import override_settings

from accounts.tests.factories import UserFactory
from carbon_site.tests.processes import python_run

pytestmark = pytest.mark.django_db

APP_ORIGIN = "https://app.carbon.example"


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def inline_scripts(html: str) -> list[str]:
    """Script elements that would run inline code (data blocks such as JSON are fine)."""
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]


def script_sources(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)


def assert_strict_headers(response) -> None:
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_pages_carry_a_strict_csp_and_the_other_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_headers(response)
    html = response.content.decode()
    assert not inline_scripts(html)
    assert "style=" not in html


def test_api_answers_carry_the_same_headers(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": "x@example.com", "password": "y"}, format="json"
    )
    assert response.status_code == 401
    assert_strict_headers(response)


def test_the_friendly_429_page_carries_them_too(client, settings):
    settings.RATELIMIT_SIGNIN_IP = "1/10m"
    for _ in range(2):
        response = client.post("/accounts/login/", {"email": "x@example.com", "password": "y"})
    assert response.status_code == 429
    assert_strict_headers(response)


# --- Swagger UI and the admin under the CSP ---------------------------------------------------


def test_swagger_ui_runs_only_scripts_from_our_own_origin(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert_strict_headers(response)
    html = response.content.decode()
    assert not inline_scripts(html)
    sources = script_sources(html)
    assert sources and all(
        source.startswith("/") and not source.startswith("//") for source in sources
    )
    init_script = next(source for source in sources if "script" in source.split("?", 1)[-1])
    answer = client.get(init_script.replace("&amp;", "&"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in answer.content.decode()
    for source in sources:
        if source.startswith("/static/"):
            served = client.get(source)
            served.close()  # a streamed file
            assert served.status_code == 200


def test_swagger_uis_one_inline_style_block_is_allowed_by_its_hash(client):
    """drf-spectacular's page ships one fixed <style>; the CSP allows exactly it."""
    response = client.get("/api/docs/")
    allowed = csp_directives(response)["style-src"]
    assert "'unsafe-inline'" not in allowed
    for block in re.findall(r"<style>(.*?)</style>", response.content.decode(), re.S):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_the_schema_is_fetched_from_our_own_origin(client):
    script = client.get("/api/docs/?script=").content.decode()
    assert '"/api/schema/"' in script
    assert "validatorUrl" in script and "null" in script


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/auditlog/logentry/",
        "/admin/password_change/",
    ],
)
def test_the_admin_still_renders_with_only_same_origin_scripts(client, staff_user, url):
    client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_headers(response)
    html = response.content.decode()
    assert not inline_scripts(html)
    assert all(source.startswith("/") for source in script_sources(html))
    assert "<style>" not in html


def test_the_admin_change_page_of_a_person_renders_under_the_csp(client, staff_user):
    person = UserFactory()
    client.force_login(staff_user)
    response = client.get(f"/admin/accounts/user/{person.pk}/change/")
    assert response.status_code == 200
    assert not inline_scripts(response.content.decode())


# --- CORS -------------------------------------------------------------------------------------


def preflight(api_client, origin: str, path: str = "/api/v1/auth/token/"):
    return api_client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


@override_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN])
def test_a_preflight_from_an_allowed_origin_is_answered_without_credentials(api_client):
    response = preflight(api_client, APP_ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN])
def test_a_preflight_from_another_origin_gets_no_cors_grant(api_client):
    response = preflight(api_client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN])
def test_pages_are_never_opened_to_other_origins(client):
    response = client.options(
        "/accounts/login/", HTTP_ORIGIN=APP_ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in response


# --- HTTPS ------------------------------------------------------------------------------------


def test_https_answers_carry_hsts_for_a_year_with_subdomains_and_preload(client):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_session_and_csrf_cookies_are_secure_and_the_session_cookie_http_only(client):
    person = UserFactory()
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"email": person.email, "password": "correct horse battery staple"},
    )
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert response.cookies["csrftoken"]["secure"]


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_when_enabled(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "frame": settings.X_FRAME_OPTIONS,
    "referrer": settings.SECURE_REFERRER_POLICY,
    "cors_credentials": settings.CORS_ALLOW_CREDENTIALS,
    "middleware": settings.MIDDLEWARE,
    "ratelimit_exception": settings.RATELIMIT_EXCEPTION_CLASS,
    "signin_ip": settings.RATELIMIT_SIGNIN_IP,
}))
"""


def production_settings(**environment: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEBUG", "SECURE_", "RATELIMIT_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(DJANGO_SETTINGS_MODULE="carbon_site.settings", SECRET_KEY="x" * 50, **environment)
    completed = python_run("-c", PROBE, environment=env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_production_enforces_https_hsts_and_secure_cookies():
    values = production_settings()
    assert values["ssl_redirect"] is True
    assert values["hsts"] == 31536000
    assert values["session_secure"] is True and values["csrf_secure"] is True
    assert values["frame"] == "DENY" and values["referrer"] == "same-origin"
    assert values["cors_credentials"] is False
    assert "csp.middleware.CSPMiddleware" in values["middleware"]
    assert values["ratelimit_exception"] == "carbon_site.ratelimits.RateLimited"


def test_debug_relaxes_https_for_local_development_and_limits_are_env_knobs():
    values = production_settings(DEBUG="1", RATELIMIT_SIGNIN_IP="5/m")
    assert values["ssl_redirect"] is False
    assert values["hsts"] == 0
    assert values["session_secure"] is False
    assert values["signin_ip"] == "5/m"


def test_the_browser_session_middleware_runs_after_authentication():
    middleware = production_settings()["middleware"]
    assert middleware.index("accounts.middleware.BrowserSessionMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
