"""Export and erasure: complete by construction, and nothing personal left behind."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.db.models.functions import Cast

from accounts.models import User
from accounts.privacy import user_export_zip
from carbon_site.export import export_field_names
from conftest import bearer_client
from goals.tests.factories import UserGoalFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
AGENT = "PrivacyTestBrowser/9.9 (unique-agent-string)"
ADDRESS = "198.51.100.77"
ANSWERS = {
    "country": "GB",
    "electricity": {"kwh_per_year": 3000},
    "heating": {"natural_gas_kwh_per_year": 9000},
    "transportation": {"car_km_per_year": 8000, "car_fuel": "diesel"},
}


def owned_models() -> list[type[models.Model]]:
    """Every model of ours that points at a user, or at a footprint that does."""
    footprint = apps.get_model("footprints", "CarbonFootprint")
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {"accounts", "footprints", "recommendations", "goals"}:
            continue
        if not model._meta.managed:
            continue  # SQL views over the tables below: they hold no rows of their own
        targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
        if User in targets or footprint in targets or model is User:
            found.append(model)
    return found


@pytest.fixture
def rich_user(client, django_capture_on_commit_callbacks):
    """A person who has used every part of the product, through the API as a client would."""
    person = User.objects.create_user(
        email="erin.erasable@example.com",
        username="erin_erasable",
        password=PASSWORD,
        first_name="Erinna",
        last_name="Erasabelle",
        is_verified=True,
    )
    api = bearer_client(person)
    api.patch("/api/v1/me/", {"phone": "+44 20 7946 0999", "country": "GB"}, format="json")
    signed_in = api.post(
        "/api/v1/auth/token/",
        {"email": person.email, "password": PASSWORD, "device_name": "Erinna's phone"},
        format="json",
        HTTP_USER_AGENT=AGENT,
        REMOTE_ADDR=ADDRESS,
    )
    assert signed_in.status_code == 200
    created = api.post(
        "/api/v1/footprints/", ANSWERS, format="json", HTTP_USER_AGENT=AGENT, REMOTE_ADDR=ADDRESS
    ).json()
    action = created["recommendations"][0]["uuid"]
    assert api.post(f"/api/v1/recommendations/{action}/implement/").status_code == 200
    UserGoalFactory(user=person, description="Erinna's goal")
    client.force_login(person)
    return person, api


def test_export_holds_every_field_of_every_model_the_user_owns(rich_user):
    person, api = rich_user
    response = api.get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    export = json.loads(b"".join(response.streaming_content))
    sections = {
        "User": "user",
        "UserProfile": "user_profile",
        "UserSession": "user_sessions",
        "CarbonFootprint": "footprints",
        "Recommendation": "recommendations",
        "ImplementedAction": "implemented_actions",
        "UserGoal": "goals",
    }
    for model in owned_models():
        section = sections[model.__name__]
        assert export[section], f"{section} is empty"
        config = apps.get_app_config(model._meta.app_label)
        excluded = config.EXPORT_EXCLUDED.get(model.__name__, ())
        expected = set(export_field_names(model, excluded))
        assert set(export[section][0]) == expected, model
    assert export["user"][0]["email"] == person.email
    assert "password" not in export["user"][0]
    assert all("id" not in row for rows in export.values() for row in rows)
    assert any(event.get("event") for event in export["security_events"])


def test_export_needs_a_verified_email(rich_user):
    person, api = rich_user
    User.objects.filter(pk=person.pk).update(is_verified=False)
    response = api.get("/api/v1/me/export/")
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"


def test_the_zip_has_the_json_a_csv_per_table_and_a_readme(rich_user):
    person, _ = rich_user
    with user_export_zip(person) as spooled, zipfile.ZipFile(io.BytesIO(spooled.read())) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "export.json", "user.csv", "footprints.csv", "goals.csv"} <= names
        footprints_csv = archive.read("footprints.csv").decode()
        assert footprints_csv.splitlines()[0].startswith("calculation_uuid,")
        assert "input_data holds your answers" in archive.read("README.txt").decode()


def test_wrong_password_is_400_and_nothing_is_deleted(rich_user):
    person, api = rich_user
    response = api.post("/api/v1/me/delete/", {"password": "not it"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert User.objects.filter(pk=person.pk).exists()
    assert person.footprints.count() == 1


def personal_values(person) -> list[str]:
    return [person.email, person.first_name, person.last_name, "+44 20 7946 0999", ADDRESS, AGENT]


def rows_containing(value: str) -> list[str]:
    """Every (table, column) of every installed model holding `value` in any text column."""
    found = []
    for model in apps.get_models():
        if model._meta.db_table == "django_session":
            continue  # signed session blobs; the erased person's sessions are deleted outright
        for field in model._meta.concrete_fields:
            if not isinstance(
                field,
                models.CharField
                | models.TextField
                | models.JSONField
                | models.GenericIPAddressField,
            ):
                continue
            matches = model._default_manager.annotate(
                as_text=Cast(field.name, models.TextField())
            ).filter(as_text__icontains=value)
            if matches.exists():
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_erasure_leaves_no_row_pointing_at_the_user_and_no_personal_value(
    rich_user, client, django_capture_on_commit_callbacks
):
    from carbon_site.user_cache import user_cache_version

    person, api = rich_user
    values = personal_values(person)
    for value in values:
        assert rows_containing(value), f"the fixture should store {value!r} somewhere"
    cached_version = user_cache_version(person.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/me/delete/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert user_cache_version(person.pk) != cached_version  # cached figures out of reach
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                assert not model._default_manager.filter(**{field.name: person.pk}).exists(), (
                    f"{model._meta.db_table}.{field.column} still points at the erased user"
                )
    for value in values:
        assert rows_containing(value) == [], value
    assert mail.outbox[-1].to == [person.email]
    assert mail.outbox[-1].subject == "Your carbon_site account has been deleted"
    # Their tokens and browser session stop working at once.
    assert api.get("/api/v1/me/").status_code == 401
    assert client.get("/").wsgi_request.user.is_authenticated is False
