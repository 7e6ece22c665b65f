"""The OWASP API Security Top 10 (2023) items that apply to this API, checked on every endpoint
they concern, with lists generated from the URL resolver and the schema so a new endpoint
cannot slip past:

- API1 broken object level authorisation: another user's object is 404 on every id-taking URL;
- API3 broken object property level authorisation: no input sets a property the client may not
  set (mass assignment), no answer shows a secret (excessive data exposure);
- API4 unrestricted resource consumption: pages hold at most 100 rows, bodies at most 1 MB, and
  every string or list an input takes is bounded.

Authentication (API2) and rate limits are tested in accounts/tests; API5 (function level) by
test_openapi's sweep (401/403 where the schema says so).
"""

import json
import re
from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User, UserSession
from accounts.tests.factories import UserFactory, UserSessionFactory
from carbon_site.http import RequestMeta
from carbon_site.tests.test_openapi import operations
from conftest import bearer_client
from footprints.models import CarbonFootprint
from footprints.services import footprint_record
from footprints.tests.factories import CarbonFootprintFactory
from goals.models import UserGoal
from goals.tests.factories import UserGoalFactory
from recommendations.services import recommendation_implement
from recommendations.tests.factories import RecommendationFactory
from recommendations.tests.test_catalogue import HOUSEHOLDS

pytestmark = pytest.mark.django_db
META = RequestMeta("198.51.100.7", "pytest")


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def recorded(user) -> CarbonFootprint:
    """A calculation through the real service: with its recommendations."""
    return footprint_record(user=user, answers=HOUSEHOLDS["uk_family"], request_meta=META).footprint


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --- API1: object level authorisation ----------------------------------------------------------


def id_taking_views(resolver=None, prefix: str = "") -> dict[str, type]:
    """URL name -> view class of every /api/v1/ pattern that takes a `<uuid:...>`."""
    found = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= id_taking_views(pattern, route)
        elif (
            isinstance(pattern, URLPattern)
            and route.startswith("api/v1/")
            and any(isinstance(c, UUIDConverter) for c in pattern.pattern.converters.values())
        ):
            found[pattern.name] = pattern.callback.view_class
    return found


def victims_goal(owner):
    goal = UserGoalFactory(user=owner)
    return {"goal_uuid": goal.uuid}, goal


def victims_footprint(owner):
    footprint = recorded(owner)
    return {"calculation_uuid": footprint.calculation_uuid}, footprint


def victims_recommendation(owner):
    recommendation = recorded(owner).recommendations.order_by("priority").first()
    return {"recommendation_uuid": recommendation.uuid}, recommendation


def victims_taken_recommendation(owner):
    recommendation = recorded(owner).recommendations.order_by("priority").first()
    recommendation_implement(user=owner, recommendation=recommendation)
    recommendation.refresh_from_db()
    return {"recommendation_uuid": recommendation.uuid}, recommendation


def victims_session(owner):
    session = UserSessionFactory(user=owner)
    return {"session_uuid": session.uuid}, session


# Every id-taking URL, with how to make its object for its owner: (URL kwargs, the row).
VICTIMS_OBJECT: dict[str, Callable] = {
    "api-footprint": victims_footprint,
    "api-footprint-recalculate": victims_footprint,
    "api-recommendation": victims_recommendation,
    "api-recommendation-implement": victims_recommendation,
    "api-recommendation-unimplement": victims_taken_recommendation,
    "api-goal": victims_goal,
    "api-session-revoke": victims_session,
}
# A body that would be accepted from the owner, so only the ownership check can refuse it.
BODIES = {("api-goal", "patch"): {"description": "Mine now."}}


def row_state(row) -> dict:
    row.refresh_from_db()  # DoesNotExist if it was deleted
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def test_every_id_taking_endpoint_has_an_object_level_authorisation_test():
    assert sorted(id_taking_views()) == sorted(VICTIMS_OBJECT), (
        "A /api/v1/ URL takes an id: add it to VICTIMS_OBJECT (and to BODIES if it reads one)."
    )


@pytest.mark.parametrize("url_name", sorted(VICTIMS_OBJECT))
def test_another_users_object_is_404_and_untouched(url_name):
    owner, intruder = UserFactory(), UserFactory()
    recorded(intruder)  # the intruder has objects of their own
    kwargs, row = VICTIMS_OBJECT[url_name](owner)
    before = row_state(row)
    owners_footprints = CarbonFootprint.objects.filter(user=owner).count()
    view = id_taking_views()[url_name]
    methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]
    assert methods
    client = bearer_client(intruder)
    for method in methods:
        body = BODIES.get((url_name, method))
        response = getattr(client, method)(reverse(url_name, kwargs=kwargs), body, format="json")
        assert response.status_code == 404, (method, response.status_code, response.content)
        assert response.json()["code"] == "not_found"
    assert row_state(row) == before
    assert CarbonFootprint.objects.filter(user=owner).count() == owners_footprints


