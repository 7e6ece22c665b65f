"""The signed-in pages about a person's own history: the dashboard and every result so far.

Thin: the selectors read (cached per user where it pays), the goals and recommendations apps say
where the person stands; this module only shapes their answers for the templates, and lays out
the charts over time (numbers in, SVG coordinates out, like `charts`).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from carbon_site import user_cache
from goals.models import UserGoal
from goals.selectors import goal_list, goals_with_progress
from recommendations.selectors import recommendation_list, recommendation_stats

from . import charts
from .forms import CATEGORY_LABELS, HistoryFilterForm
from .models import CATEGORIES, CarbonFootprint
from .selectors import footprint_latest, footprint_list, footprint_stats, footprint_trend
from .views import confidence_words

HISTORY_PAGE_SIZE = 20
TOP_ACTIONS = 5
STACKED_MONTHS = 12  # the stacked chart shows the last year with calculations; the table has all

# --- Charts over time ---------------------------------------------------------------------------

# Narrow on purpose: an SVG scales its text with its width, and on a 375 px phone the chart is
# about 310 px wide, so 360 units keep the 14-unit labels of site.css at 12 px or more there.
# On wide screens site.css caps the chart's width so the labels stay near the body text's size.
TIME_CHART_WIDTH = 360
TIME_CHART_HEIGHT = 230
PLOT_LEFT = 56  # room for the value labels ("12.5 t")
PLOT_RIGHT_GAP = 14  # the last date label is centred on its point: keep it inside
PLOT_TOP = 10
AXIS_ROOM = 30  # date labels under the plot
DATE_TICKS = 5
# The least room between two date ticks: a label ("30 Sep 2026") is about 85 wide, and one
# anchored at the plot's edge beside a centred one needs one and a half of those.
DATE_TICK_GAP = 130
# A month's label ("Sep") and the room around it: columns narrower than this are labelled every
# other one (or every third...), counted back from the latest, which is always labelled.
MONTH_LABEL_ROOM = 34
COLUMN_GAP = 0.3  # share of a column's slot left empty


@dataclass(frozen=True, slots=True)
class TimeSeries:
    """One line to draw: dated values, oldest first."""

    key: str
    label: str
    points: Sequence[tuple[datetime.date, float]]
    tone: str = "default"  # a CSS modifier: default, target


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    title: str  # what a pointer shows; the table beside the chart says it for everyone


@dataclass(frozen=True, slots=True)
class ChartLine:
    key: str
    label: str
    tone: str
    points: tuple[ChartPoint, ...]

    @property
    def path(self) -> str:
        """The SVG polyline's points attribute."""
        return " ".join(f"{point.x},{point.y}" for point in self.points)


@dataclass(frozen=True, slots=True)
class AxisTick:
    position: float  # y for a value tick, x for a date tick
    label: str
    anchor: str = "middle"


@dataclass(frozen=True, slots=True)
class Segment:
    key: str
    y: float
    height: float
    title: str


