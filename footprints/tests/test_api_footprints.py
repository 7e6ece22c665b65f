"""The calculation API, as the contract mobile clients read."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import bearer_client
from footprints import engine
from footprints.models import CATEGORIES, CarbonFootprint
from footprints.tests.factories import CarbonFootprintFactory

pytestmark = pytest.mark.django_db

DETAILED = {
    "country": "GB",
    "household_size": 2,
    "electricity": {"kwh_per_year": 2700, "renewable_share": 0},
    "heating": {"natural_gas_kwh_per_year": 11500},
    "transportation": {"car_km_per_year": 11000, "car_fuel": "petrol"},
    "waste": {"kg_per_week": 8, "recycling_share": 0.4},
    "lifestyle": {"diet": "average"},
    "other": {"services_spend_per_month": 100},
}
QUICK = {
    "country": "GB",
    "household_size": 2,
    "home_size": "50_100",
    "home_type": "semi",
    "heating_fuel": "gas",
    "car_use": "medium",
    "flights": "one_or_two",
    "diet": "average",
}
ANSWER_FIELDS = {
    "calculation_uuid",
    "calculation_date",
    "mode",
    "country",
    "unit",
    "total_emissions",
    "breakdown",
    "confidence_score",
    "factor_version",
    "household_size",
    "household_total_emissions",
    "estimated_sections",
    "confidence_reasons",
    "model_name",
    "model_version",
    "trace",
    "comparison",
    "intervals",
    "recalculated_from",
    "recommendations",
    "claim_token",
}


def record(client, answers=DETAILED, path="/api/v1/footprints/", **extra):
    return client.post(path, answers, format="json", **extra)


# --- Recording --------------------------------------------------------------------------------


def test_anonymous_detailed_calculation_answers_the_whole_contract(api_client):
    response = record(api_client)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == ANSWER_FIELDS
    expected = engine.calculate(DETAILED)
    assert body["unit"] == "kg CO2e/year per person"
    assert body["total_emissions"] == pytest.approx(float(expected.total_kg))
    assert body["breakdown"] == {c: float(expected.categories_kg[c]) for c in CATEGORIES}
    assert sum(body["breakdown"].values()) == pytest.approx(body["total_emissions"])
    assert body["household_size"] == 2
    assert body["estimated_sections"] == []
    assert 0 <= body["confidence_score"] <= 1
    assert body["model_name"] == "carbon_site.engine"
    assert body["factor_version"] == engine.FACTOR_VERSION
    assert {line["category"] for line in body["trace"]} == set(CATEGORIES)
    assert all(line["source"] and line["year"] for line in body["trace"])
    assert len(body["comparison"]) >= 3
    actions = body["recommendations"]
    assert [action["priority"] for action in actions] == list(range(1, len(actions) + 1))
    assert all(0 < action["potential_savings"] <= body["total_emissions"] for action in actions)
    assert body["intervals"] is None
    assert len(body["claim_token"]) >= 32
    stored = CarbonFootprint.objects.get(calculation_uuid=body["calculation_uuid"])
    assert stored.is_anonymous and stored.user is None
    assert stored.claim_token_hash != body["claim_token"]
    assert stored.input_data == DETAILED
    assert stored.total_emissions == expected.total_kg
    assert stored.ip_address == "127.0.0.1"


def test_signed_in_calculation_belongs_to_the_user_and_has_no_claim_token(auth_client, user):
    body = record(auth_client).json()
    assert body["claim_token"] is None
    stored = CarbonFootprint.objects.get(calculation_uuid=body["calculation_uuid"])
    assert stored.user == user
    assert not stored.is_anonymous


def test_an_absent_section_is_estimated_and_lowers_the_confidence(api_client):
    full = record(api_client).json()
    partial = record(api_client, {k: v for k, v in DETAILED.items() if k != "heating"}).json()
    assert partial["estimated_sections"] == ["heating"]
    assert partial["confidence_score"] < full["confidence_score"]
    assert "section_estimated" in {reason["code"] for reason in partial["confidence_reasons"]}


def test_quick_calculation_answers_the_same_shape_with_intervals(api_client):
    response = record(api_client, QUICK, "/api/v1/footprints/quick/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == ANSWER_FIELDS
    assert body["mode"] == "quick"
    assert set(body["intervals"]) == set(CATEGORIES)
    for category, interval in body["intervals"].items():
        assert interval["low"] <= body["breakdown"][category] <= interval["high"]
    assert "quick_mode" in {reason["code"] for reason in body["confidence_reasons"]}
    assert CarbonFootprint.objects.get().mode == "quick"


def test_a_past_calculation_date_is_kept(auth_client):
    body = record(auth_client, {**DETAILED, "calculation_date": "2021-06-01T00:00:00Z"}).json()
    assert body["calculation_date"] == "2021-06-01T00:00:00Z"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({**DETAILED, "country": "XX"}, {"country"}),
        ({**DETAILED, "household_size": 0}, {"household_size"}),
        ({**DETAILED, "pets": {}}, {"pets"}),
        ({**DETAILED, "transportation": {"car_fuel": "coal"}}, {"transportation"}),
        ({**DETAILED, "electricity": {"kwh_per_year": -1}}, {"electricity"}),
        ({**DETAILED, "electricity": {"kwh_per_year": "lots"}}, {"electricity"}),
        ({**DETAILED, "waste": {"recycling_share": 1.5}}, {"waste"}),
        ({**DETAILED, "heating": {"natural_gas_kwh_per_year": 10**9}}, {"heating"}),
        ({**DETAILED, "lifestyle": "vegan"}, {"lifestyle"}),
        ({**DETAILED, "calculation_date": "2099-01-01T00:00:00Z"}, {"calculation_date"}),
        ({**DETAILED, "calculation_date": "1999-12-31T00:00:00Z"}, {"calculation_date"}),
        ({**DETAILED, "calculation_date": "yesterday"}, {"calculation_date"}),
        ([DETAILED], {"non_field_errors"}),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(api_client, answers, expected):
    response = record(api_client, answers)
    assert response.status_code == 400
    assert set(response.json()) == expected
    assert not CarbonFootprint.objects.exists()


def test_nested_errors_name_the_field_path(api_client):
    response = record(api_client, {**DETAILED, "transportation": {"car_fuel": "coal"}})
    assert list(response.json()["transportation"]) == ["car_fuel"]


def test_a_body_that_is_not_json_is_400(api_client):
    response = api_client.post(
        "/api/v1/footprints/", "country=GB", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    response = api_client.post("/api/v1/footprints/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not CarbonFootprint.objects.exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [({**QUICK, "home_size": "huge"}, "home_size"), ({**QUICK, "diet": None}, "diet")],
)
def test_bad_quick_input_is_400_naming_the_field(api_client, answers, field):
    response = record(api_client, answers, "/api/v1/footprints/quick/")
    assert response.status_code == 400
    assert field in response.json()
    assert not CarbonFootprint.objects.exists()


def test_anonymous_calculation_is_rate_limited_by_ip_with_retry_after(api_client, settings):
    settings.RATELIMIT_ANONYMOUS_CALCULATION = "2/m"
    from django.core.cache import cache

    cache.clear()
    assert record(api_client).status_code == 201
    assert record(api_client).status_code == 201
    limited = record(api_client)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    other_ip = record(api_client, REMOTE_ADDR="203.0.113.99")
    assert other_ip.status_code == 201


def test_a_calculation_request_runs_a_constant_number_of_queries(
    api_client, django_assert_num_queries
):
    """Open, the footprint, every recommendation in one INSERT, close: however many apply
    (none apply when every section is the country's average)."""
    record(api_client)  # warm caches (content types)
    for answers, queries in ((DETAILED, 4), (QUICK, 4), ({"country": "GB"}, 3)):
        path = "/api/v1/footprints/quick/" if answers is QUICK else "/api/v1/footprints/"
        with django_assert_num_queries(queries):
            assert record(api_client, answers, path=path).status_code == 201


# --- Reading ----------------------------------------------------------------------------------


def test_owner_reads_a_footprint_with_its_trace(auth_client):
    created = record(auth_client).json()
    response = auth_client.get(f"/api/v1/footprints/{created['calculation_uuid']}/")
    assert response.status_code == 200
    body = response.json()
    assert body["total_emissions"] == created["total_emissions"]
    assert body["trace"] == created["trace"]
    assert body["claim_token"] is None


@pytest.mark.parametrize(
    "answers",
    [
        DETAILED,
        {"country": "US", "transportation": {"car_km_per_year": 15000, "car_fuel": "diesel"}},
    ],
)
def test_the_answer_lists_exactly_the_recommendations_stored(auth_client, answers):
    """The calculation's answer is built from what was just written, without reading it back:
    reading the footprint afterwards must show the very same actions."""
    created = record(auth_client, answers).json()
    stored = auth_client.get(f"/api/v1/footprints/{created['calculation_uuid']}/").json()
    assert created["recommendations"] == stored["recommendations"]
    assert len(created["recommendations"]) > (5 if answers is DETAILED else 0)


def test_another_users_footprint_is_404(auth_client):
    stranger = CarbonFootprintFactory()
    response = auth_client.get(f"/api/v1/footprints/{stranger.calculation_uuid}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such calculation.", "code": "not_found"}


def test_an_unknown_uuid_is_404_just_the_same(auth_client):
    response = auth_client.get("/api/v1/footprints/6f1c1a5e-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such calculation.", "code": "not_found"}


def test_an_anonymous_result_is_readable_with_its_claim_token_only(api_client):
    created = record(api_client).json()
    url = f"/api/v1/footprints/{created['calculation_uuid']}/"
    assert api_client.get(url).status_code == 404
    assert api_client.get(url, HTTP_X_CLAIM_TOKEN="wrong").status_code == 404
    response = api_client.get(url, HTTP_X_CLAIM_TOKEN=created["claim_token"])
    assert response.status_code == 200
    assert response.json()["claim_token"] is None  # shown once, at creation


def test_a_footprint_from_an_older_factor_set_says_so(auth_client, user):
    old = CarbonFootprintFactory(user=user, factor_version="2019.1", input_data=DETAILED)
    body = auth_client.get(f"/api/v1/footprints/{old.calculation_uuid}/").json()
    assert body["trace"] == []
    assert body["confidence_reasons"][0]["code"] == "factors_updated"
    assert body["total_emissions"] == float(old.total_emissions)


# --- Listing ----------------------------------------------------------------------------------


def dated(user, day: str) -> CarbonFootprint:
    moment = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)
    return CarbonFootprintFactory(user=user, calculation_date=moment)