def test_an_anonymous_result_is_404_without_its_claim_token(api_client):
    anonymous = footprint_record(user=None, answers=HOUSEHOLDS["uk_family"], request_meta=META)
    url = f"/api/v1/footprints/{anonymous.footprint.calculation_uuid}/"
    assert bearer_client(UserFactory()).get(url).status_code == 404
    assert api_client.get(url).status_code == 404
    assert api_client.get(url, HTTP_X_CLAIM_TOKEN="not-the-token").status_code == 404
    assert api_client.get(url, HTTP_X_CLAIM_TOKEN=anonymous.claim_token).status_code == 200


def test_nobody_can_recalculate_an_anonymous_result():
    anonymous = footprint_record(user=None, answers=HOUSEHOLDS["uk_family"], request_meta=META)
    url = f"/api/v1/footprints/{anonymous.footprint.calculation_uuid}/recalculate/"
    response = bearer_client(UserFactory()).post(url, HTTP_X_CLAIM_TOKEN=anonymous.claim_token)
    assert response.status_code == 404
    assert CarbonFootprint.objects.count() == 1


def test_lists_and_summaries_hold_only_the_callers_rows(api_client):
    owner, intruder = UserFactory(), UserFactory()
    footprint = recorded(owner)
    UserGoalFactory(user=owner)
    UserSessionFactory(user=owner)
    client = bearer_client(intruder)
    for url in ("/api/v1/footprints/", "/api/v1/recommendations/", "/api/v1/goals/"):
        assert client.get(url).json()["count"] == 0, url
    sessions = client.get("/api/v1/me/sessions/").json()["results"]
    assert [row["current"] for row in sessions] == [True]
    assert client.get("/api/v1/footprints/stats/").json()["count"] == 0
    assert client.get("/api/v1/goals/stats/").json()["active"] == 0
    assert str(footprint.calculation_uuid) not in body_of(client.get("/api/v1/me/export/")).decode()


# --- API3: mass assignment -----------------------------------------------------------------------

# Properties the server owns: whatever an input does not declare, it must refuse by name.
SERVER_OWNED = {
    "id": 1,
    "uuid": "0b5a3f5e-7d3c-4c5e-9a71-1f0b1a2b3c4d",
    "user": "0b5a3f5e-7d3c-4c5e-9a71-1f0b1a2b3c4d",
    "user_id": 1,
    "password": "chosen by the client",
    "is_staff": True,
    "is_superuser": True,
    "is_active": True,
    "is_verified": True,
    "email_verification_token": "x",
    "password_reset_token": "x",
    "calculation_uuid": "0b5a3f5e-7d3c-4c5e-9a71-1f0b1a2b3c4d",
    "total_emissions": 1,
    "electricity_emissions": 1,
    "confidence_score": 1,
    "factor_version": "1999.1",
    "is_anonymous": False,
    "claim_token_hash": "x",
    "baseline_emissions": 1,
    "status": "achieved",
    "is_achieved": True,
    "achieved_at": "2026-01-01T00:00:00Z",
    "created_at": "2026-01-01T00:00:00Z",
    "is_implemented": True,
    "implemented_at": "2026-01-01T00:00:00Z",
    "potential_savings": 1,
    "priority": 1,
    "revoked_at": None,
    "expires_at": "2099-01-01T00:00:00Z",
}


def request_properties(schema: dict, operation: dict) -> set[str]:
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return set(schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]["properties"])


