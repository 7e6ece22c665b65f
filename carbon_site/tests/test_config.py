"""System configuration: defaults, the cache and its invalidation, validation, templates."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from carbon_site.config import (
    MaintenanceState,
    feature_enabled,
    feature_flags,
    maintenance_state,
    site_banner,
    site_setting,
    system_config_set,
)
from carbon_site.models import SystemConfig
from carbon_site.tests.factories import SystemConfigFactory

pytestmark = pytest.mark.django_db


# --- Defaults -------------------------------------------------------------------------------------


def test_every_feature_is_on_while_its_row_is_absent():
    assert feature_flags() == {
        "quick_mode": True,
        "anonymous_calculations": True,
        "signups_open": True,
    }


def test_maintenance_is_off_and_there_is_no_banner_while_their_rows_are_absent():
    assert maintenance_state() == MaintenanceState(enabled=False)
    assert site_banner() == ""
    assert site_setting("anything", "fallback") == "fallback"


def test_an_unknown_feature_name_is_a_programming_error():
    with pytest.raises(ValueError, match="quick-mode"):
        feature_enabled("quick-mode")


# --- Values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [False, {"enabled": False}])
def test_a_flag_row_switches_its_feature_off(value):
    SystemConfigFactory(key="quick_mode", value=value, is_feature_flag=True)
    assert feature_enabled("quick_mode") is False
    assert feature_enabled("signups_open") is True


def test_maintenance_state_reads_message_and_retry_after():
    SystemConfigFactory(
        key="maintenance",
        value={"enabled": True, "message": "Back at 10:00 UTC.", "retry_after_seconds": 120},
    )
    assert maintenance_state() == MaintenanceState(
        enabled=True, message="Back at 10:00 UTC.", retry_after_seconds=120
    )


def test_a_maintenance_row_without_message_uses_the_defaults():
    SystemConfigFactory(key="maintenance", value={"enabled": True})
    state = maintenance_state()
    assert state.enabled
    assert state.message
    assert state.retry_after_seconds == 600


# --- The cache ------------------------------------------------------------------------------------


def test_reads_come_from_the_cache_after_the_first(django_assert_num_queries):
    SystemConfigFactory(key="site_banner", value="Hello")
    with django_assert_num_queries(1):
        assert site_banner() == "Hello"
    with django_assert_num_queries(0):
        assert site_banner() == "Hello"
        assert feature_enabled("quick_mode")
        assert not maintenance_state().enabled


def test_system_config_set_is_seen_at_once_and_records_who(staff_user):
    assert feature_enabled("signups_open")  # cached: on
    row = system_config_set(key="signups_open", value=False, user=staff_user)
    assert feature_enabled("signups_open") is False
    assert (row.is_feature_flag, row.updated_by) == (True, staff_user)


def test_system_config_set_clears_the_cache_again_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        system_config_set(key="site_banner", value="Before")
        assert site_banner() == "Before"
        # A reader that loaded the rows before the commit could have cached them now.
        cache.set("system-config:v1", {"site_banner": "Stale"})
    for callback in callbacks:
        callback()
    assert site_banner() == "Before"


def test_system_config_set_refuses_a_value_of_the_wrong_shape():
    with pytest.raises(ValidationError):
        system_config_set(key="maintenance", value={"enabled": "yes"})
    with pytest.raises(ValidationError):
        system_config_set(key="quick_mode", value="off")
    assert not SystemConfig.objects.exists()


def test_a_cache_outage_falls_back_to_the_database(monkeypatch):
    SystemConfigFactory(key="anonymous_calculations", value=False)

    def unavailable(*args, **kwargs):
        raise RedisConnectionError("connection refused")

    monkeypatch.setattr(cache, "get", unavailable)
    monkeypatch.setattr(cache, "set", unavailable)
    assert feature_enabled("anonymous_calculations") is False


# --- Admin ----------------------------------------------------------------------------------------


def admin_form(key: str, value: str) -> dict:
    return {"key": key, "value": value, "description": "", "is_feature_flag": "on"}


def test_a_change_in_admin_is_seen_at_once(client, staff_user):
    row = SystemConfigFactory(key="quick_mode", value=True)
    assert feature_enabled("quick_mode")  # now cached
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:carbon_site_systemconfig_change", args=[row.pk]),
        admin_form("quick_mode", "false"),
    )
    assert response.status_code == 302, response.content
    assert feature_enabled("quick_mode") is False
    row.refresh_from_db()
    assert row.updated_by == staff_user


def test_a_row_deleted_in_admin_is_forgotten_at_once(client, staff_user):
    row = SystemConfigFactory(key="quick_mode", value=False)
    assert feature_enabled("quick_mode") is False
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:carbon_site_systemconfig_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert feature_enabled("quick_mode") is True


def test_admin_refuses_a_maintenance_value_of_the_wrong_shape(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:carbon_site_systemconfig_add"),
        admin_form("maintenance", '{"enabled": "yes"}'),
    )
    assert response.status_code == 200
    assert "Maintenance is" in response.content.decode()
    assert not SystemConfig.objects.exists()


# --- Templates ------------------------------------------------------------------------------------


def test_every_page_can_show_the_banner_and_the_flags(client):
    SystemConfigFactory(key="site_banner", value="Planned maintenance on Sunday.")
    SystemConfigFactory(key="quick_mode", value=False)
    response = client.get("/")
    assert response.status_code == 200
    assert str(response.context["site_banner"]) == "Planned maintenance on Sunday."
    assert response.context["features"]["quick_mode"] is False
    assert response.context["features"]["signups_open"] is True
