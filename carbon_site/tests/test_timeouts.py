"""The statement time limit: web processes only, in the server's own dialect, a 503 when hit."""

import json
import os
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.http import JsonResponse
from django.test import override_settings
from django.urls import include, path

from carbon_site.db_timeouts import (
    statement_timeout_apply,
    statement_timeout_disable,
    statement_timeout_enable,
    statement_timeout_sql,
)
from carbon_site.tests.processes import python_run


def slow_query(request):
    """A query that takes two seconds, as a runaway report would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT SLEEP(2)")
        cursor.fetchone()
    return JsonResponse({"finished": True})


urlpatterns = [
    path("slow/", slow_query),
    path("api/v1/slow/", slow_query),
    path("", include("carbon_site.urls")),
]


def test_mariadb_limits_every_statement_in_seconds():
    assert (
        statement_timeout_sql(is_mariadb=True, timeout_ms=500)
        == "SET SESSION max_statement_time = 0.500"
    )


def test_mysql_limits_selects_in_milliseconds():
    assert (
        statement_timeout_sql(is_mariadb=False, timeout_ms=500)
        == "SET SESSION max_execution_time = 500"
    )


@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_sqlite_has_no_limit_to_set():
    assert statement_timeout_apply(connection, 500) is False


WEB_PROCESS_PROBE = """
import json, django
django.setup()
from carbon_site.db_timeouts import statement_timeout_enabled
before = statement_timeout_enabled()   # what manage.py, workers and migrations see
import carbon_site.wsgi                # what gunicorn and runserver load
print(json.dumps({"before": before, "after": statement_timeout_enabled()}))
"""


def test_only_the_wsgi_application_turns_the_limit_on():
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carbon_site.settings",
        "SECRET_KEY": "x" * 50,
        "IGNORE_DOTENV": "1",
    }
    completed = python_run("-c", WEB_PROCESS_PROBE, environment=environment)

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == {"before": False, "after": True}


# --- On MariaDB -----------------------------------------------------------------------------------


@pytest.fixture
def limited_connection(settings) -> Iterator[None]:
    """This test's connection limited as a web process's would be, and unlimited again after."""
    settings.DB_STATEMENT_TIMEOUT_MS = 500
    statement_timeout_apply(connection)
    try:
        yield
    finally:
        statement_timeout_apply(connection, 0)


@pytest.mark.mysql_only
@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_slow_page_query_is_stopped_and_answered_503(client, limited_connection):
    client.raise_request_exception = False

    response = client.get("/slow/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Back in a moment" in response.content.decode()


@pytest.mark.mysql_only
@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_slow_api_query_is_stopped_and_answered_503_unavailable(client, limited_connection):
    client.raise_request_exception = False

    response = client.get("/api/v1/slow/")

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    # The connection is still good for the next statement: no reconnect needed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.mysql_only
@pytest.mark.django_db
def test_each_new_connection_of_a_web_process_gets_the_limit(settings):
    settings.DB_STATEMENT_TIMEOUT_MS = 1500
    statement_timeout_enable()
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            if fresh.mysql_is_mariadb:
                cursor.execute("SELECT @@SESSION.max_statement_time")
                assert float(cursor.fetchone()[0]) == 1.5
            else:
                cursor.execute("SELECT @@SESSION.max_execution_time")
                assert int(cursor.fetchone()[0]) == 1500
    finally:
        fresh.close()
        statement_timeout_disable()