def fill_path(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        assert match.group(1) in values, f"{path}: give this test a {match.group(1)} to use"
        return str(values[match.group(1)])

    return re.sub(r"\{(\w+)\}", value, path)


def ids_of_own_rows(user) -> dict[str, str]:
    """The user's own object for every id a path takes, so each operation reaches its input."""
    footprint = recorded(user)
    return {
        "calculation_uuid": footprint.calculation_uuid,
        "recommendation_uuid": footprint.recommendations.first().uuid,
        "goal_uuid": UserGoalFactory(user=user).uuid,
        "session_uuid": UserSessionFactory(user=user).uuid,
    }


def test_no_input_accepts_a_server_owned_property(schema, settings):
    settings.RATELIMIT_ENABLE = False
    user = UserFactory()
    ids = ids_of_own_rows(user)
    client = bearer_client(user)
    accepted = []
    for path, method, operation in operations(schema):
        if "requestBody" not in operation:
            continue
        for name in sorted(set(SERVER_OWNED) - request_properties(schema, operation)):
            url = fill_path(path, ids)
            response = getattr(client, method)(url, {name: SERVER_OWNED[name]}, format="json")
            if response.status_code != 400 or name not in response.json():
                accepted.append(f"{operation['operationId']} {name}: {response.status_code}")
    assert accepted == []


def test_a_client_cannot_make_itself_staff_or_verified():
    user = UserFactory(is_verified=False)
    response = bearer_client(user).patch(
        "/api/v1/me/",
        {"first_name": "Sam", "is_staff": True, "is_superuser": True, "is_verified": True},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"is_staff", "is_superuser", "is_verified"}
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser, user.is_verified, user.first_name) == (
        False,
        False,
        False,
        "Alex",
    )


