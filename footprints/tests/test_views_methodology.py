"""The methodology page (/methodology/): every factor with its source and year."""

import pytest

from footprints import engine
from footprints.engine.factors import country_averages
from footprints.tests.test_views_calculator import assert_page_structure, page

pytestmark = pytest.mark.django_db

METHODOLOGY = "/methodology/"


@pytest.fixture
def response(client):
    response = client.get(METHODOLOGY)
    assert response.status_code == 200
    return response


def test_the_page_has_one_heading_a_title_and_labelled_structure(response):
    parsed = assert_page_structure(response)
    assert parsed.title.startswith("Methodology")


def test_every_factor_rows_source_and_year_appear(response):
    text = page(response).text("main")
    for row in engine.factor_rows():
        assert row.source in text, row
        assert str(row.year) in text


def test_every_factor_is_listed_with_its_value_and_unit(response):
    text = page(response).text("factors")
    table_rows = [row for row in engine.factor_rows() if row.activity != "grid_average"]
    for row in table_rows:
        assert row.unit in text
        assert row.table in text
    html = response.content.decode()
    assert html.count("<tr>") >= len(engine.factor_rows())


def test_every_country_grid_intensity_is_listed_by_first_letter(response):
    parsed = page(response)
    grid = parsed.text("grid")
    for code, name in engine.countries():
        assert name in grid
        assert f" {code} " in f" {grid} "
    links = [attrs["href"] for tag, attrs in parsed.inside("grid") if tag == "a"]
    assert "#grid-A" in links
    assert "#grid-U" in links
    assert parsed.text("grid-U") == "U"


def test_the_averages_for_skipped_sections_cite_their_sources_and_arithmetic(response):
    text = page(response).text("averages")
    for row in country_averages().values():
        assert row.source in text
        assert row.note in text  # the inputs and the arithmetic, not just a number


def test_the_page_says_what_an_average_counts(response):
    assert "public services paid through taxes are not in it" in page(response).text("how")


def test_sources_name_tables_people_can_read_not_data_files(response):
    text = page(response).text("main")
    for own_data_file in ("emission_factors.csv", "country_averages.csv"):
        assert own_data_file not in text  # a file of ours would mean nothing to a reader


def test_each_category_is_explained(response):
    text = page(response).text("how")
    for words in ("Electricity", "Heating", "Transport", "Waste", "Food and goods", "Services"):
        assert words in text
    assert "400 km (domestic)" in text
    assert "section_estimated" in text


def test_the_input_limits_are_the_engines(response):
    text = page(response).text("limits")
    assert "kwh_per_year" in text
    assert "300,000" in text
    assert "0 to 100 %" in text


def test_the_quick_estimator_report_is_shown(response):
    report = engine.methodology.training_report()
    text = page(response).text("quick")
    assert report["sklearn_version"] in text
    assert report["model_version"] in text


def test_the_navigation_marks_the_methodology_page_as_current(response):
    parsed = page(response)
    current = [attrs["href"] for tag, attrs in parsed.tags if attrs.get("aria-current") == "page"]
    assert current == [METHODOLOGY]


def test_the_page_renders_with_one_query_at_most(client, django_assert_max_num_queries):
    client.get(METHODOLOGY)
    with django_assert_max_num_queries(1):
        assert client.get(METHODOLOGY).status_code == 200
