"""The dashboard (/dashboard/): where a signed-in person stands, over a history known in advance."""

import datetime
import itertools
from decimal import Decimal

import factory
import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from footprints.dashboard_views import Change, stacked_column_chart, time_line_chart
from footprints.models import CATEGORIES
from footprints.tests.factories import BREAKDOWN_KG, CarbonFootprintFactory
from footprints.tests.test_views_calculator import assert_page_structure, page
from goals.models import UserGoal
from goals.tests.factories import UserGoalFactory
from recommendations.catalogue import CATALOGUE
from recommendations.services import recommendation_implement
from recommendations.tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
FACTORY_TOTAL = sum(BREAKDOWN_KG.values())  # 7,800 kg


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def footprint(user, day: datetime.date, total_kg: str):
    """A calculation on `day` whose categories are the factory's, scaled to `total_kg`."""
    total = Decimal(total_kg)
    scale = total / FACTORY_TOTAL
    parts = {
        f"{c}_emissions": (kg * scale).quantize(Decimal("0.001")) for c, kg in BREAKDOWN_KG.items()
    }
    parts["other_emissions"] = total - sum(
        value for name, value in parts.items() if name != "other_emissions"
    )
    return CarbonFootprintFactory(
        user=user, calculation_date=at(day), total_emissions=total, **parts
    )


