"""Statistics and trends over a known history, with values computed by hand."""

import datetime
from decimal import Decimal

import pytest

from carbon_site.http import RequestMeta
from footprints.models import CATEGORIES
from footprints.tests.factories import CarbonFootprintFactory
from recommendations.tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def on(user, day: str, total: str, heating: str = "1000"):
    moment = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)
    return CarbonFootprintFactory(
        user=user,
        calculation_date=moment,
        total_emissions=Decimal(total),
        heating_emissions=Decimal(heating),
    )


@pytest.fixture
def history(user):
    on(user, "2025-01-15T10:00:00", "10000", heating="3000")
    on(user, "2025-02-20T10:00:00", "9000", heating="2000")
    on(user, "2025-02-25T10:00:00", "8000", heating="1000")
    on(user, "2026-05-01T10:00:00", "6000", heating="500")
    CarbonFootprintFactory(total_emissions=Decimal("1"))  # someone else's


def test_stats_of_a_known_history(auth_client, history):
    body = auth_client.get("/api/v1/footprints/stats/").json()
    assert body["count"] == 4
    assert body["first_date"] == "2025-01-15T10:00:00Z"
    assert body["latest_date"] == "2026-05-01T10:00:00Z"
    assert body["latest_total"] == 6000
    assert body["min_total"] == 6000 and body["max_total"] == 10000
    assert body["average_total"] == 8250  # (10000 + 9000 + 8000 + 6000) / 4
    assert body["average_breakdown"]["heating"] == 1625  # (3000 + 2000 + 1000 + 500) / 4
    assert set(body["average_breakdown"]) == set(CATEGORIES)
    assert body["change_since_first"] == {"kg": -4000, "percent": -40.0}
    assert body["change_since_previous"] == {"kg": -2000, "percent": -25.0}


def test_stats_with_no_history_say_zero(auth_client):
    body = auth_client.get("/api/v1/footprints/stats/").json()
    assert body["count"] == 0
    assert body["latest_total"] is None and body["average_breakdown"] is None


def test_stats_with_one_calculation_have_no_change_yet(auth_client, user):
    on(user, "2026-01-01T00:00:00", "7000")
    body = auth_client.get("/api/v1/footprints/stats/").json()
    assert body["count"] == 1
    assert body["change_since_first"] is None and body["change_since_previous"] is None


def test_stats_are_one_query_on_the_users_rows(user, history, django_assert_num_queries):
    from footprints.selectors import footprint_stats

    with django_assert_num_queries(1):
        stats = footprint_stats(user=user)
    assert stats["count"] == 4
    assert stats["latest_total"] == Decimal("6000.000")
    assert stats["change_since_first"] == {"kg": Decimal("-4000.000"), "percent": Decimal("-40.0")}


def test_stats_break_ties_on_the_same_moment_by_the_newest_row(auth_client, user):
    on(user, "2026-01-01T00:00:00", "7000")
    on(user, "2026-03-01T00:00:00", "5000")
    on(user, "2026-03-01T00:00:00", "4000")  # same moment, recorded last: the latest
    body = auth_client.get("/api/v1/footprints/stats/").json()
    assert body["latest_total"] == 4000
    assert body["change_since_previous"] == {"kg": -1000, "percent": -20.0}
    assert body["change_since_first"] == {"kg": -3000, "percent": -42.9}


def test_monthly_trend_averages_each_month(auth_client, history):
    body = auth_client.get("/api/v1/footprints/trend/?period=month").json()
    assert body["period"] == "month"
    assert [(p["start"], p["count"], p["total"]) for p in body["points"]] == [
        ("2025-01-01", 1, 10000),
        ("2025-02-01", 2, 8500),
        ("2026-05-01", 1, 6000),
    ]
    assert body["points"][1]["breakdown"]["heating"] == 1500


def test_yearly_and_quarterly_trends(auth_client, history):
    years = auth_client.get("/api/v1/footprints/trend/?period=year").json()["points"]
    assert [(p["start"], p["count"], p["total"]) for p in years] == [
        ("2025-01-01", 3, 9000),
        ("2026-01-01", 1, 6000),
    ]
    quarters = auth_client.get("/api/v1/footprints/trend/?period=quarter").json()["points"]
    assert [p["start"] for p in quarters] == ["2025-01-01", "2026-04-01"]


def test_trend_date_filters_are_inclusive(auth_client, history):
    points = auth_client.get(
        "/api/v1/footprints/trend/?period=month&from=2025-02-25&to=2026-05-01"
    ).json()["points"]
    assert [(p["start"], p["count"]) for p in points] == [("2025-02-01", 1), ("2026-05-01", 1)]


@pytest.mark.parametrize("query", ["period=week", "from=nope", "from=2026-02-01&to=2026-01-01"])
def test_trend_with_bad_parameters_is_400(auth_client, query):
    assert auth_client.get(f"/api/v1/footprints/trend/?{query}").status_code == 400


def test_stats_are_cached_and_a_new_footprint_refreshes_them(
    auth_client, user, django_capture_on_commit_callbacks
):
    from footprints.services import footprint_record

    on(user, "2025-01-15T10:00:00", "10000")
    assert auth_client.get("/api/v1/footprints/stats/").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        footprint_record(
            user=user, answers={"country": "GB"}, request_meta=RequestMeta("127.0.0.1", "t")
        )
    assert auth_client.get("/api/v1/footprints/stats/").json()["count"] == 2


def test_implementing_a_recommendation_refreshes_the_cached_reads(
    auth_client, user, django_capture_on_commit_callbacks
):
    from carbon_site.user_cache import user_cache_version

    footprint = on(user, "2025-01-15T10:00:00", "10000")
    action = RecommendationFactory(carbon_footprint=footprint)
    before = user_cache_version(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post(f"/api/v1/recommendations/{action.uuid}/implement/")
    assert user_cache_version(user.pk) == before + 1


def test_stats_and_trend_take_a_bounded_number_of_queries_on_500_calculations(
    auth_client, user, django_assert_max_num_queries
):
    from django.core.cache import cache

    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    CarbonFootprintFactory.create_batch(
        500,
        user=user,
        calculation_date=factory_dates(start),
    )
    cache.clear()
    with django_assert_max_num_queries(6):
        assert auth_client.get("/api/v1/footprints/stats/").json()["count"] == 500
    with django_assert_max_num_queries(4):
        points = auth_client.get("/api/v1/footprints/trend/?period=year").json()["points"]
    assert sum(point["count"] for point in points) == 500


def factory_dates(start):
    import factory

    return factory.Sequence(lambda n: start + datetime.timedelta(days=3 * n))
