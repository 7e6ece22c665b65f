"""A result page (/results/<uuid>/): what it shows, and to whom."""

import html
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from carbon_site.http import RequestMeta
from footprints import engine
from footprints.services import footprint_record
from footprints.session_claims import session_claim_remember
from footprints.tests.factories import CarbonFootprintFactory
from footprints.tests.test_views_calculator import QUICK_ANSWERS, assert_page_structure, page
from footprints.views import confidence_words

pytestmark = pytest.mark.django_db

ANSWERS = {
    "country": "GB",
    "household_size": 2,
    "electricity": {"kwh_per_year": 2700, "renewable_share": 0},
    "heating": {"natural_gas_kwh_per_year": 11500},
    "transportation": {"car_km_per_year": 11000, "car_fuel": "petrol"},
    "waste": {"kg_per_week": 8, "recycling_share": 0.4},
    "lifestyle": {"diet": "average"},
}
META = RequestMeta("198.51.100.7", "pytest")
CATEGORY_WORDS = ("Electricity", "Heating", "Transport", "Waste", "Food and goods", "Services")


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False


def url(footprint) -> str:
    return f"/results/{footprint.calculation_uuid}/"


def record(user=None, answers=ANSWERS, mode="detailed"):
    return footprint_record(user=user, answers=answers, request_meta=META, mode=mode)


def anonymous_author(client, recorded) -> None:
    """Make `client` the browser that made an anonymous calculation."""
    request = type("Request", (), {"session": client.session})()
    session_claim_remember(
        request,
        calculation_uuid=recorded.footprint.calculation_uuid,
        claim_token=recorded.claim_token,
    )
    request.session.save()


def kg(value) -> str:
    return f"{float(value):,.0f}"


def test_the_owner_sees_the_totals_in_tonnes_and_kilograms(client, user):
    recorded = record(user)
    client.force_login(user)
    response = client.get(url(recorded.footprint))
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    total = recorded.result.total_kg
    tonnes = f"{float(total) / 1000:,.1f}"
    assert parsed.text("total") == f"{tonnes} tonnes CO 2 e"
    assert f"{kg(total)}\u00a0kg" in response.content.decode()
    assert parsed.title.startswith(f"Your carbon footprint: {tonnes} tonnes")


def test_the_household_total_is_labelled_when_people_share_the_home(client, user):
    recorded = record(user)
    client.force_login(user)
    text = html.unescape(client.get(url(recorded.footprint)).content.decode())
    household = recorded.result.household_total_kg
    assert "Your household of 2" in text
    assert f"{float(household) / 1000:,.1f} tonnes a year" in text
    assert f"{kg(household)}\u00a0kg" in text


def test_no_household_total_for_one_person(client, user):
    recorded = record(user, {**ANSWERS, "household_size": 1})
    client.force_login(user)
    assert "Your household" not in client.get(url(recorded.footprint)).content.decode()


def test_the_six_categories_are_charted_and_tabled(client, user):
    recorded = record(user)
    client.force_login(user)
    response = client.get(url(recorded.footprint))
    parsed = page(response)
    table = parsed.text("breakdown-table")
    for word, category in zip(CATEGORY_WORDS, engine.CATEGORIES, strict=True):
        assert word in table
        assert kg(recorded.result.categories_kg[category]) in table
    svg = [attrs for tag, attrs in parsed.tags if tag == "svg"]
    assert len(svg) == 2  # the breakdown and the comparison
    bars = [attrs for tag, attrs in parsed.tags if tag == "rect" and "chart-bar" in attrs["class"]]
    assert len(bars) == 6 + 4  # six categories; you, the country, the world, the target
    assert parsed.text("breakdown-chart-title") == "Your footprint by category"


def test_the_trace_lists_every_factor_used(client, user):
    recorded = record(user)
    client.force_login(user)
    response = client.get(url(recorded.footprint))
    body = response.content.decode()
    assert "<details" in body
    assert "<summary>How we calculated this</summary>" in body
    trace = page(response).text("trace-table")
    for line in recorded.result.trace:
        assert html.unescape(line.source) in trace
        assert line.factor_unit in trace
        assert str(line.year) in trace
    assert "Natural gas" in trace
    assert "50 %" in trace.replace("\u00a0", " ")  # the person's share of the home's use
    assert "kWh/year" in trace


