"""The staff analytics page, /admin/analytics/: users, calculations, actions taken, goals, tables.

Staff only (the admin's own login and `is_staff` check). Users and calculations come from
footprints.analytics.staff_analytics (summary table + indexed aggregates, cached a few minutes);
recommendation and goal rates from their apps' selectors, cached a few minutes: the
recommendation rates are read from the summary table action_rate_summary (refreshed hourly by
the task `refresh_action_rates`), never counted from recommendations on a page view.
This module only gathers and lays out. The chart is server-rendered SVG with presentation
attributes: no script and no inline style, so the strict CSP holds.

`install(site)` adds the URL to an AdminSite (footprints/admin.py calls it for admin.site); the
admin index links to it (templates/admin/index.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.core.cache import cache
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from footprints.analytics import ACTIVE_WINDOWS_DAYS, CHART_DAYS, staff_analytics
from goals.selectors import goal_staff_stats
from recommendations.selectors import recommendation_staff_rates

RATES_CACHE_KEY = "staff-analytics:rates:v2"
RATES_CACHE_SECONDS = 5 * 60

CHART_WIDTH = 640
PLOT_LEFT = 44  # room for the value labels of the y axis
PLOT_TOP = 10
PLOT_HEIGHT = 160
AXIS_LABELS_HEIGHT = 24
COLUMN_GAP = 2
GRID_STEPS = 4


@dataclass(frozen=True, slots=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    day: object
    calculations: int
    label: str  # the x-axis label under this column, or ""


@dataclass(frozen=True, slots=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class DailyChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline_y: float
    label_y: float
    columns: tuple[Column, ...]
    grid: tuple[GridLine, ...]


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (at least 1)."""
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= value:
                return step * multiple
        step *= 10


def daily_chart(daily: list[dict]) -> DailyChart:
    """Column geometry for calculations per day, in the SVG's own units."""
    axis_max = _nice_ceiling(max((day["calculations"] for day in daily), default=0))
    axis_max = max(axis_max, GRID_STEPS)
    plot_width = CHART_WIDTH - PLOT_LEFT
    slot = plot_width / max(len(daily), 1)
    baseline = PLOT_TOP + PLOT_HEIGHT
    columns = []
    for index, day in enumerate(daily):
        height = PLOT_HEIGHT * day["calculations"] / axis_max
        # Label the first day and then every seventh, so the labels never collide.
        label = day["day"].strftime("%d %b") if index % 7 == 0 else ""
        columns.append(
            Column(
                x=round(PLOT_LEFT + index * slot + COLUMN_GAP / 2, 2),
                y=round(baseline - height, 2),
                width=round(slot - COLUMN_GAP, 2),
                height=round(height, 2),
                day=day["day"],
                calculations=day["calculations"],
                label=label,
            )
        )
    grid = tuple(
        GridLine(
            y=round(baseline - PLOT_HEIGHT * step / GRID_STEPS, 2),
            label=f"{axis_max * step // GRID_STEPS:,}",
        )
        for step in range(GRID_STEPS + 1)
    )
    return DailyChart(
        width=CHART_WIDTH,
        height=PLOT_TOP + PLOT_HEIGHT + AXIS_LABELS_HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=CHART_WIDTH,
        baseline_y=baseline,
        label_y=baseline + 16,
        columns=tuple(columns),
        grid=grid,
    )


def _rates_compute() -> dict:
    return {
        "computed_at": timezone.now(),
        "recommendations": recommendation_staff_rates(),
        "goals": goal_staff_stats(),
    }


def staff_rates() -> dict:
    """Recommendation implementation and goal achievement rates, cached RATES_CACHE_SECONDS
    (the recommendation rates come from their summary table, with its refresh time)."""
    return cache.get_or_set(RATES_CACHE_KEY, _rates_compute, timeout=RATES_CACHE_SECONDS)


def analytics_view(request, *, site: admin.AdminSite):
    figures = staff_analytics()
    context = {
        **site.each_context(request),
        "title": "Analytics",
        "figures": figures,
        "rates": staff_rates(),
        "chart": daily_chart(figures["daily"]),
        "chart_days": CHART_DAYS,
        "active_windows": [
            {"days": days, "count": figures["users"]["active"][days]}
            for days in ACTIVE_WINDOWS_DAYS
        ],
    }
    return TemplateResponse(request, "admin/analytics.html", context)


def install(site: admin.AdminSite) -> None:
    """Serve the page at <admin>/analytics/ (URL name `admin:analytics`), staff only."""
    if getattr(site, "analytics_installed", False):
        return
    site_urls = site.get_urls

    def get_urls():
        view = site.admin_view(lambda request: analytics_view(request, site=site))
        return [path("analytics/", view, name="analytics"), *site_urls()]

    site.get_urls = get_urls
    site.analytics_installed = True