@pytest.fixture
def history(user):
    """Four calculations over 2025: two in May, so May's point is their average (6,200 kg)."""
    return [
        footprint(user, datetime.date(2025, 1, 10), "8000"),
        footprint(user, datetime.date(2025, 3, 5), "7000"),
        footprint(user, datetime.date(2025, 5, 1), "6000"),
        footprint(user, datetime.date(2025, 5, 20), "6400"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_with_no_calculation_a_friendly_empty_state_invites_the_first(client, user):
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    assert "Your first calculation starts here" in parsed.text("empty-state")
    links = [attrs["href"] for tag, attrs in parsed.inside("empty-state") if tag == "a"]
    assert links == ["/calculate/", "/calculate/quick/"]
    assert parsed.count("svg") == 0


def test_one_calculation_shows_its_total_and_no_change_yet(client, user):
    only = footprint(user, datetime.date(2025, 4, 2), "9150")
    client.force_login(user)
    response = client.get(DASHBOARD)
    parsed = assert_page_structure(response)
    assert parsed.text("total") == "9.2 tonnes CO 2 e a year"  # 9,150 kg
    assert "9,150\u00a0kg per person a year" in response.content.decode()
    assert "This is your first calculation" in parsed.text("change-previous")
    assert f'href="/results/{only.calculation_uuid}/"' in response.content.decode()
    points = [attrs for tag, attrs in parsed.tags if tag == "circle"]
    assert len(points) == 1
    assert "April 2025" in parsed.text("trend-table")


def test_the_latest_total_and_its_changes_over_a_known_history(client, user, history):
    client.force_login(user)
    response = client.get(DASHBOARD)
    parsed = assert_page_structure(response)
    assert parsed.text("total") == "6.4 tonnes CO 2 e a year"
    # 6,400 after 6,000: up 400 kg, 400 / 6000 = 6.67 %; after 8,000 first: down 1,600 kg, 20 %.
    previous = parsed.text("change-previous").replace("\u00a0", " ")
    assert "Up 6.7 % (400 kg more) since your previous calculation" in previous
    first = parsed.text("change-first").replace("\u00a0", " ")
    assert "Down 20.0 % (1,600 kg less) since your first calculation" in first
    assert "4 calculations since 10 January 2025;" in parsed.text("dashboard-meta")


def test_the_trend_is_charted_month_by_month_with_a_table(client, user, history):
    client.force_login(user)
    parsed = assert_page_structure(client.get(DASHBOARD))
    table = parsed.text("trend-table")
    for month, kg in (("January 2025", "8,000"), ("March 2025", "7,000"), ("May 2025", "6,200")):
        assert f"{month} {kg}" in table
    assert "May 2025 6,200 2" in table  # two calculations averaged
    assert parsed.text("trend-chart-title") == "Your footprint month by month"
    lines = [attrs for tag, attrs in parsed.tags if tag == "polyline"]
    assert len(lines) == 1
    assert len(lines[0]["points"].split()) == 3


def test_the_categories_are_stacked_month_by_month(client, user, history):
    client.force_login(user)
    parsed = assert_page_structure(client.get(DASHBOARD))
    segments = [
        attrs
        for tag, attrs in parsed.tags
        if tag == "rect" and "chart-segment" in attrs.get("class", "")
    ]
    assert len(segments) == 3 * len(CATEGORIES)
    table = parsed.text("stacked-table")
    # May's transport: the factory's 2,400 of 7,800, scaled to 6,000 and 6,400, averaged.
    may_transport = (Decimal(2400) * 6000 / 7800 + Decimal(2400) * 6400 / 7800) / 2
    assert f"{may_transport:,.0f}" in table
    legend = [
        attrs for tag, attrs in parsed.tags if tag == "span" and "swatch" in attrs.get("class", "")
    ]
    assert len(legend) == len(CATEGORIES)


def test_the_latest_breakdown_reuses_the_bar_chart(client, user, history):
    client.force_login(user)
    parsed = assert_page_structure(client.get(DASHBOARD))
    bars = [
        attrs
        for tag, attrs in parsed.tags
        if tag == "rect" and "chart-bar" in attrs.get("class", "")
    ]
    assert len(bars) == len(CATEGORIES)
    transport = Decimal(2400) * 6400 / 7800
    assert f"Transport {transport:,.0f}" in parsed.text("breakdown-table")


def test_active_goals_show_their_progress(client, user, history):
    goal = UserGoalFactory(
        user=user,
        baseline_emissions=Decimal("8000"),
        reduction_percentage=Decimal("25"),
        target_emissions=Decimal("6000"),
        target_date=timezone.now().date() + datetime.timedelta(days=40),
    )
    UserGoalFactory(user=user, status=UserGoal.Status.ACHIEVED, description="Old one")
    client.force_login(user)
    response = client.get(DASHBOARD)
    parsed = assert_page_structure(response)
    text = parsed.text("goals")
    assert "Cut your footprint by 25 %" in text
    # From 8,000 to 6,000, now at 6,400: 1,600 of 2,000 kg done.
    assert "80 % of the way from 8,000 kg to 6,000 kg a year" in text
    assert "On track" in text
    assert "40 days left" in text
    progress = [attrs for tag, attrs in parsed.tags if tag == "progress"]
    assert [p["value"] for p in progress] == ["80.0"]
    assert progress[0]["aria-labelledby"] == f"goal-{goal.uuid}-percent"
    assert "Old one" not in text


def test_the_top_open_actions_come_with_buttons_and_the_done_ones_are_counted(
    client, user, history
):
    latest = history[-1]
    actions = [
        RecommendationFactory(
            carbon_footprint=latest,
            action_code=CATALOGUE[n].code,
            category=CATALOGUE[n].category,
            priority=n,
        )
        for n in range(1, 8)
    ]
    recommendation_implement(user=user, recommendation=actions[0])
    client.force_login(user)
    response = client.get(DASHBOARD)
    parsed = assert_page_structure(response)
    body = response.content.decode()
    shown = [n for n in range(1, 8) if f"<h3>{CATALOGUE[n].title}</h3>" in body]
    assert shown == [2, 3, 4, 5, 6]  # the done one is not offered; five at most
    implement_forms = [
        attrs["action"]
        for tag, attrs in parsed.tags
        if tag == "form" and "implement" in attrs.get("action", "")
    ]
    assert implement_forms == [f"/recommendations/{a.uuid}/implement/" for a in actions[1:6]]
    stats = parsed.text("action-stats")
    assert "You have done 1 action, saving about 280 kg CO 2 e a year." in stats.replace(
        "\u00a0", " "
    )
    assert "6 more are open." in stats


def test_links_to_the_history_and_to_calculate_again(client, user, history):
    client.force_login(user)
    body = client.get(DASHBOARD).content.decode()
    assert 'href="/history/"' in body
    assert 'href="/calculate/">Calculate again' in body


def test_the_navigation_marks_the_dashboard_as_the_current_page(client, user):
    client.force_login(user)
    body = client.get(DASHBOARD).content.decode()
    assert '<a href="/dashboard/" aria-current="page">Dashboard</a>' in body
    assert '<a href="/history/">History</a>' in body
    assert '<a href="/goals/">Goals</a>' in body


def test_anonymous_visitors_have_no_dashboard_link(client):
    assert 'href="/dashboard/"' not in client.get("/").content.decode()


def test_only_the_signed_in_persons_history_counts(client, user, history):
    footprint(UserFactory(), datetime.date(2025, 6, 1), "20000")
    client.force_login(user)
    parsed = page(client.get(DASHBOARD))
    assert parsed.text("total") == "6.4 tonnes CO 2 e a year"
    assert "June 2025" not in parsed.text("trend-table")


def test_the_dashboard_makes_a_bounded_number_of_queries_over_500_calculations(
    client, user, django_assert_max_num_queries
):
    start = datetime.date(2020, 1, 1)
    days = [at(start + datetime.timedelta(days=3 * n)) for n in range(500)]
    footprints = CarbonFootprintFactory.create_batch(
        500, user=user, calculation_date=factory.Iterator(days)
    )
    RecommendationFactory.create_batch(8, carbon_footprint=footprints[-1])
    UserGoalFactory.create_batch(3, user=user)
    client.force_login(user)
    with django_assert_max_num_queries(11):  # a cold cache: the stats and trend are computed
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    parsed = assert_page_structure(response)
    assert len(parsed.text("trend-table").split("2020")) > 1
    # Cached per user until something changes: the session, the user, the latest footprint (read
    # once for the page, its goals and its actions), the goals, three for the actions and one for
    # what the user has done.
    with django_assert_max_num_queries(8):
        client.get(DASHBOARD)


def test_the_dashboard_only_answers_reads(client, user):
    client.force_login(user)
    assert client.post(DASHBOARD).status_code == 405


# --- The chart geometry --------------------------------------------------------------------------


def test_a_change_is_said_in_words():
    down = Change("c", "since", Decimal("-350"), Decimal("-4.3"))
    assert (down.direction, down.words, down.kg_words) == (
        "down",
        "down 4.3\u00a0%",
        "350\u00a0kg less",
    )
    same = Change("c", "since", Decimal("0"), Decimal("0.0"))
    assert (same.direction, same.words, same.kg_words) == ("same", "no change", "")


def test_points_are_placed_by_date_on_a_round_value_axis():
    from footprints.dashboard_views import PLOT_LEFT, TimeSeries

    chart = time_line_chart(
        [
            TimeSeries(
                "total",
                "Total",
                [
                    (datetime.date(2025, 1, 1), 8000.0),
                    (datetime.date(2025, 1, 11), 6000.0),
                    (datetime.date(2025, 1, 21), 4000.0),
                ],
            )
        ],
        date_label=str,
        value_label=str,
        width=200,
        height=130,
    )
    [line] = chart.lines
    xs = [point.x for point in line.points]
    assert xs[0] == PLOT_LEFT and xs[-1] == chart.plot_right
    assert xs[1] == pytest.approx((xs[0] + xs[2]) / 2, abs=0.1)
    # 0 to 8,000 kg on a plot 90 units tall (10 to 100): 8,000 at the top, 4,000 half way.
    assert [point.y for point in line.points] == [10.0, 32.5, 55.0]
    assert [tick.label for tick in chart.value_ticks] == ["0 t", "2 t", "4 t", "6 t", "8 t"]
    # The middle date is 65 units from each end, too close to label: only the ends are.
    assert [(tick.label, tick.anchor) for tick in chart.date_ticks] == [
        ("2025-01-01", "start"),
        ("2025-01-21", "end"),
    ]


def test_date_labels_never_crowd_even_when_the_dates_cluster():
    from footprints.dashboard_views import DATE_TICK_GAP, TimeSeries

    start = datetime.date(2024, 3, 1)
    monthly = [(start + datetime.timedelta(days=30 * n), 8000.0 - 100 * n) for n in range(15)]
    target = [(start, 9000.0), (datetime.date(2027, 6, 1), 5400.0)]
    chart = time_line_chart(
        [TimeSeries("path", "Path", target), TimeSeries("actual", "Actual", monthly)],
        date_label=str,
        value_label=str,
        width=480,  # room for a label between the ends
    )
    xs = [tick.position for tick in chart.date_ticks]
    assert all(later - earlier >= DATE_TICK_GAP for earlier, later in itertools.pairwise(xs))
    labels = [tick.label for tick in chart.date_ticks]
    assert labels[0] == "2024-03-01" and labels[-1] == "2027-06-01"
    assert 2 < len(labels) <= 5


def test_a_single_date_is_drawn_in_the_middle():
    from footprints.dashboard_views import TimeSeries

    chart = time_line_chart(
        [TimeSeries("total", "Total", [(datetime.date(2025, 1, 1), 5000.0)])],
        date_label=str,
        value_label=str,
    )
    [point] = chart.lines[0].points
    assert point.x == round((chart.plot_left + chart.plot_right) / 2, 1)
    assert [tick.anchor for tick in chart.date_ticks] == ["middle"]


def test_columns_stack_their_parts_up_to_the_total():
    chart = stacked_column_chart(
        [(datetime.date(2025, 1, 1), {"a": 1000.0, "b": 3000.0})],
        keys=("a", "b"),
        key_label=str.upper,
        value_label=str,
    )
    [column] = chart.columns
    lower, upper = column.segments
    assert lower.y + lower.height == pytest.approx(chart.plot_bottom, abs=0.1)
    assert upper.y + upper.height == pytest.approx(lower.y, abs=0.1)
    assert upper.height == pytest.approx(3 * lower.height, abs=0.2)
    assert upper.y == chart.plot_top  # 4,000 kg is the axis maximum
    assert column.sublabel == "2025"


def test_the_charts_come_from_the_cache_until_the_next_calculation_changes_them(
    client, user, history, django_capture_on_commit_callbacks
):
    """The charts are rendered once per version of the user's footprints, never shown stale."""
    from carbon_site.http import RequestMeta
    from footprints.services import footprint_record

    client.force_login(user)
    first = page(client.get(DASHBOARD))
    assert "6,400" in first.text("breakdown-table")  # the latest: 20 May 2025
    again = page(client.get(DASHBOARD))
    assert again.text("breakdown-table") == first.text("breakdown-table")
    with django_capture_on_commit_callbacks(execute=True):
        footprint_record(
            user=user,
            answers={"country": "GB", "electricity": {"kwh_per_year": 1000}},
            request_meta=RequestMeta("198.51.100.7", "pytest"),
        )
    after = page(client.get(DASHBOARD))
    assert "6,400" not in after.text("breakdown-table")
    assert after.text("breakdown-table") != first.text("breakdown-table")
    assert after.text("trend-table") != first.text("trend-table")
