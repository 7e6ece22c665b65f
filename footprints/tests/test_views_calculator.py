"""The detailed calculator (/calculate/) and the quick one (/calculate/quick/), as a visitor uses
them: a step at a time, with errors beside their fields, without JavaScript."""

import time
import uuid
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from footprints.forms import DRAFT_SESSION_KEY, STEPS
from footprints.models import CarbonFootprint
from footprints.session_claims import SESSION_KEY as CLAIMS_KEY

pytestmark = pytest.mark.django_db

CALCULATE = "/calculate/"
QUICK = "/calculate/quick/"

VALID_STEPS = {
    1: {"country": "GB", "household_size": "2"},
    2: {"kwh_per_year": "2,700", "renewable_percent": "40"},
    3: {"natural_gas_kwh_per_year": "11500"},
    4: {
        "car_km_per_year": "11000",
        "car_fuel": "diesel",
        "rail_km_per_year": "500",
        "flights_short_haul_per_year": "2",
    },
    5: {"kg_per_week": "8", "recycling_percent": "40"},
    6: {"diet": "vegetarian", "clothing_spend_per_month": "40"},
    7: {"services_spend_per_month": "100"},
}
# What each step keeps, in the engine's terms.
KEPT = {
    1: {"country": "GB", "household_size": 2},
    2: {"electricity": {"kwh_per_year": 2700.0, "renewable_share": 0.4}},
    3: {"heating": {"natural_gas_kwh_per_year": 11500.0}},
    4: {
        "transportation": {
            "car_km_per_year": 11000.0,
            "car_fuel": "diesel",
            "rail_km_per_year": 500.0,
            "flights_short_haul_per_year": 2.0,
        }
    },
    5: {"waste": {"kg_per_week": 8.0, "recycling_share": 0.4}},
    6: {"lifestyle": {"diet": "vegetarian", "clothing_spend_per_month": 40.0}},
    7: {"other": {"services_spend_per_month": 100.0}},
}
QUICK_ANSWERS = {
    "country": "GB",
    "household_size": "2",
    "home_size": "50_100",
    "home_type": "semi",
    "heating_fuel": "gas",
    "car_use": "medium",
    "flights": "one_or_two",
    "diet": "average",
}


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """Rate limits have their own test; elsewhere they would count across tests and runs."""
    settings.RATELIMIT_ENABLE = False


# --- Reading pages ----------------------------------------------------------------------------

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class Page(HTMLParser):
    """Just enough of the DOM for assertions: tags, the text inside each id, labels, the title."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self.labels_for: set[str] = set()
        self._open: list[tuple[str, str | None]] = []
        self._texts: dict[str, list[str]] = defaultdict(list)
        self._inside: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attrs))
        for _, open_id in self._open:
            if open_id:
                self._inside[open_id].append((tag, attrs))
        if tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        open_tags = [tag for tag, _ in self._open]
        if open_tags and open_tags[-1] == "title" and "svg" not in open_tags:
            self.title += data
        for _, open_id in self._open:
            if open_id:
                self._texts[open_id].append(data)

    def text(self, element_id: str) -> str:
        return " ".join(" ".join(self._texts[element_id]).split())

    def inside(self, element_id: str) -> list[tuple[str, dict]]:
        return self._inside[element_id]

    def element(self, element_id: str) -> dict:
        for _, attrs in self.tags:
            if attrs.get("id") == element_id:
                return attrs
        raise AssertionError(f"no element with id {element_id!r}")

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)


def page(response) -> Page:
    return Page(response.content.decode())


def assert_page_structure(response) -> Page:
    """One h1, a title, every field labelled, SVG charts described, nothing a strict CSP blocks."""
    parsed = page(response)
    assert parsed.count("h1") == 1
    assert parsed.title.strip()
    for tag, attrs in parsed.tags:
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            assert attrs.get("id") in parsed.labels_for, f"unlabelled {tag} {attrs}"
        assert "style" not in attrs, f"inline style on {tag}"
        assert not any(name.startswith("on") for name in attrs), f"inline handler on {tag}"
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") == "application/json"
        if tag == "svg":
            assert attrs.get("role") == "img"
            assert attrs.get("aria-labelledby") or attrs.get("aria-label")
    assert parsed.count("table") >= parsed.count("svg")
    return parsed


def assert_error_beside(response, field: str, message: str, *, radio: bool = False) -> None:
    """The message sits in the field's own container, and the input says it is invalid."""
    parsed = page(response)
    assert message in parsed.text(f"id_{field}_field")
    assert message in parsed.text(f"id_{field}_error")
    input_id = f"id_{field}_0" if radio else f"id_{field}"
    attrs = parsed.element(input_id)
    assert attrs.get("aria-invalid") == "true"
    described = (
        attrs.get("aria-describedby", "")
        if not radio
        else parsed.element(f"id_{field}_field").get("aria-describedby", "")
    )
    assert f"id_{field}_error" in described.split()
    summary_links = [a.get("href") for tag, a in parsed.inside("error-summary") if tag == "a"]
    assert f"#{input_id}" in summary_links


