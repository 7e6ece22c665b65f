"""Geometry of the server-rendered SVG charts: numbers in, coordinates out (no Django, no I/O).

A horizontal bar chart draws one row per item: the label on a line of its own across the full
width (so the chart stays legible when a phone scales it down), the bar below it with its value
beside it, or inside its end when the bar is too long to leave room.
Every length is in the SVG's own units (its viewBox); templates only copy the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CHART_WIDTH = 360
CHAR_WIDTH = 8.2  # average width of a 15-unit character of the system sans-serif font
LABEL_LINE = 20  # height of the text line above each bar
BAR_HEIGHT = 18
ROW_GAP = 14
AXIS_HEIGHT = 26  # tick labels under the last bar
TICK_TARGET = 4  # about this many intervals on the axis
VALUE_ROOM = 80  # room a value label ("12,345 kg") needs beside a bar before it goes inside
VALUE_GAP = 6


def kg_text(value: float) -> str:
    """Kilograms as the pages write them: 8,123 kg, the number and its unit never parted at a
    line end."""
    return f"{value:,.0f}\u00a0kg"


@dataclass(frozen=True, slots=True)
class BarItem:
    """One row to draw; `low`/`high` draw a range whisker (quick-mode intervals)."""

    key: str
    label: str
    value: float
    value_label: str
    tone: str = "default"  # a CSS modifier: default, you, target, muted
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    key: str
    label: str
    value: float
    value_label: str
    tone: str
    text_y: float  # baseline of the label line
    y: float  # top of the bar
    width: float
    height: float
    value_x: float = 0.0
    value_y: float = 0.0
    value_anchor: str = "start"
    value_inside: bool = False  # drawn inside the bar's end (long bars), in the bar's text colour
    range_x1: float | None = None
    range_x2: float | None = None
    range_y: float | None = None  # centre line of the bar, where the whisker is drawn

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    value: float
    label: str
    anchor: str  # SVG text-anchor: start, middle or end


@dataclass(frozen=True, slots=True)
class BarChart:
    width: float
    height: float
    axis_y: float  # bottom of the plot, where the tick labels start
    tick_y: float  # baseline of the tick labels
    plot_top: float
    axis_max: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def nice_step(span: float, intervals: int = TICK_TARGET) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `intervals` steps."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def nice_ceiling(value: float, intervals: int = TICK_TARGET) -> tuple[float, float]:
    """The axis maximum (a whole number of nice steps at or above `value`) and its step."""
    step = nice_step(value, intervals)
    if value <= 0 or not math.isfinite(value):
        return step * intervals, step
    return math.ceil(value / step - 1e-9) * step, step


def tick_label(value: float, axis_max: float) -> str:
    """One unit along a whole axis: tonnes once the axis reaches a tonne, else kilograms."""
    if axis_max >= 1000:
        return f"{value / 1000:,.{_decimals(value / 1000)}f} t"
    return f"{value:,.{_decimals(value)}f} kg"


def _decimals(number: float) -> int:
    for places in range(3):
        if abs(round(number, places) - number) < 1e-9:
            return places
    return 3


def fit_label(label: str, width: float) -> str:
    """Shorten a label to what a line of `width` can hold (the data table keeps it whole)."""
    room = max(4, int(width / CHAR_WIDTH))
    return label if len(label) <= room else label[: room - 1].rstrip() + "…"


def _scale(value: float, axis_max: float, width: float) -> float:
    return round(max(0.0, min(value, axis_max)) / axis_max * width, 1)


def horizontal_bar_chart(items: Sequence[BarItem], *, width: float = CHART_WIDTH) -> BarChart:
    """Lay out one bar per item on a shared axis from zero to a round maximum.

    Negative or non-finite values draw as empty bars; the axis covers the largest value or range
    end, so no bar or whisker ever leaves the plot.
    """
    finite = [
        number
        for item in items
        for number in (item.value, item.high)
        if number is not None and math.isfinite(number) and number > 0
    ]
    axis_max, step = nice_ceiling(max(finite, default=0.0))
    row_height = LABEL_LINE + BAR_HEIGHT + ROW_GAP
    plot_top = 0.0
    bars = []
    for index, item in enumerate(items):
        top = plot_top + index * row_height
        value = item.value if math.isfinite(item.value) else 0.0
        has_range = item.low is not None and item.high is not None
        bar_width = _scale(value, axis_max, width)
        if has_range:  # the whisker runs past the bar: the value goes up on the label line
            value_x, value_y, anchor, inside = width, top + LABEL_LINE - 6, "end", False
        elif bar_width + VALUE_GAP + VALUE_ROOM > width:
            value_x, value_y, anchor, inside = (
                bar_width - VALUE_GAP,
                top + LABEL_LINE + 13,
                "end",
                True,
            )
        else:
            value_x, value_y, anchor, inside = (
                bar_width + VALUE_GAP,
                top + LABEL_LINE + 13,
                "start",
                False,
            )
        bars.append(
            Bar(
                key=item.key,
                label=fit_label(item.label, width),
                value=value,
                value_label=item.value_label,
                tone=item.tone,
                text_y=top + LABEL_LINE - 6,
                y=top + LABEL_LINE,
                width=bar_width,
                height=BAR_HEIGHT,
                value_x=round(value_x, 1),
                value_y=value_y,
                value_anchor=anchor,
                value_inside=inside,
                range_x1=_scale(item.low, axis_max, width) if has_range else None,
                range_x2=_scale(item.high, axis_max, width) if has_range else None,
                range_y=top + LABEL_LINE + BAR_HEIGHT / 2 if has_range else None,
            )
        )
    axis_y = plot_top + len(items) * row_height
    count = round(axis_max / step)
    ticks = tuple(
        Tick(
            x=_scale(i * step, axis_max, width),
            value=i * step,
            label=tick_label(i * step, axis_max),
            anchor="start" if i == 0 else ("end" if i == count else "middle"),
        )
        for i in range(count + 1)
    )
    return BarChart(
        width=width,
        height=axis_y + AXIS_HEIGHT,
        axis_y=axis_y,
        tick_y=axis_y + AXIS_HEIGHT - 8,
        plot_top=plot_top,
        axis_max=axis_max,
        bars=tuple(bars),
        ticks=ticks,
    )
