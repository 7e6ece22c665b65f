"""Staff analytics: the daily summary, the figures, the cached page and who may see it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from carbon_site.admin_analytics import daily_chart
from carbon_site.locks import cache_lock
from footprints import analytics
from footprints.models import CarbonFootprint, DailySummary
from footprints.tasks import refresh_daily_summary
from footprints.tests.factories import CarbonFootprintFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.now().astimezone(datetime.UTC).date()


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def calculation(*, day, user=None, country="GB", total="1000.000", hour=12, **fields):
    return CarbonFootprintFactory(
        user=user,
        is_anonymous=user is None,
        country=country,
        calculation_date=at(day, hour),
        total_emissions=Decimal(total),
        **fields,
    )


@pytest.fixture
def calculations():
    """Yesterday: two in GB (one anonymous), one in FR; a claimed one the day before; today one."""
    person = UserFactory()
    calculation(day=days_ago(1), user=person, total="1000.000")
    calculation(day=days_ago(1), total="3000.001")
    calculation(day=days_ago(1), user=person, country="FR", total="500.000")
    calculation(day=days_ago(2), user=person, claimed_at=timezone.now(), total="2000.000")
    calculation(day=TODAY, user=person, total="800.000", hour=0)
    return person


def summary_rows() -> dict:
    return {(row.day, row.country): row for row in DailySummary.objects.all()}


# --- The summary table --------------------------------------------------------------------------


def test_refresh_counts_each_day_and_country(calculations):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    rows = summary_rows()
    assert set(rows) == {
        (days_ago(2), "GB"),
        (days_ago(1), "GB"),
        (days_ago(1), "FR"),
        (TODAY, "GB"),
    }
    gb = rows[(days_ago(1), "GB")]
    assert (gb.calculations, gb.anonymous, gb.signed_in) == (2, 1, 1)
    assert gb.total_emissions_sum == Decimal("4000.001")
    assert gb.average_total == Decimal("2000.000")  # 2000.0005 to the gram, half to even


def test_a_claimed_calculation_still_counts_as_made_anonymously(calculations):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=days_ago(2))
    claimed = summary_rows()[(days_ago(2), "GB")]
    assert (claimed.anonymous, claimed.signed_in) == (1, 0)


def test_refresh_twice_gives_the_same_rows(calculations):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    first = {key: (r.calculations, r.total_emissions_sum) for key, r in summary_rows().items()}
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    again = {key: (r.calculations, r.total_emissions_sum) for key, r in summary_rows().items()}
    assert again == first
    assert DailySummary.objects.count() == 4


def test_refresh_forgets_calculations_erased_since_and_leaves_other_days_alone(calculations):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    CarbonFootprint.objects.filter(country="FR").delete()
    analytics.daily_summary_refresh(first_day=days_ago(1), last_day=days_ago(1))
    assert (days_ago(1), "FR") not in summary_rows()
    assert (days_ago(2), "GB") in summary_rows()


def test_days_are_utc_days():
    last_second = at(days_ago(3)) + datetime.timedelta(hours=11, minutes=59, seconds=59)
    CarbonFootprintFactory(calculation_date=last_second, country="DE")
    CarbonFootprintFactory(
        calculation_date=last_second + datetime.timedelta(seconds=1), country="DE"
    )
    analytics.daily_summary_refresh(first_day=days_ago(3), last_day=days_ago(2))
    rows = summary_rows()
    assert rows[(days_ago(3), "DE")].calculations == 1
    assert rows[(days_ago(2), "DE")].calculations == 1


def test_a_backfill_over_many_months_is_done_a_month_at_a_time():
    for months in range(5):
        calculation(day=days_ago(30 * months + 1))
    written = analytics.daily_summary_refresh(first_day=days_ago(200), last_day=TODAY)
    assert written == 5
    assert DailySummary.objects.count() == 5


def test_the_task_refreshes_the_last_days(calculations):
    assert refresh_daily_summary.delay(days=2).get() == 3  # today GB, yesterday GB and FR
    assert (days_ago(2), "GB") not in summary_rows()


def test_the_task_skips_while_another_run_holds_the_lock(calculations):
    with cache_lock("refresh-daily-summary", timeout_seconds=60) as acquired:
        assert acquired
        assert refresh_daily_summary.delay().get() is None
    assert DailySummary.objects.count() == 0


def test_the_command_refreshes_recent_days_or_everything(calculations, capsys):
    call_command("refresh_daily_summary", "--days", "1")
    assert set(summary_rows()) == {(TODAY, "GB")}
    call_command("refresh_daily_summary", "--all")
    assert len(summary_rows()) == 4
    assert "daily_calculation_summary: 4 rows" in capsys.readouterr().out


# --- Figures ------------------------------------------------------------------------------------


def test_active_users_signed_in_or_calculated_within_the_window():
    now = timezone.now()
    UserFactory(last_login=now - datetime.timedelta(days=2))  # active 7 and 30
    calculated = UserFactory(last_login=None)
    CarbonFootprintFactory(user=calculated, calculation_date=now - datetime.timedelta(days=20))
    UserFactory(last_login=now - datetime.timedelta(days=45), is_verified=False)  # inactive
    users = analytics.analytics_users(now=now)
    assert users["total"] == 3
    assert users["verified"] == 2
    assert users["active"] == {7: 1, 30: 2}


def test_daily_series_fills_days_without_calculations_and_adds_up_countries(calculations):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    series = analytics.analytics_daily(today=TODAY, days=4)
    assert [day["day"] for day in series] == [days_ago(n) for n in (3, 2, 1, 0)]
    assert [day["calculations"] for day in series] == [0, 1, 3, 1]
    yesterday = series[2]
    assert (yesterday["anonymous"], yesterday["signed_in"]) == (1, 2)
    assert yesterday["average_total"] == Decimal("1500.000")  # 4500.001 / 3
    assert series[0]["average_total"] is None


def test_average_by_country_weighs_every_calculation(calculations):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    by_country = {row["country"]: row for row in analytics.analytics_by_country()}
    assert by_country["GB"]["calculations"] == 4
    assert by_country["GB"]["average_total"] == Decimal("1700.000")  # 6800.001 / 4
    assert by_country["FR"]["name"] == "France"
    assert [row["country"] for row in analytics.analytics_by_country()] == ["GB", "FR"]


def test_totals_give_the_anonymous_and_signed_in_shares(calculations):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    totals = analytics.analytics_totals()
    assert (totals["calculations"], totals["anonymous"], totals["signed_in"]) == (5, 2, 3)
    assert totals["anonymous_share"] == pytest.approx(0.4)
    assert totals["first_day"] == days_ago(2)


def test_table_sizes_cover_the_project_tables(calculations):
    sizes = {row["table"]: row for row in analytics.analytics_table_sizes()}
    assert {"carbon_footprints", "users", "daily_calculation_summary"} <= set(sizes)
    assert "user_carbon_summary" not in sizes  # views are not tables
    if not sizes["carbon_footprints"]["estimated"]:
        assert sizes["carbon_footprints"]["rows"] == 5


def test_figures_are_cached_until_the_summary_is_refreshed(calculations, django_assert_num_queries):
    first = analytics.staff_analytics()
    with django_assert_num_queries(0):
        assert analytics.staff_analytics() == first
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    assert cache.get(analytics.ANALYTICS_CACHE_KEY) is None
    assert analytics.staff_analytics()["totals"]["calculations"] == 5


# --- The chart ----------------------------------------------------------------------------------


def test_chart_columns_are_proportional_to_the_counts_on_a_round_axis():
    series = [
        {"day": days_ago(2 - n), "calculations": count} for n, count in enumerate((0, 35, 70))
    ]
    chart = daily_chart(series)
    heights = [column.height for column in chart.columns]
    assert heights[0] == 0
    assert heights[2] == pytest.approx(2 * heights[1])
    assert chart.grid[-1].label == "100"  # 70 rounds up to 100
    assert all(
        column.y + column.height == pytest.approx(chart.baseline_y) for column in chart.columns
    )


# --- The page -----------------------------------------------------------------------------------


def test_staff_see_the_analytics_page(
    client, staff_user, calculations, django_assert_max_num_queries
):
    analytics.daily_summary_refresh(first_day=days_ago(2), last_day=TODAY)
    client.force_login(staff_user)
    # A constant handful, plus on SQLite one COUNT per table for the table sizes.
    tables = len(connection.introspection.django_table_names(only_existing=True))
    with django_assert_max_num_queries(20 + (tables if connection.vendor == "sqlite" else 1)):
        page = client.get(reverse("admin:analytics"))
    assert page.status_code == 200
    html = page.content.decode()
    for heading in (
        "Users",
        "Calculations per day",
        "Average footprint by country",
        "Recommendations taken",
        "Goals",
        "Table sizes",
    ):
        assert heading in html
    assert html.count("<rect") == analytics.CHART_DAYS
    assert "France (FR)" in html


def test_the_cached_page_makes_only_the_sign_in_queries(
    client, staff_user, calculations, django_assert_max_num_queries
):
    client.force_login(staff_user)
    client.get(reverse("admin:analytics"))
    with django_assert_max_num_queries(3):  # session and user only
        assert client.get(reverse("admin:analytics")).status_code == 200


def test_the_page_has_no_inline_script_or_style(client, staff_user, calculations):
    client.force_login(staff_user)
    html = client.get(reverse("admin:analytics")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html
    assert "<style" not in html


def test_the_admin_index_links_to_the_page(client, staff_user):
    client.force_login(staff_user)
    assert reverse("admin:analytics") in client.get(reverse("admin:index")).content.decode()


def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, user):
    response = client.get(reverse("admin:analytics"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(user)
    response = client.get(reverse("admin:analytics"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
