"""Every result (/history/): newest first, twenty a page, between two dates."""

import datetime
from decimal import Decimal

import factory
import pytest

from accounts.tests.factories import UserFactory
from footprints.tests.factories import CarbonFootprintFactory
from footprints.tests.test_views_calculator import (
    assert_error_beside,
    assert_page_structure,
    page,
)

pytestmark = pytest.mark.django_db

HISTORY = "/history/"


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def days_from(start: datetime.date, count: int) -> list[datetime.datetime]:
    return [at(start + datetime.timedelta(days=n)) for n in range(count)]


def rows(response) -> list[dict]:
    """The result links of the table, in order."""
    parsed = page(response)
    return [attrs for tag, attrs in parsed.inside("history-table") if tag == "a"]


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(HISTORY)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/history/"


def test_no_calculation_yet_invites_the_first(signed_in):
    response = signed_in.get(HISTORY)
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    assert "No results yet" in parsed.text("history-status")
    assert "history-table" not in response.content.decode()


def test_each_result_shows_its_date_kind_total_and_confidence_newest_first(signed_in, user):
    older = CarbonFootprintFactory(
        user=user,
        calculation_date=at(datetime.date(2025, 2, 3), 9),
        mode="quick",
        total_emissions=Decimal("10250.000"),
        confidence_score=Decimal("0.450"),
    )
    newer = CarbonFootprintFactory(
        user=user,
        calculation_date=at(datetime.date(2025, 6, 7), 18),
        total_emissions=Decimal("7800.000"),
        confidence_score=Decimal("0.900"),
    )
    response = signed_in.get(HISTORY)
    parsed = assert_page_structure(response)
    assert [link["href"] for link in rows(response)] == [
        f"/results/{newer.calculation_uuid}/",
        f"/results/{older.calculation_uuid}/",
    ]
    table = parsed.text("history-table")
    assert "7 Jun 2025, 18:00 Detailed 7.8 7,800 High confidence (0.90)" in table
    assert "3 Feb 2025, 09:00 Quick estimate 10.2 10,250 Low confidence (0.45)" in table
    assert parsed.text("history-status") == "2 results."


def test_another_persons_results_are_not_listed(signed_in, user):
    CarbonFootprintFactory(user=UserFactory())
    mine = CarbonFootprintFactory(user=user)
    assert [link["href"] for link in rows(signed_in.get(HISTORY))] == [
        f"/results/{mine.calculation_uuid}/"
    ]


def test_results_come_twenty_a_page_with_page_links(signed_in, user):
    footprints = CarbonFootprintFactory.create_batch(
        45, user=user, calculation_date=factory.Iterator(days_from(datetime.date(2025, 1, 1), 45))
    )
    newest_first = footprints[::-1]
    first = signed_in.get(HISTORY)
    assert [link["href"] for link in rows(first)] == [
        f"/results/{f.calculation_uuid}/" for f in newest_first[:20]
    ]
    parsed = assert_page_structure(first)
    assert parsed.text("history-status") == "45 results: 1 to 20 shown."
    body = first.content.decode()
    assert '<a href="?page=1" aria-current="page">1</a>' in body
    assert '<a href="?page=3">3</a>' in body
    assert '<a href="?page=2" rel="next">Older</a>' in body
    last = signed_in.get(HISTORY, {"page": 3})
    assert [link["href"] for link in rows(last)] == [
        f"/results/{f.calculation_uuid}/" for f in newest_first[40:]
    ]
    assert "page 3 of 3" in page(last).title


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("99", 2), ("0", 2)])
def test_a_page_number_out_of_range_shows_a_real_page(signed_in, user, asked, shown):
    CarbonFootprintFactory.create_batch(
        25, user=user, calculation_date=factory.Iterator(days_from(datetime.date(2025, 1, 1), 25))
    )
    response = signed_in.get(HISTORY, {"page": asked})
    assert response.status_code == 200
    assert f"page {shown} of 2" in page(response).title


def test_dates_filter_the_results_inclusively(signed_in, user):
    footprints = CarbonFootprintFactory.create_batch(
        10, user=user, calculation_date=factory.Iterator(days_from(datetime.date(2025, 3, 1), 10))
    )
    response = signed_in.get(HISTORY, {"date_from": "2025-03-03", "date_to": "2025-03-05"})
    assert [link["href"] for link in rows(response)] == [
        f"/results/{f.calculation_uuid}/" for f in footprints[4:1:-1]
    ]
    parsed = assert_page_structure(response)
    assert parsed.text("history-status") == "3 results between these dates."
    assert parsed.element("id_date_from")["value"] == "2025-03-03"
    assert parsed.element("id_date_from")["type"] == "date"


def test_an_open_ended_range_keeps_the_other_end_open(signed_in, user):
    CarbonFootprintFactory.create_batch(
        10, user=user, calculation_date=factory.Iterator(days_from(datetime.date(2025, 3, 1), 10))
    )
    assert len(rows(signed_in.get(HISTORY, {"date_from": "2025-03-08"}))) == 3
    assert len(rows(signed_in.get(HISTORY, {"date_to": "2025-03-02"}))) == 2


def test_page_links_keep_the_dates(signed_in, user):
    CarbonFootprintFactory.create_batch(
        30, user=user, calculation_date=factory.Iterator(days_from(datetime.date(2025, 1, 1), 30))
    )
    body = signed_in.get(HISTORY, {"date_from": "2025-01-01"}).content.decode()
    assert 'href="?date_from=2025-01-01&amp;page=2"' in body


def test_no_result_between_the_dates_says_so(signed_in, user):
    CarbonFootprintFactory(user=user, calculation_date=at(datetime.date(2025, 1, 1)))
    response = signed_in.get(HISTORY, {"date_from": "2026-01-01"})
    assert "No calculations between these dates" in page(response).text("history-status")


def test_an_invalid_date_is_shown_beside_its_field_not_a_server_error(signed_in, user):
    CarbonFootprintFactory(user=user)
    response = signed_in.get(HISTORY, {"date_from": "2025-02-30"})
    assert response.status_code == 200
    assert_page_structure(response)
    assert_error_beside(response, "date_from", "Enter a real date, such as 2025-03-31.")
    assert "history-table" not in response.content.decode()
    assert page(response).title.startswith("Error: ")


def test_a_range_that_ends_before_it_starts_is_refused(signed_in, user):
    response = signed_in.get(HISTORY, {"date_from": "2025-03-05", "date_to": "2025-03-01"})
    assert_error_beside(response, "date_to", "Must be the same as or after the “From” date.")


def test_the_history_makes_a_bounded_number_of_queries_over_500_calculations(
    signed_in, user, django_assert_max_num_queries
):
    CarbonFootprintFactory.create_batch(
        500, user=user, calculation_date=factory.Iterator(days_from(datetime.date(2020, 1, 1), 500))
    )
    with django_assert_max_num_queries(5):  # session, site settings, user, count, the page
        response = signed_in.get(HISTORY, {"page": 7, "date_from": "2020-01-01"})
    assert len(rows(response)) == 20


def test_the_history_only_answers_reads(signed_in):
    assert signed_in.post(HISTORY).status_code == 405
