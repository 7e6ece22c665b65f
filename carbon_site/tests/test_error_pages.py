"""Error pages in the site's style, the API's error shape under /api/, and never a traceback."""

import re

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, ProgrammingError
from django.template import loader
from django.test import override_settings
from django.urls import include, path

pytestmark = pytest.mark.django_db


def raise_permission_denied(request):
    raise PermissionDenied("internal reason nobody should see")


def raise_suspicious(request):
    raise SuspiciousOperation("internal reason nobody should see")


def raise_bug(request):
    raise ZeroDivisionError("internal reason nobody should see")


def raise_sql_bug(request):
    raise ProgrammingError(1054, "Unknown column 'secret_column' in 'field list'")


def raise_database_gone(request):
    raise OperationalError(2006, "MySQL server has gone away")


def raise_lock_timeout(request):
    raise OperationalError(1205, "Lock wait timeout exceeded; try restarting transaction")


def raise_sqlite_locked(request):
    raise OperationalError("database is locked")


_failing = [
    ("forbidden/", raise_permission_denied),
    ("suspicious/", raise_suspicious),
    ("bug/", raise_bug),
    ("sql-bug/", raise_sql_bug),
    ("gone/", raise_database_gone),
    ("lock/", raise_lock_timeout),
    ("locked/", raise_sqlite_locked),
]
urlpatterns = [
    *[path(route, view) for route, view in _failing],
    *[path(f"api/v1/{route}", view) for route, view in _failing],
    path("", include("carbon_site.urls")),
]
handler400 = "carbon_site.views.bad_request"
handler403 = "carbon_site.views.permission_denied"
handler404 = "carbon_site.views.page_not_found"
handler500 = "carbon_site.views.server_error"

uses_failing_views = override_settings(ROOT_URLCONF=__name__)


@pytest.fixture
def quiet_client(client):
    """A client that gets the answer a visitor would, instead of the view's exception."""
    client.raise_request_exception = False
    return client


def assert_site_page(response, heading: str) -> None:
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert 'href="/static/css/site.css"' in html
    assert "site-header" in html
    assert "internal reason" not in html
    assert "Traceback" not in html
    assert "<script" not in html
    assert not re.search(r"\sstyle=", html)


def test_unknown_page_is_the_site_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_site_page(response, "Page not found")


def test_unknown_api_address_is_404_in_the_api_shape(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@uses_failing_views
def test_permission_denied_is_the_site_403_without_the_internal_reason(quiet_client):
    response = quiet_client.get("/forbidden/")

    assert response.status_code == 403
    assert_site_page(response, "You cannot open this page")


@uses_failing_views
def test_permission_denied_under_api_is_json(quiet_client):
    response = quiet_client.get("/api/v1/forbidden/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@uses_failing_views
def test_a_suspicious_request_is_the_site_400(quiet_client):
    response = quiet_client.get("/suspicious/")

    assert response.status_code == 400
    assert_site_page(response, "This request could not be understood")


@uses_failing_views
def test_a_suspicious_api_request_is_400_json(quiet_client):
    response = quiet_client.get("/api/v1/suspicious/")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request.", "code": "bad_request"}


@uses_failing_views
def test_a_bug_is_the_site_500_without_a_traceback(quiet_client):
    response = quiet_client.get("/bug/")

    assert response.status_code == 500
    assert_site_page(response, "Something went wrong")


@uses_failing_views
def test_a_bug_under_api_is_500_json(quiet_client):
    response = quiet_client.get("/api/v1/bug/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "internal reason" not in response.content.decode()


@uses_failing_views
def test_an_sql_mistake_stays_a_500_since_retrying_would_not_help(quiet_client):
    response = quiet_client.get("/sql-bug/")

    assert response.status_code == 500
    assert "secret_column" not in response.content.decode()


@uses_failing_views
@pytest.mark.parametrize("route", ["gone/", "lock/", "locked/"])
def test_database_unavailable_is_the_503_page_with_retry_after(quiet_client, route):
    response = quiet_client.get(f"/{route}")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "no-cache" in response["Cache-Control"]
    assert_site_page(response, "Back in a moment")


@uses_failing_views
@pytest.mark.parametrize("route", ["gone/", "lock/"])
def test_database_unavailable_under_api_is_503_unavailable(quiet_client, route):
    response = quiet_client.get(f"/api/v1/{route}")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json() == {
        "detail": "The service is temporarily unavailable. Please try again in a moment.",
        "code": "unavailable",
    }


def test_database_unavailable_in_a_middleware_is_503_too(quiet_client, monkeypatch):
    """The session is read by a middleware, before any view: handler500 turns it into a 503."""
    from django.contrib.sessions.backends.db import SessionStore

    def unreachable(self):
        raise OperationalError(2003, "Can't connect to MySQL server on '10.0.0.5:3306'")

    monkeypatch.setattr(SessionStore, "load", unreachable)
    quiet_client.cookies["sessionid"] = "returning-visitor"

    page = quiet_client.get("/")
    api = quiet_client.get("/api/v1/no-such-thing/")

    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    assert_site_page(page, "Back in a moment")
    assert "10.0.0.5" not in page.content.decode()
    assert api.status_code == 503
    assert api.json()["code"] == "unavailable"


@pytest.mark.parametrize("name", ["400.html", "403.html", "404.html", "500.html", "503.html"])
def test_error_templates_render_without_a_request(name):
    html = loader.get_template(name).render()

    assert "<h1>" in html
    assert not re.search(r"\sstyle=", html)
    assert "<script" not in html


def test_the_500_page_stands_alone_so_a_broken_base_template_cannot_break_it():
    source = loader.get_template("500.html").template.source

    assert "{% extends" not in source
    assert "{% url" not in source
    assert "{% load" not in source