def test_list_shows_only_own_footprints_newest_first(auth_client, user):
    older = dated(user, "2025-01-10T12:00:00")
    newer = dated(user, "2026-03-01T08:00:00")
    CarbonFootprintFactory()  # someone else's
    body = auth_client.get("/api/v1/footprints/").json()
    assert body["count"] == 2
    assert [row["calculation_uuid"] for row in body["results"]] == [
        str(newer.calculation_uuid),
        str(older.calculation_uuid),
    ]
    assert set(body["results"][0]) == {
        "calculation_uuid",
        "calculation_date",
        "mode",
        "country",
        "unit",
        "total_emissions",
        "breakdown",
        "confidence_score",
        "factor_version",
    }


def test_list_filters_by_an_inclusive_date_range(auth_client, user):
    dated(user, "2025-12-31T23:59:59")
    first_day = dated(user, "2026-01-01T00:00:00")
    last_day = dated(user, "2026-01-31T23:59:59")
    dated(user, "2026-02-01T00:00:00")
    body = auth_client.get("/api/v1/footprints/?from=2026-01-01&to=2026-01-31").json()
    assert {row["calculation_uuid"] for row in body["results"]} == {
        str(first_day.calculation_uuid),
        str(last_day.calculation_uuid),
    }


@pytest.mark.parametrize(
    "query", ["from=yesterday", "to=2026-13-01", "from=2026-02-01&to=2026-01-01"]
)
def test_list_with_bad_dates_is_400(auth_client, query):
    response = auth_client.get(f"/api/v1/footprints/?{query}")
    assert response.status_code == 400


