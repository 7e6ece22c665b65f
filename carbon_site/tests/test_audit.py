"""The audit log: every model tracked, the actor named, secrets and personal metadata left out."""

import pytest
from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from accounts.models import User, UserSession
from accounts.services import api_session_open
from accounts.tests.factories import UserFactory, UserProfileFactory, UserSessionFactory
from carbon_site.http import RequestMeta
from footprints.models import CarbonFootprint
from footprints.tests.factories import CarbonFootprintFactory

pytestmark = pytest.mark.django_db


# Derived data, recomputed from tracked tables: logging it would only repeat them.
UNTRACKED_BY_DESIGN = {"daily_calculation_summary", "action_rate_summary"}


def test_every_project_model_is_tracked():
    for app_label in ("accounts", "carbon_site", "footprints", "goals", "recommendations"):
        for model in apps.get_app_config(app_label).get_models():
            if not model._meta.managed or model._meta.db_table in UNTRACKED_BY_DESIGN:
                continue  # SQL views and summaries hold no data of their own
            assert auditlog.contains(model), model


def entry_for(instance) -> LogEntry:
    return LogEntry.objects.get_for_object(instance).order_by("-timestamp").first()


def test_passwords_tokens_and_last_login_are_never_logged():
    person = UserFactory()
    person.set_password("a different passphrase 7")
    person.email_verification_token = "e" * 64
    person.password_reset_token = "r" * 64
    person.first_name = "Robin"
    person.save()
    changes = entry_for(person).changes_dict
    assert "first_name" in changes
    for secret_field in ("password", "email_verification_token", "password_reset_token"):
        assert secret_field not in changes
    for entry in LogEntry.objects.get_for_object(person):
        assert "e" * 64 not in str(entry.changes)


def test_footprint_request_metadata_and_claim_token_are_not_logged():
    footprint = CarbonFootprintFactory(claim_token_hash="c" * 64, ip_address="192.0.2.55")
    changes = entry_for(footprint).changes_dict
    assert "total_emissions" in changes
    for personal_field in ("input_data", "ip_address", "user_agent", "claim_token_hash"):
        assert personal_field not in changes


def test_a_calculation_is_not_copied_into_the_log_but_its_claim_is_with_the_actor(user):
    """The row records its own making; a change of owner is in the log, by whom it was made."""
    from conftest import bearer_client

    made = APIClient().post("/api/v1/footprints/", {"country": "GB"}, format="json")
    footprint = CarbonFootprint.objects.get(calculation_uuid=made.json()["calculation_uuid"])
    assert not LogEntry.objects.get_for_object(footprint).exists()

    claim = {"claim_tokens": [made.json()["claim_token"]]}
    claimed = bearer_client(user).post("/api/v1/footprints/claim/", claim, format="json")
    assert claimed.json()["claimed"] == [str(footprint.calculation_uuid)]
    entry = LogEntry.objects.get_for_object(footprint).get()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == user
    assert entry.changes_dict["user"] == ["None", str(user.pk)]
    assert entry.changes_dict["is_anonymous"] == ["True", "False"]
    assert "claim_token_hash" not in entry.changes_dict


def test_session_credentials_and_addresses_are_not_logged():
    session = UserSessionFactory(refresh_jti="j" * 32, ip_address="192.0.2.9")
    changes = entry_for(session).changes_dict
    for field in ("refresh_jti", "ip_address", "user_agent", "last_seen_at", "session_key"):
        assert field not in changes
    assert UserSession.objects.filter(pk=session.pk).exists()


def test_page_requests_record_the_signed_in_actor(client, staff_user):
    person = UserFactory()
    client.force_login(staff_user)
    response = client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "email": person.email,
            "username": person.username,
            "first_name": "Changed",
            "last_name": person.last_name,
            "is_active": "on",
            "is_verified": "on",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content
    entry = entry_for(person)
    assert entry.changes_dict["first_name"] == [person.first_name, "Changed"]
    assert entry.actor == staff_user


class RenameApi(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        profile = UserProfileFactory.build(user=request.user)
        profile.save()
        request.user.first_name = "Jordan"
        request.user.save(update_fields=["first_name"])
        return Response({"ok": True})


def test_jwt_requests_record_the_actor_once_drf_knows_the_user():
    person = UserFactory()
    _, pair = api_session_open(
        user=person, device_name="test", request_meta=RequestMeta("198.51.100.4", "pytest")
    )
    token = pair.access
    request = APIRequestFactory().post(
        "/api/v1/test/", {}, format="json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    # What auditlog's middleware does before any view runs: an anonymous actor.
    with set_extra_data(context_data={"actor": None, "remote_addr": "198.51.100.4"}):
        response = RenameApi.as_view()(request)
    assert response.status_code == 200
    entry = entry_for(User.objects.get(pk=person.pk))
    assert entry.actor == person
    assert entry.changes_dict["first_name"][1] == "Jordan"
