"""Fixtures shared by every app's tests, and the database the run is on, said out loud."""

import uuid

import pytest
from django.conf import settings
from rest_framework.test import APIClient


def pytest_report_header(config) -> list[str]:
    database = settings.DATABASES["default"]
    cache = settings.CACHES["default"]["BACKEND"]
    return [f"database: {database['ENGINE']} ({database['NAME']}); cache: {cache}"]


def pytest_collection_modifyitems(config, items) -> None:
    vendor = "mysql" if "mysql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    for item in items:
        if vendor != "mysql" and item.get_closest_marker("mysql_only"):
            item.add_marker(pytest.mark.skip(reason="needs MySQL/MariaDB"))
        if vendor != "sqlite" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite only"))


@pytest.fixture(autouse=True)
def _fresh_cache_per_test(settings) -> None:
    """Each test starts with an empty cache (nothing cached by an earlier test, whose ids the
    database may reuse) and counts its own rate-limit attempts under a fresh key prefix, so runs
    sharing one Redis never add to each other's counters."""
    from django.core.cache import cache

    cache.clear()
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


def bearer_client(user) -> APIClient:
    """An API client signed in as `user` through a real device session."""
    from accounts.services import api_session_open
    from carbon_site.http import RequestMeta

    _, pair = api_session_open(
        user=user, device_name="pytest", request_meta=RequestMeta("127.0.0.1", "pytest")
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    client.refresh_token = pair.refresh
    return client


@pytest.fixture
def auth_client(user) -> APIClient:
    return bearer_client(user)