# --- Walking the steps -------------------------------------------------------------------------


def post_step(client, number: int, data: dict | None = None, action: str = "next"):
    return client.post(CALCULATE, {"step": str(number), action: "1", **(data or {})})


def walk(client, until: int = len(STEPS), overrides: dict | None = None):
    """Answer every step before `until` with valid answers (overrides by step number)."""
    overrides = overrides or {}
    for number in range(1, until):
        response = post_step(client, number, overrides.get(number, VALID_STEPS[number]))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == f"{CALCULATE}?step={number + 1}"


def draft(client) -> dict:
    return client.session[DRAFT_SESSION_KEY]


def test_the_first_step_asks_where_you_live_with_a_progress_indicator(client):
    response = client.get(CALCULATE, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8")
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    assert "Step 1 of 8" in parsed.text("steps-count")
    current = [attrs for tag, attrs in parsed.tags if attrs.get("aria-current") == "step"]
    assert len(current) == 1
    html = response.content.decode()
    assert '<option value="US" selected>' in html  # from the browser's language
    assert 'name="household_size" value="1"' in html
    assert parsed.element("id_household_size_unit")
    assert "people" in parsed.text("id_household_size_unit")


@pytest.mark.parametrize("number", range(1, 8))
def test_each_step_keeps_valid_answers_in_engine_terms_and_moves_on(client, number):
    walk(client, until=number)
    response = client.get(f"{CALCULATE}?step={number}")
    assert response.status_code == 200
    assert_page_structure(response)
    assert f"Step {number} of 8" in page(response).text("steps-count")
    response = post_step(client, number, VALID_STEPS[number])
    assert response.status_code == 302
    assert response["Location"] == f"{CALCULATE}?step={number + 1}"
    kept = draft(client)
    for key, value in KEPT[number].items():
        assert kept["answers"][key] == value
    assert kept["reached"] == number + 1


@pytest.mark.parametrize(
    ("number", "data", "field", "message"),
    [
        (1, {"country": "XX", "household_size": "2"}, "country", "Choose a country from the list."),
        (
            1,
            {"country": "GB", "household_size": "0"},
            "household_size",
            "whole number from 1 to 20",
        ),
        (1, {"country": "GB", "household_size": "2.5"}, "household_size", "whole number"),
        (2, {"kwh_per_year": "lots"}, "kwh_per_year", "Enter a number"),
        (2, {"kwh_per_year": "300001"}, "kwh_per_year", "Must be at most 300,000 kWh/year"),
        (2, {"renewable_percent": "150"}, "renewable_percent", "percentage from 0 to 100"),
        (3, {"natural_gas_kwh_per_year": "-1"}, "natural_gas_kwh_per_year", "Must not be negative"),
        (3, {"wood_kg_per_year": "100001"}, "wood_kg_per_year", "at most 100,000 kg/year"),
        (4, {"car_fuel": "coal"}, "car_fuel", "Choose one of the options"),
        (4, {"car_km_per_year": "1e400"}, "car_km_per_year", "Enter a number"),
        (4, {"car_km_per_year": "nan"}, "car_km_per_year", "Enter a number"),
        (4, {"flights_long_haul_per_year": "301"}, "flights_long_haul_per_year", "at most 300"),
        (5, {"kg_per_week": "501"}, "kg_per_week", "at most 500 kg/week"),
        (5, {"recycling_percent": "-3"}, "recycling_percent", "percentage from 0 to 100"),
        (6, {"diet": "carnivore"}, "diet", "Choose one of the options"),
        (6, {"clothing_spend_per_month": "20001"}, "clothing_spend_per_month", "at most 20,000"),
        (7, {"services_spend_per_month": "2,5"}, "services_spend_per_month", "Enter a number"),
    ],
)
def test_each_step_shows_an_invalid_answer_beside_its_field(client, number, data, field, message):
    walk(client, until=number)
    response = post_step(client, number, data)
    assert response.status_code == 200
    assert_error_beside(response, field, message)
    parsed = assert_page_structure(response)
    assert parsed.title.startswith("Error: ")
    assert client.session.get(DRAFT_SESSION_KEY, {}).get("reached", 1) == number  # not moved on


def test_the_error_summary_links_to_each_invalid_field(client):
    walk(client, until=2)
    response = post_step(client, 2, {"kwh_per_year": "lots", "renewable_percent": "150"})
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_kwh_per_year"' in html
    assert 'href="#id_renewable_percent"' in html


def test_an_invalid_value_stays_on_screen_to_be_corrected(client):
    walk(client, until=2)
    response = post_step(client, 2, {"kwh_per_year": "27OO"})
    assert 'value="27OO"' in response.content.decode()


def test_going_back_and_forth_keeps_every_answer(client):
    walk(client, until=5)
    response = post_step(client, 4, VALID_STEPS[4], action="back")
    assert response["Location"] == f"{CALCULATE}?step=3"
    html = client.get(f"{CALCULATE}?step=2").content.decode()
    assert 'name="kwh_per_year" value="2700"' in html
    assert 'name="renewable_percent" value="40"' in html  # a share shown as a percentage again
    html = client.get(f"{CALCULATE}?step=4").content.decode()
    assert 'name="car_km_per_year" value="11000"' in html
    assert '<option value="diesel" selected>' in html
    html = client.get(f"{CALCULATE}?step=1").content.decode()
    assert '<option value="GB" selected>' in html
    assert 'name="household_size" value="2"' in html


def test_back_keeps_the_valid_answers_of_the_step_it_leaves(client):
    walk(client, until=3)
    response = post_step(client, 3, {"lpg_litres_per_year": "300"}, action="back")
    assert response["Location"] == f"{CALCULATE}?step=2"
    assert draft(client)["answers"]["heating"] == {"lpg_litres_per_year": 300.0}


def test_back_from_an_invalid_step_leaves_without_keeping_it(client):
    walk(client, until=3)
    response = post_step(client, 3, {"lpg_litres_per_year": "-1"}, action="back")
    assert response["Location"] == f"{CALCULATE}?step=2"
    assert "heating" not in draft(client)["answers"]


def test_visited_steps_are_links_and_later_ones_are_not(client):
    walk(client, until=3)
    response = client.get(f"{CALCULATE}?step=1")
    html = response.content.decode()
    assert f'href="{CALCULATE}?step=2"' in html
    assert f'href="{CALCULATE}?step=3"' in html
    assert f'href="{CALCULATE}?step=4"' not in html


def test_a_step_not_reached_yet_shows_the_furthest_step_reached(client):
    walk(client, until=3)
    response = client.get(f"{CALCULATE}?step=6")
    assert "Step 3 of 8" in page(response).text("steps-count")
    response = client.get(f"{CALCULATE}?step=nonsense")
    assert "Step 3 of 8" in page(response).text("steps-count")


def test_posting_a_step_not_reached_yet_goes_back_to_the_draft(client):
    response = post_step(client, 5, VALID_STEPS[5])
    assert response.status_code == 302
    assert response["Location"] == f"{CALCULATE}?step=1"
    response = client.post(CALCULATE, {"step": "garbage", "next": "1"})
    assert response["Location"] == f"{CALCULATE}?step=1"


def test_a_broken_draft_in_the_session_starts_afresh(client):
    session = client.session
    session[DRAFT_SESSION_KEY] = {"answers": "oops", "unknown": None, "reached": 99}
    session.save()
    response = client.get(f"{CALCULATE}?step=8")
    assert response.status_code == 200
    assert "Step 1 of 8" in page(response).text("steps-count")


def test_i_dont_know_skips_the_checks_of_the_section_and_marks_it(client):
    walk(client, until=3)
    response = post_step(client, 3, {"unknown": "on", "natural_gas_kwh_per_year": "-5"})
    assert response.status_code == 302
    assert draft(client)["unknown"] == ["heating"]
    html = client.get(f"{CALCULATE}?step=3").content.decode()
    assert 'name="unknown" id="id_unknown" checked' in html


def test_unticking_i_dont_know_answers_the_section_again(client):
    walk(client, until=4, overrides={3: {"unknown": "on"}})
    post_step(client, 3, {"natural_gas_kwh_per_year": "9000"})
    assert draft(client)["unknown"] == []
    assert draft(client)["answers"]["heating"] == {"natural_gas_kwh_per_year": 9000.0}


@pytest.mark.parametrize(
    ("country", "unit"),
    [("GB", "GBP/month"), ("US", "USD/month"), ("FR", "US dollars/month")],
)
def test_money_is_asked_in_the_currency_the_factors_use(client, country, unit):
    walk(client, until=6, overrides={1: {"country": country, "household_size": "1"}})
    parsed = page(client.get(f"{CALCULATE}?step=6"))
    assert parsed.text("id_clothing_spend_per_month_unit") == unit


def test_every_field_shows_its_unit_next_to_it(client):
    walk(client, until=5)
    parsed = page(client.get(f"{CALCULATE}?step=4"))
    assert parsed.text("id_car_km_per_year_unit") == "km/year"
    assert parsed.text("id_flights_long_haul_per_year_unit") == "one-way flights/year"
    described = parsed.element("id_car_km_per_year")["aria-describedby"].split()
    assert "id_car_km_per_year_unit" in described
    parsed = page(client.get(f"{CALCULATE}?step=2"))
    assert parsed.text("id_kwh_per_year_unit") == "kWh/year"
    assert parsed.text("id_renewable_percent_unit") == "%"


def test_the_review_step_lists_the_answers_with_links_to_change_them(client):
    walk(client, overrides={3: {"unknown": "on"}})
    response = client.get(f"{CALCULATE}?step=8")
    parsed = assert_page_structure(response)
    text = response.content.decode()
    assert "Step 8 of 8" in parsed.text("steps-count")
    assert "2,700 kWh/year" in text
    assert "40 %" in text
    assert "Diesel" in text
    assert "estimated from the average for United Kingdom" in text
    assert f'href="{CALCULATE}?step=3"' in text


def test_save_and_check_answers_returns_to_the_review_once_reached(client):
    walk(client)
    response = post_step(client, 2, {"kwh_per_year": "3000"}, action="review")
    assert response["Location"] == f"{CALCULATE}?step=8"
    assert draft(client)["answers"]["electricity"] == {"kwh_per_year": 3000.0}


# --- Submitting ---------------------------------------------------------------------------------


def submit(client):
    return client.post(CALCULATE, {"step": "8", "submit": "1"})


def test_an_anonymous_visitor_submits_and_sees_their_result(client):
    walk(client)
    response = submit(client)
    footprint = CarbonFootprint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/results/{footprint.calculation_uuid}/"
    assert footprint.user is None
    assert footprint.mode == "detailed"
    assert footprint.input_data == {
        "country": "GB",
        "household_size": 2,
        **{key: value for number in range(2, 8) for key, value in KEPT[number].items()},
    }
    assert str(footprint.calculation_uuid) in client.session[CLAIMS_KEY]
    assert DRAFT_SESSION_KEY not in client.session
    assert client.get(response["Location"]).status_code == 200


def test_a_signed_in_visitor_records_the_result_to_their_account(client, user):
    client.force_login(user)
    walk(client)
    response = submit(client)
    footprint = CarbonFootprint.objects.get()
    assert footprint.user == user
    assert footprint.claim_token_hash is None
    assert CLAIMS_KEY not in client.session
    assert client.get(response["Location"]).status_code == 200


def test_a_section_left_to_i_dont_know_is_left_out_and_shown_as_estimated(client):
    walk(client, overrides={3: {"unknown": "on"}})
    response = submit(client)
    footprint = CarbonFootprint.objects.get()
    assert "heating" not in footprint.input_data
    result = client.get(response["Location"])
    parsed = page(result)
    html = result.content.decode()
    assert "Heating (estimated)" in html  # the chart's label
    assert "Heating Estimated" in parsed.text("breakdown-table")
    assert "No heating answers: the country&#x27;s average per person was used." in html
    assert "Country average (estimated)" in html  # the trace line


def test_a_blank_section_counts_as_none_not_as_unknown(client):
    walk(client, overrides={3: {}})
    submit(client)
    assert CarbonFootprint.objects.get().input_data["heating"] == {}


def test_an_answer_the_engine_refuses_is_shown_on_its_step(client):
    walk(client)
    session = client.session
    session[DRAFT_SESSION_KEY]["answers"]["electricity"]["kwh_per_year"] = 400_000
    session.save()
    response = submit(client)
    assert response.status_code == 200
    assert "Step 2 of 8" in page(response).text("steps-count")
    assert_error_beside(response, "kwh_per_year", "Must be at most 300,000")
    assert not CarbonFootprint.objects.exists()


def test_an_engine_error_django_does_not_check_lands_on_the_right_field(client):
    walk(client)
    session = client.session
    session[DRAFT_SESSION_KEY]["answers"]["transportation"]["car_fuel"] = "coal"
    session.save()
    response = submit(client)
    assert "Step 4 of 8" in page(response).text("steps-count")
    assert_error_beside(response, "car_fuel", "Choose one of the options")
    assert not CarbonFootprint.objects.exists()


def test_an_unknown_country_in_the_draft_goes_back_to_the_first_step(client):
    walk(client)
    session = client.session
    session[DRAFT_SESSION_KEY]["answers"]["country"] = "ZZ"
    session.save()
    response = submit(client)
    assert "Step 1 of 8" in page(response).text("steps-count")
    assert_error_beside(response, "country", "Choose a country from the list.")


def test_an_anonymous_visitor_over_the_rate_limit_is_told_to_wait(client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_ANONYMOUS_CALCULATION = "1/m"
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    walk(client)
    assert (
        client.post(CALCULATE, {"step": "8", "submit": "1"}, REMOTE_ADDR=address).status_code == 302
    )
    walk(client)
    response = client.post(CALCULATE, {"step": "8", "submit": "1"}, REMOTE_ADDR=address)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many requests" in response.content.decode()
    assert CarbonFootprint.objects.count() == 1


def test_the_calculator_does_not_accept_other_methods(client):
    assert client.put(CALCULATE).status_code == 405


# --- Quick mode ---------------------------------------------------------------------------------


def test_the_quick_page_asks_the_engines_questions(client):
    response = client.get(QUICK)
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    html = response.content.decode()
    for name in QUICK_ANSWERS:
        assert f'name="{name}"' in html
    assert 'type="radio" name="heating_fuel" value="heat_pump"' in html
    assert parsed.text("id_household_size_unit") == "people"


def test_quick_answers_are_recorded_and_the_result_shows_ranges(client):
    response = client.post(QUICK, QUICK_ANSWERS)
    footprint = CarbonFootprint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/results/{footprint.calculation_uuid}/"
    assert footprint.mode == "quick"
    assert footprint.input_data["household_size"] == 2
    result = client.get(response["Location"])
    assert result.status_code == 200
    html = result.content.decode()
    assert "Quick estimate" in html
    assert "Likely range" in html
    assert "Likely between" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("home_size", None, "Choose an answer"),
        ("home_size", "huge", "Choose one of the options."),
        ("diet", "carnivore", "Choose one of the options."),
        ("heating_fuel", None, "Choose an answer"),
    ],
)
def test_a_wrong_quick_answer_is_shown_beside_its_question(client, field, value, message):
    answers = dict(QUICK_ANSWERS)
    if value is None:
        del answers[field]
    else:
        answers[field] = value
    response = client.post(QUICK, answers)
    assert response.status_code == 200
    assert_error_beside(response, field, message, radio=True)
    assert_page_structure(response)
    assert not CarbonFootprint.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("country", "XX"), ("household_size", "21")])
