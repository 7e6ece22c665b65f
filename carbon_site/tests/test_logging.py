"""One JSON line per request, with its request id and nothing secret in it."""

import io
import json
import logging
import logging.config
import uuid
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import include, path

from carbon_site.logging import logging_config

pytestmark = pytest.mark.django_db


def raise_bug(request):
    raise ZeroDivisionError("the bug")


def raise_forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("bug/", raise_bug),
    path("forbidden/", raise_forbidden),
    path("", include("carbon_site.urls")),
]


class Lines:
    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def requests(self) -> list[dict]:
        return [line for line in self.all() if line["logger"] == "carbon_site.request"]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """The production logging configuration (JSON lines), written to a buffer for the test."""
    stream = io.StringIO()
    config = logging_config(json_lines=True, level="INFO")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        yield Lines(stream)
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)


def test_each_request_is_one_json_line_with_its_fields(client, log_lines):
    response = client.get("/methodology/?page=2")

    [line] = log_lines.requests()
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/methodology/?page=2"
    assert line["status"] == 200
    assert line["view"] == "methodology"
    assert line["duration_ms"] >= 0
    assert line["user"] is None
    assert line["request_id"] == response["X-Request-ID"]
    assert line["time"]


def test_a_signed_in_user_is_logged_by_uuid_never_by_email(client, log_lines, user):
    client.force_login(user)

    client.get("/methodology/")

    [line] = log_lines.requests()
    assert line["user"] == str(user.uuid)
    assert user.email not in json.dumps(log_lines.all())


def test_a_well_formed_incoming_request_id_is_kept_and_echoed(client, log_lines):
    response = client.get("/methodology/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")

    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"
    assert log_lines.requests()[0]["request_id"] == "lb-7f3a9c2e-0001"


@pytest.mark.parametrize("incoming", ["short", "has spaces in it", "x" * 200, "evil\nline-0001"])
def test_a_malformed_incoming_request_id_is_replaced(client, log_lines, incoming):
    response = client.get("/methodology/", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] != incoming
    assert uuid.UUID(response["X-Request-ID"])


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/verify-email/SECRETTOKEN123/",
        "/accounts/password-reset/SECRETTOKEN123/",
        "/accounts/verify-email/SECRETTOKEN123/extra/",  # does not resolve: a 404, still redacted
    ],
)
def test_tokens_in_paths_never_reach_the_log(client, log_lines, path):
    client.get(path)

    everything = json.dumps(log_lines.all())
    assert "SECRETTOKEN123" not in everything
    [line] = log_lines.requests()
    assert "<redacted>" in line["path"]


def test_secret_query_parameters_are_redacted_and_others_kept(client, log_lines):
    client.get("/methodology/?claim_token=SECRETTOKEN123&email=sam@example.com&page=3")

    [line] = log_lines.requests()
    assert "SECRETTOKEN123" not in json.dumps(log_lines.all())
    assert "sam@example.com" not in json.dumps(log_lines.all())
    assert "page=3" in line["path"]
    assert "claim_token=<redacted>" in line["path"]


def test_a_404_is_said_once_not_twice(client, log_lines):
    client.get("/no-such-page/")

    lines = log_lines.all()
    assert [line["status"] for line in log_lines.requests()] == [404]
    assert not [line for line in lines if line["logger"] == "django.request"]


@override_settings(ROOT_URLCONF=__name__)
def test_a_403_from_an_exception_is_not_logged_with_a_traceback(client, log_lines):
    client.get("/forbidden/")

    assert [line["status"] for line in log_lines.requests()] == [403]
    assert not [line for line in log_lines.all() if "exc_info" in line]


@override_settings(ROOT_URLCONF=__name__)
def test_an_unhandled_error_keeps_its_traceback_with_the_request_id(client, log_lines):
    client.raise_request_exception = False

    response = client.get("/bug/")

    assert response.status_code == 500
    [error] = [line for line in log_lines.all() if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert "ZeroDivisionError: the bug" in error["exc_info"]
    assert error["request_id"] == response["X-Request-ID"]
    assert "request" not in error  # Django's request object, whose repr shows the raw path
    [line] = log_lines.requests()
    assert line["level"] == "ERROR"
    assert line["status"] == 500


def test_log_lines_outside_a_request_have_no_request_id(log_lines):
    logging.getLogger("carbon_site.tests").warning("outside")

    [line] = [line for line in log_lines.all() if line["message"] == "outside"]
    assert line["request_id"] == "-"


def test_debug_logs_are_readable_text():
    config = logging_config(json_lines=False, level="DEBUG")

    assert config["handlers"]["console"]["formatter"] == "text"
    assert "%(request_id)s" in config["formatters"]["text"]["format"]