@dataclass(frozen=True, slots=True)
class Column:
    x: float
    width: float
    centre: float
    label: str  # the month, or nothing where the columns are too narrow to label each
    sublabel: str  # the year, under the first labelled column of each year
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class TimeChart:
    """A line chart (`lines`) or a stacked column chart (`columns`) over a value axis from 0."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    value_ticks: tuple[AxisTick, ...]
    date_ticks: tuple[AxisTick, ...] = ()
    lines: tuple[ChartLine, ...] = ()
    columns: tuple[Column, ...] = ()

    @property
    def label_y(self) -> float:
        return self.plot_bottom + 18

    @property
    def sublabel_y(self) -> float:
        return self.plot_bottom + 34


def _value_axis(largest: float, top: float, bottom: float) -> tuple[Callable, tuple]:
    axis_max, step = charts.nice_ceiling(largest if math.isfinite(largest) else 0.0)

    def y_of(value: float) -> float:
        share = max(0.0, min(value, axis_max)) / axis_max
        return round(bottom - share * (bottom - top), 1)

    ticks = tuple(
        AxisTick(y_of(i * step), charts.tick_label(i * step, axis_max), "end")
        for i in range(round(axis_max / step) + 1)
    )
    return y_of, ticks


def time_line_chart(
    series: Sequence[TimeSeries],
    *,
    date_label: Callable[[datetime.date], str],
    value_label: Callable[[float], str],
    width: float = TIME_CHART_WIDTH,
    height: float = TIME_CHART_HEIGHT,
) -> TimeChart:
    """Lines over a shared time axis (x by date) and a value axis from zero to a round maximum.

    Date ticks sit on dates that have a point, so a label always names a real calculation: at
    most DATE_TICKS, near even steps in time, never closer than DATE_TICK_GAP; the first and the
    last date are always labelled. A single date is drawn in the middle.
    """
    dates = sorted({day for line in series for day, _ in line.points})
    values = [value for line in series for _, value in line.points]
    plot_right, plot_bottom = width - PLOT_RIGHT_GAP, height - AXIS_ROOM
    y_of, value_ticks = _value_axis(max(values, default=0.0), PLOT_TOP, plot_bottom)
    first, last = (dates[0], dates[-1]) if dates else (None, None)
    span_days = (last - first).days if dates else 0

    def x_of(day: datetime.date) -> float:
        if not span_days:
            return round((PLOT_LEFT + plot_right) / 2, 1)
        return round(PLOT_LEFT + (day - first).days / span_days * (plot_right - PLOT_LEFT), 1)

    lines = tuple(
        ChartLine(
            key=line.key,
            label=line.label,
            tone=line.tone,
            points=tuple(
                ChartPoint(x_of(day), y_of(value), f"{date_label(day)}: {value_label(value)}")
                for day, value in line.points
            ),
        )
        for line in series
    )
    picked = _date_ticks(dates, x_of)
    date_ticks = tuple(
        AxisTick(
            x_of(day),
            date_label(day),
            "middle" if not span_days else _edge_anchor(index, len(picked)),
        )
        for index, day in enumerate(picked)
    )
    return TimeChart(
        width=width,
        height=height,
        plot_left=PLOT_LEFT,
        plot_right=plot_right,
        plot_top=PLOT_TOP,
        plot_bottom=plot_bottom,
        value_ticks=value_ticks,
        date_ticks=date_ticks,
        lines=lines,
    )


def _date_ticks(
    dates: Sequence[datetime.date], x_of: Callable[[datetime.date], float]
) -> list[datetime.date]:
    if len(dates) <= 1:
        return list(dates)
    first, last = dates[0], dates[-1]
    step = (last - first) / (DATE_TICKS - 1)
    wanted = [first + step * i for i in range(DATE_TICKS)]
    candidates = sorted({min(dates, key=lambda day, at=at: abs(day - at)) for at in wanted})
    kept = [first]
    for day in candidates[1:]:
        if x_of(day) - x_of(kept[-1]) < DATE_TICK_GAP:
            if day != last:
                continue
            if len(kept) > 1:
                kept.pop()  # the last date wins over its neighbour
            elif x_of(day) - x_of(first) < DATE_TICK_GAP:
                continue  # two dates too close to label both: the first says when it started
        kept.append(day)
    return kept


def _edge_anchor(index: int, count: int) -> str:
    if index == 0:
        return "start"
    return "end" if index == count - 1 else "middle"


def stacked_column_chart(
    months: Sequence[tuple[datetime.date, Mapping[str, float]]],
    *,
    keys: Sequence[str],
    key_label: Callable[[str], str],
    value_label: Callable[[float], str],
    width: float = TIME_CHART_WIDTH,
    height: float = TIME_CHART_HEIGHT,
) -> TimeChart:
    """One column per month, its parts stacked in the order of `keys` from the axis up."""
    plot_right, plot_bottom = width - PLOT_RIGHT_GAP, height - AXIS_ROOM - 16  # two label rows
    largest = max((sum(parts.values()) for _, parts in months), default=0.0)
    y_of, value_ticks = _value_axis(largest, PLOT_TOP, plot_bottom)
    slot = (plot_right - PLOT_LEFT) / max(len(months), 1)
    stride = max(1, math.ceil(MONTH_LABEL_ROOM / slot))
    labelled = [index for index in range(len(months)) if (len(months) - 1 - index) % stride == 0]
    years = {}  # the year goes under the first labelled column and the first of each new year
    for index in labelled:
        year = months[index][0].year
        if year not in years.values():
            years[index] = year
    columns = []
    for index, (month, parts) in enumerate(months):
        x = PLOT_LEFT + index * slot + slot * COLUMN_GAP / 2
        running, segments = 0.0, []
        for key in keys:
            value = max(parts.get(key, 0.0), 0.0)
            top, bottom = y_of(running + value), y_of(running)
            segments.append(
                Segment(
                    key,
                    top,
                    round(bottom - top, 1),
                    f"{month:%B %Y}, {key_label(key)}: {value_label(value)}",
                )
            )
            running += value
        columns.append(
            Column(
                x=round(x, 1),
                width=round(slot * (1 - COLUMN_GAP), 1),
                centre=round(x + slot * (1 - COLUMN_GAP) / 2, 1),
                label=f"{month:%b}" if index in labelled else "",
                sublabel=str(years[index]) if index in years else "",
                segments=tuple(segments),
            )
        )
    return TimeChart(
        width=width,
        height=height,
        plot_left=PLOT_LEFT,
        plot_right=plot_right,
        plot_top=PLOT_TOP,
        plot_bottom=plot_bottom,
        value_ticks=value_ticks,
        columns=tuple(columns),
    )


def _month(day: datetime.date) -> str:
    return f"{day:%b %Y}"


# --- Dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """A change between two calculations, said the way people say it: "down 12.0 %"."""

    element_id: str
    since: str  # "since your previous calculation"
    kg: Decimal
    percent: Decimal | None

    @property
    def direction(self) -> str:
        if self.kg < 0:
            return "down"
        return "up" if self.kg > 0 else "same"

    @property
    def words(self) -> str:
        if self.direction == "same":
            return "no change"
        if self.percent is None:
            return self.direction
        return f"{self.direction} {abs(self.percent):.1f}\u00a0%"

    @property
    def kg_words(self) -> str:
        """350 kg less, 120 kg more; empty when nothing changed."""
        if self.direction == "same":
            return ""
        more_or_less = "less" if self.direction == "down" else "more"
        return f"{charts.kg_text(float(abs(self.kg)))} {more_or_less}"


def _changes(stats: Mapping) -> list[Change]:
    """Since the previous calculation, then since the first (when that is another one)."""
    changes = []
    if stats["change_since_previous"] is not None:
        raw = stats["change_since_previous"]
        changes.append(
            Change("change-previous", "since your previous calculation", raw["kg"], raw["percent"])
        )
    if stats["change_since_first"] is not None and stats["count"] > 2:
        raw = stats["change_since_first"]
        changes.append(
            Change("change-first", "since your first calculation", raw["kg"], raw["percent"])
        )
    return changes


def _trend_chart(trend: list[dict]) -> TimeChart:
    return time_line_chart(
        [
            TimeSeries(
                "total",
                "Your footprint",
                [(month["start"], float(month["total"])) for month in trend],
            )
        ],
        date_label=_month,
        value_label=charts.kg_text,
    )


def _stacked_chart(trend: list[dict]) -> TimeChart:
    return stacked_column_chart(
        [
            (month["start"], {c: float(kg) for c, kg in month["breakdown"].items()})
            for month in trend[-STACKED_MONTHS:]
        ],
        keys=CATEGORIES,
        key_label=CATEGORY_LABELS.__getitem__,
        value_label=charts.kg_text,
    )


def _breakdown_chart(footprint) -> charts.BarChart:
    return charts.horizontal_bar_chart(
        [
            charts.BarItem(
                category, CATEGORY_LABELS[category], float(kg), charts.kg_text(float(kg))
            )
            for category, kg in footprint.breakdown.items()
        ]
    )


@require_safe
@login_required
def dashboard(request):
    """Where the person stands: the latest total and its changes, the trend, goals, actions."""
    user = request.user
    stats = footprint_stats(user=user)
    if not stats["count"]:
        return render(request, "footprints/dashboard.html", {"stats": stats})
    latest = footprint_latest(user=user)
    trend = footprint_trend(user=user, period="month")
    today = timezone.now().date()
    goals = goals_with_progress(
        goals=goal_list(user=user, status=UserGoal.Status.ACTIVE),
        user=user,
        today=today,
        latest=latest,
    )
    total_kg = float(stats["latest_total"])
    # A few dozen at most.
    open_actions = list(recommendation_list(user=user, implemented=False, latest=latest))
    context = {
        # The charts and their tables are most of the page's rendering and change only with the
        # user's footprints: rendered once per version of the user's data (the template's cache
        # tag), then served from the cache until a new calculation, a claim or an erasure.
        "charts_cache_seconds": user_cache.TIMEOUT_SECONDS,
        "charts_cache_version": user_cache.user_cache_version(user.pk),
        "stats": stats,
        "latest": latest,
        "total_kg": total_kg,
        "changes": _changes(stats),
        "trend": trend,
        "trend_chart": _trend_chart(trend),
        "stacked_months": trend[-STACKED_MONTHS:],
        "stacked_chart": _stacked_chart(trend),
        "categories": [(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
        "breakdown_chart": _breakdown_chart(latest),
        "goals": goals,
        "actions": open_actions[:TOP_ACTIONS],
        "action_stats": recommendation_stats(user=user, open_count=len(open_actions)),
    }
    return render(request, "footprints/dashboard.html", context)


# --- History ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryRow:
    footprint: CarbonFootprint
    confidence: str


@require_safe
@login_required
def history(request):
    """Every result, newest first, twenty a page, between two dates if asked."""
    form = HistoryFilterForm(request.GET)
    page = None
    if form.is_valid():
        footprints = footprint_list(
            user=request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
        page = Paginator(footprints, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [
            HistoryRow(footprint, confidence_words(float(footprint.confidence_score)))
            for footprint in (page or ())
        ],
        "page_links": (
            page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            if page is not None
            else ()
        ),
        "filtered": bool(
            form.is_valid() and (form.cleaned_data["date_from"] or form.cleaned_data["date_to"])
        ),
    }
    return render(request, "footprints/history.html", context)