def test_the_comparisons_cite_their_source_and_year(client, user):
    recorded = record(user)
    client.force_login(user)
    table = page(client.get(url(recorded.footprint))).text("comparison-table")
    assert len(recorded.result.comparison) == 3
    for point in recorded.result.comparison:
        assert point.label in table
        assert kg(point.kg_co2e) in table
        # The publication as people read it; a data file's name would mean nothing to them.
        assert point.source in table
        assert str(point.year) in table
    for own_data_file in ("emission_factors.csv", "country_averages.csv"):
        assert own_data_file not in table  # a file of ours would mean nothing to a reader
    assert "United Kingdom average" in table
    assert "World average" in table
    assert "1.5 °C-compatible lifestyle target for 2030" in table


@pytest.mark.parametrize(
    ("score", "words"),
    [
        (1.0, "High confidence"),
        (0.8, "High confidence"),
        (0.79, "Medium confidence"),
        (0.5, "Medium confidence"),
        (0.49, "Low confidence"),
        (0.05, "Low confidence"),
    ],
)
def test_confidence_is_said_in_words(score, words):
    assert confidence_words(score) == words


def test_the_confidence_words_and_reasons_are_shown(client, user):
    recorded = record(user)  # "other" is left out: estimated
    client.force_login(user)
    text = html.unescape(client.get(url(recorded.footprint)).content.decode())
    assert recorded.result.confidence_score == pytest.approx(0.88)
    assert "High confidence" in text
    assert "0.88" in text
    for reason in recorded.result.confidence_reasons:
        assert reason.message in text
    assert "No other answers: the country's average per person was used." in text


def test_a_low_confidence_result_says_so(client, user):
    recorded = record(user, {"country": "FR"})  # everything estimated
    client.force_login(user)
    text = client.get(url(recorded.footprint)).content.decode()
    assert recorded.result.confidence_score < 0.5
    assert "Low confidence" in text


def test_a_quick_result_shows_its_ranges(client, user):
    answers = {**QUICK_ANSWERS, "household_size": 2}
    recorded = record(user, answers, mode="quick")
    client.force_login(user)
    response = client.get(url(recorded.footprint))
    parsed = assert_page_structure(response)
    table = parsed.text("breakdown-table")
    assert "Likely range" in table
    for category in engine.CATEGORIES:
        low, high = recorded.result.intervals_kg[category]
        assert f"{kg(low)} to {kg(high)}" in table
    whiskers = [
        attrs for tag, attrs in parsed.tags if tag == "g" and attrs.get("class") == "chart-range"
    ]
    assert len(whiskers) == 6
    assert "Quick estimate" in response.content.decode()


def test_the_anonymous_author_is_invited_to_sign_up_and_keep_it(client):
    recorded = record()
    anonymous_author(client, recorded)
    response = client.get(url(recorded.footprint))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Keep this result" in body
    assert (
        f'href="/accounts/signup/?next=%2Fresults%2F{recorded.footprint.calculation_uuid}%2F"'
        in body
    )


def test_the_owner_is_not_invited_to_sign_up(client, user):
    recorded = record(user)
    client.force_login(user)
    body = client.get(url(recorded.footprint)).content.decode()
    assert "Keep this result" not in body
    assert "/accounts/signup/?next=" not in body


def test_another_visitor_gets_a_404_page(client):
    recorded = record()
    response = client.get(url(recorded.footprint))
    assert response.status_code == 404


def test_another_signed_in_user_gets_a_404(client, user):
    recorded = record(UserFactory())
    client.force_login(user)
    assert client.get(url(recorded.footprint)).status_code == 404


def test_a_wrong_claim_token_in_the_session_gets_a_404(client):
    recorded = record()
    session = client.session
    session["claim_tokens"] = {str(recorded.footprint.calculation_uuid): "not-the-token"}
    session.save()
    assert client.get(url(recorded.footprint)).status_code == 404


def test_an_unknown_uuid_gets_a_404(client):
    assert client.get("/results/6f1c1a5e-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/results/not-a-uuid/").status_code == 404