def test_list_paginates_with_a_capped_page_size(auth_client, user):
    for day in range(1, 26):
        dated(user, f"2026-01-{day:02d}T12:00:00")
    first = auth_client.get("/api/v1/footprints/").json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["next"] is not None and first["previous"] is None
    second = auth_client.get("/api/v1/footprints/?page=2").json()
    assert len(second["results"]) == 5
    capped = auth_client.get("/api/v1/footprints/?page_size=1000").json()
    assert len(capped["results"]) == 25
    assert auth_client.get("/api/v1/footprints/?page=9").status_code == 404


def test_listing_needs_credentials(api_client):
    assert api_client.get("/api/v1/footprints/").status_code == 401


def test_list_runs_a_bounded_number_of_queries(auth_client, user, django_assert_max_num_queries):
    for day in range(1, 21):
        dated(user, f"2026-01-{day:02d}T12:00:00")
    with django_assert_max_num_queries(4):
        assert len(auth_client.get("/api/v1/footprints/").json()["results"]) == 20


# --- Recalculation ----------------------------------------------------------------------------


def test_recalculation_is_a_new_linked_row_and_the_old_one_is_untouched(auth_client, user):
    old = CarbonFootprintFactory(
        user=user, factor_version="2019.1", input_data=DETAILED, total_emissions=Decimal("9000")
    )
    before = CarbonFootprint.objects.filter(pk=old.pk).values().get()
    response = auth_client.post(f"/api/v1/footprints/{old.calculation_uuid}/recalculate/")
    assert response.status_code == 201
    body = response.json()
    assert body["recalculated_from"] == str(old.calculation_uuid)
    assert body["factor_version"] == engine.FACTOR_VERSION
    assert body["total_emissions"] == float(engine.calculate(DETAILED).total_kg)
    assert CarbonFootprint.objects.filter(pk=old.pk).values().get() == before
    assert CarbonFootprint.objects.filter(user=user).count() == 2