def test_registration_cannot_preset_verification_or_staff(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {
            "email": "eve@example.com",
            "username": "eve",
            "password": "a long passphrase",
            "is_verified": True,
            "is_staff": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"is_verified", "is_staff"}
    assert not User.objects.filter(email="eve@example.com").exists()


def test_a_calculation_cannot_bring_its_own_emissions(auth_client):
    answers = {**HOUSEHOLDS["uk_family"], "total_emissions": 1, "electricity_emissions": 0}
    response = auth_client.post("/api/v1/footprints/", answers, format="json")
    assert response.status_code == 400
    assert {"total_emissions", "electricity_emissions"} <= set(response.json())
    assert not CarbonFootprint.objects.exists()


def test_a_goal_cannot_be_made_achieved_or_for_someone_else(user):
    CarbonFootprintFactory(user=user)
    other = UserFactory()
    response = bearer_client(user).post(
        "/api/v1/goals/",
        {
            "goal_type": "reduction_percentage",
            "reduction_percentage": 20,
            "target_date": (timezone.now().date() + timezone.timedelta(days=90)).isoformat(),
            "user": str(other.uuid),
            "status": "achieved",
            "is_achieved": True,
            "baseline_emissions": 1,
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"user", "status", "is_achieved", "baseline_emissions"}
    assert not UserGoal.objects.exists()


# --- API3: excessive data exposure ---------------------------------------------------------------


@pytest.fixture
def user_with_everything(settings):
    """A verified user with a row in every table an answer can show, every secret field set."""
    settings.RATELIMIT_ENABLE = False
    user = UserFactory(
        email_verification_token="e" * 64,
        password_reset_token="r" * 64,
        password_reset_expires=timezone.now() + timezone.timedelta(hours=1),
        pending_email="new-address@example.com",
    )
    client = bearer_client(user)
    first = recorded(user)
    latest = recorded(user)
    CarbonFootprint.objects.filter(pk=first.pk).update(claim_token_hash="c" * 64)
    taken = latest.recommendations.order_by("priority").first()
    recommendation_implement(user=user, recommendation=taken)
    goal = UserGoalFactory(user=user)
    UserSessionFactory(
        user=user, kind=UserSession.Kind.BROWSER, refresh_jti=None, session_key="k" * 32
    )
    UserSession.objects.filter(user=user).update(previous_refresh_jti="p" * 32)
    ids = {
        "calculation_uuid": latest.calculation_uuid,
        "recommendation_uuid": taken.uuid,
        "goal_uuid": goal.uuid,
    }
    return user, client, ids


def secrets_of(user, client) -> dict[str, str]:
    user.refresh_from_db()
    found = {
        "password hash": user.password,
        "password hash digest": user.password.rsplit("$", 1)[-1],
        "email verification token hash": user.email_verification_token,
        "password reset token hash": user.password_reset_token,
        "refresh token": client.refresh_token,
    }
    for session in UserSession.objects.filter(user=user):
        for field in ("refresh_jti", "previous_refresh_jti", "session_key"):
            if getattr(session, field):
                found[f"session {session.uuid} {field}"] = getattr(session, field)
    for footprint in CarbonFootprint.objects.filter(user=user, claim_token_hash__isnull=False):
        found["claim token hash"] = footprint.claim_token_hash
    for outstanding in OutstandingToken.objects.filter(user=user).exclude(token=""):
        found[f"stored refresh token {outstanding.jti}"] = outstanding.token
    return found


SECRET_KEYS = {
    "password",
    "email_verification_token",
    "password_reset_token",
    "refresh_jti",
    "previous_refresh_jti",
    "session_key",
    "claim_token_hash",
}


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_in(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_in(item)}
    return set()


def test_no_get_answer_shows_a_secret(schema, user_with_everything):
    user, client, ids = user_with_everything
    secrets = secrets_of(user, client)
    assert len(secrets) >= 10
    leaks = []
    for path, method, _ in operations(schema):
        if method != "get":
            continue
        response = client.get(fill_path(path, ids))
        assert response.status_code == 200, (path, response.status_code)
        text = body_of(response).decode()
        leaks += [f"{path}: {name}" for name, value in secrets.items() if value in text]
        leaks += [f"{path}: key {key!r}" for key in keys_in(json.loads(text)) & SECRET_KEYS]
    assert leaks == []


# --- API4: unrestricted resource consumption ------------------------------------------------------


def many_footprints(user, count):
    CarbonFootprintFactory.create_batch(count, user=user)


def many_recommendations(user, count):
    footprint = CarbonFootprintFactory(user=user)
    for number in range(count):
        RecommendationFactory(carbon_footprint=footprint, action_code=f"action_{number}")


def many_goals(user, count):
    UserGoalFactory.create_batch(count, user=user)


def many_sessions(user, count):
    UserSessionFactory.create_batch(count, user=user)


# Every paginated list, with how to give a user `count` rows in it.
LIST_ROWS: dict[str, Callable] = {
    "/api/v1/footprints/": many_footprints,
    "/api/v1/recommendations/": many_recommendations,
    "/api/v1/goals/": many_goals,
    "/api/v1/me/sessions/": many_sessions,
}


def paginated_paths(schema: dict) -> list[str]:
    return sorted(
        path
        for path, method, operation in operations(schema)
        if any(parameter["name"] == "page_size" for parameter in operation.get("parameters", []))
    )


def test_every_paginated_list_is_in_list_rows(schema):
    assert paginated_paths(schema) == sorted(LIST_ROWS)


@pytest.mark.parametrize("path", sorted(LIST_ROWS))
def test_a_page_holds_at_most_100_rows_whatever_is_asked(path, user):
    LIST_ROWS[path](user, 101)
    client = bearer_client(user)
    for page_size in ("100000", "101", "-1", "1e9", "abc"):
        body = client.get(path, {"page_size": page_size}).json()
        assert body["count"] >= 101
        assert len(body["results"]) <= 100, page_size
    assert len(client.get(path).json()["results"]) == 20


def test_bodies_over_1_mb_are_refused_with_413_on_every_operation(schema, settings):
    settings.RATELIMIT_ENABLE = False
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    user = UserFactory()
    ids = ids_of_own_rows(user)
    client = bearer_client(user)
    padded = "{" + " " * (2 * 1024 * 1024) + "}"
    answers = {}
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            response = getattr(client, method)(
                fill_path(path, ids), padded, content_type="application/json"
            )
            answers[operation["operationId"]] = response.status_code
            if response.status_code == 413:
                assert response.json()["code"] == "request_too_large"
    assert {name: code for name, code in answers.items() if code != 413} == {}


def test_a_body_under_the_limit_is_read(auth_client):
    padded = json.dumps(HOUSEHOLDS["uk_family"])[:-1] + " " * (900 * 1024) + "}"
    response = auth_client.post("/api/v1/footprints/", padded, content_type="application/json")
    assert response.status_code == 201


def test_every_string_and_list_an_input_takes_is_bounded(schema):
    """A 1 MB body is still a lot of one field: each free-text string has a maxLength and each
    list a maxItems (enums, dates and uuids are bounded by their format)."""
    unbounded = []

    def walk(name: str, node: dict) -> None:
        if "$ref" in node:
            component = node["$ref"].rsplit("/", 1)[-1]
            walk(component, schema["components"]["schemas"][component])
            return
        for option in node.get("oneOf", []) + node.get("allOf", []) + node.get("anyOf", []):
            walk(name, option)
        if node.get("type") == "string" and not (
            "maxLength" in node or "enum" in node or node.get("format") in {"date", "date-time"}
        ):
            unbounded.append(name)
        if node.get("type") == "array":
            if "maxItems" not in node:
                unbounded.append(name)
            walk(f"{name}[]", node.get("items", {}))
        for field, child in node.get("properties", {}).items():
            walk(f"{name}.{field}", child)

    for _, _, operation in operations(schema):
        if "requestBody" in operation:
            walk(
                operation["operationId"],
                operation["requestBody"]["content"]["application/json"]["schema"],
            )
    assert sorted(set(unbounded)) == []