def test_a_result_from_an_older_factor_set_shows_its_stored_numbers(client, user):
    footprint = CarbonFootprintFactory(user=user, factor_version="2019.1")
    client.force_login(user)
    response = client.get(url(footprint))
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    text = response.content.decode()
    assert "The emission factors have been updated since this calculation" in text
    assert "7.8" in text  # 7,800 kg stored
    assert "2,400" in parsed.text("breakdown-table")
    assert "How we calculated this" not in text
    assert "comparison-table" not in text


def test_stored_answers_the_engine_no_longer_accepts_show_the_stored_numbers(client, user):
    footprint = CarbonFootprintFactory(user=user, mode="quick", input_data={"country": "GB"})
    client.force_login(user)
    response = client.get(url(footprint))
    assert response.status_code == 200
    assert "cannot be reproduced" in response.content.decode()


def test_recommendations_are_listed_when_there_are_some(client, user):
    from recommendations.tests.factories import RecommendationFactory

    footprint = CarbonFootprintFactory(user=user)
    RecommendationFactory(
        carbon_footprint=footprint,
        action_code="green_tariff",
        potential_savings=Decimal("280.000"),
        estimated_impact="medium",
    )
    client.force_login(user)
    text = client.get(url(footprint)).content.decode()
    assert "What you can do" in text
    assert "Switch to a renewable electricity tariff" in text
    assert "Saves about 280\u00a0kg" in text
    assert "Medium impact" in text


def test_the_first_five_actions_show_and_the_rest_wait_behind_more_actions(client, user):
    recorded = record(user)
    actions = list(recorded.footprint.recommendations.order_by("priority"))
    assert len(actions) > 5  # the engine offers many for this household
    client.force_login(user)
    parsed = page(client.get(url(recorded.footprint)))
    shown = parsed.text("top-actions")
    for action in actions[:5]:
        assert action.title in shown
    for action in actions[5:]:
        assert action.title not in shown
    hidden = parsed.text("more-actions-list")
    assert all(action.title in hidden for action in actions[5:])
    # A <details>: it opens without JavaScript.
    assert parsed.element("more-actions")
    assert f"See {len(actions) - 5} more actions" in parsed.text("more-actions")
    assert parsed.text("actions-intro") == (
        f"Ranked by what each saves for the effort it takes: the first 5 of {len(actions)}."
    )
    assert parsed.element("more-actions-list")["start"] == "6"


def test_a_few_actions_show_without_a_more_actions_list(client, user):
    from recommendations.tests.factories import RecommendationFactory

    footprint = CarbonFootprintFactory(user=user)
    RecommendationFactory.create_batch(3, carbon_footprint=footprint)
    client.force_login(user)
    parsed = page(client.get(url(footprint)))
    assert len([tag for tag, _ in parsed.inside("top-actions") if tag == "li"]) == 3
    assert "more-actions" not in {attrs.get("id") for _, attrs in parsed.tags}


def test_each_table_sits_in_a_region_the_keyboard_can_scroll(client, user):
    recorded = record(user)
    client.force_login(user)
    parsed = page(client.get(url(recorded.footprint)))
    for table_id in ("breakdown-table", "comparison-table", "trace-table"):
        wrapper = next(
            attrs
            for _, attrs in parsed.tags
            if attrs.get("aria-labelledby") == f"{table_id}-caption"
        )
        assert wrapper["tabindex"] == "0"
        assert wrapper["role"] == "region"
        assert parsed.text(f"{table_id}-caption")


def test_the_result_page_makes_a_bounded_number_of_queries(
    client, user, django_assert_max_num_queries
):
    from recommendations.tests.factories import RecommendationFactory

    recorded = record(user)
    RecommendationFactory.create_batch(5, carbon_footprint=recorded.footprint)
    assert recorded.footprint.recommendations.count() > 5  # some behind "more actions" too
    client.force_login(user)
    client.get(url(recorded.footprint))
    with django_assert_max_num_queries(5):
        response = client.get(url(recorded.footprint))
    assert response.status_code == 200


def test_the_anonymous_result_page_makes_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    recorded = record()
    anonymous_author(client, recorded)
    with django_assert_max_num_queries(4):
        assert client.get(url(recorded.footprint)).status_code == 200


def test_the_result_page_only_answers_reads(client, user):
    recorded = record(user)
    client.force_login(user)
    assert client.post(url(recorded.footprint)).status_code == 405