def test_recalculating_another_users_footprint_is_404(auth_client):
    stranger = CarbonFootprintFactory(input_data=DETAILED)
    response = auth_client.post(f"/api/v1/footprints/{stranger.calculation_uuid}/recalculate/")
    assert response.status_code == 404
    assert CarbonFootprint.objects.count() == 1


# --- Claiming ---------------------------------------------------------------------------------


def test_claim_attaches_anonymous_results_and_skips_the_rest(api_client, user):
    first = record(api_client).json()
    second = record(api_client).json()
    client = bearer_client(user)
    response = client.post(
        "/api/v1/footprints/claim/",
        {"claim_tokens": [first["claim_token"], second["claim_token"], "made-up-token"]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body["claimed"]) == {first["calculation_uuid"], second["calculation_uuid"]}
    assert body["skipped"] == 1
    claimed = CarbonFootprint.objects.get(calculation_uuid=first["calculation_uuid"])
    assert claimed.user == user and not claimed.is_anonymous and claimed.claimed_at is not None
    assert client.get("/api/v1/footprints/").json()["count"] == 2


def test_a_claim_token_works_once(api_client, user):
    created = record(api_client).json()
    bearer_client(user).post(
        "/api/v1/footprints/claim/", {"claim_tokens": [created["claim_token"]]}, format="json"
    )
    thief = bearer_client(UserFactory())
    response = thief.post(
        "/api/v1/footprints/claim/", {"claim_tokens": [created["claim_token"]]}, format="json"
    )
    assert response.json() == {"claimed": [], "skipped": 1}
    assert CarbonFootprint.objects.get().user == user


def test_an_expired_claim_token_is_skipped(api_client, user):
    created = record(api_client).json()
    CarbonFootprint.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))
    response = bearer_client(user).post(
        "/api/v1/footprints/claim/", {"claim_tokens": [created["claim_token"]]}, format="json"
    )
    assert response.json() == {"claimed": [], "skipped": 1}


@pytest.mark.parametrize("body", [{}, {"claim_tokens": []}, {"claim_tokens": "abc"}])
def test_claim_with_bad_input_is_400(auth_client, body):
    response = auth_client.post("/api/v1/footprints/claim/", body, format="json")
    assert response.status_code == 400
    assert "claim_tokens" in response.json()


@pytest.mark.parametrize("mode", ["detailed", "quick", "recalculated", "older_factors"])
def test_the_fast_answer_is_exactly_what_the_declared_fields_give(user, mode):
    """FootprintOutput builds its answer by hand for speed; the schema's fields must agree."""
    from carbon_site.http import RequestMeta
    from footprints.outputs import FootprintOutput
    from footprints.services import footprint_recalculate, footprint_record

    meta = RequestMeta(ip_address="203.0.113.9", user_agent="pytest")
    answers, kind = (QUICK, "quick") if mode == "quick" else (DETAILED, "detailed")
    recorded = footprint_record(user=None, answers=answers, request_meta=meta, mode=kind)
    context = {"result": recorded.result, "claim_token": recorded.claim_token}
    footprint = recorded.footprint
    if mode == "recalculated":
        footprint.user = user
        recorded = footprint_recalculate(footprint=footprint, request_meta=meta)
        footprint, context = recorded.footprint, {"result": recorded.result}
    elif mode == "older_factors":
        context = {"result": None}
    output = FootprintOutput(footprint, context=context)
    generic = super(FootprintOutput, output).to_representation(footprint)
    assert output.data == json.loads(json.dumps(generic))
    assert output.data["recommendations"], "the comparison must cover the actions too"