def test_a_wrong_quick_select_is_shown_beside_it(client, field, value):
    response = client.post(QUICK, {**QUICK_ANSWERS, field: value})
    assert response.status_code == 200
    parsed = page(response)
    assert parsed.element(f"id_{field}")["aria-invalid"] == "true"
    assert parsed.text(f"id_{field}_error")
    assert not CarbonFootprint.objects.exists()


def test_a_calculator_step_renders_fast_with_few_queries(client, django_assert_max_num_queries):
    client.get(CALCULATE)  # warm up templates and the session table
    started = time.perf_counter()
    with django_assert_max_num_queries(4):
        response = client.get(CALCULATE)
    assert response.status_code == 200
    assert time.perf_counter() - started < 0.5  # generous: the budget is 50 ms without tests' noise


def test_a_non_number_left_in_the_draft_is_shown_and_refused_on_its_field(client):
    walk(client)
    session = client.session
    session[DRAFT_SESSION_KEY]["answers"]["waste"]["kg_per_week"] = "lots"
    session.save()
    assert "lots" in client.get(f"{CALCULATE}?step=8").content.decode()
    response = submit(client)
    assert response.status_code == 200
    assert_error_beside(response, "kg_per_week", "Enter a number")
    assert not CarbonFootprint.objects.exists()


@pytest.mark.parametrize("path", [CALCULATE, QUICK])
def test_the_navigation_marks_the_calculator_as_current(client, path):
    parsed = page(client.get(path))
    current = [attrs["href"] for tag, attrs in parsed.tags if attrs.get("aria-current") == "page"]
    assert current == [CALCULATE]


def test_the_front_page_invites_visitors_to_calculate(client):
    html = client.get("/").content.decode()
    assert f'href="{CALCULATE}"' in html
    assert f'href="{QUICK}"' in html


def test_the_footer_links_the_methodology_and_privacy_pages(client):
    html = client.get(CALCULATE).content.decode()
    assert 'href="/methodology/"' in html
    assert 'href="/privacy/"' in html
    assert 'href="/api/docs/"' in html
