"""The SVG bar chart's geometry: pure numbers, no database."""

import math

import pytest

from footprints.charts import (
    BAR_HEIGHT,
    BarItem,
    fit_label,
    horizontal_bar_chart,
    nice_ceiling,
    nice_step,
    tick_label,
)


def items(*values, **kwargs):
    return [
        BarItem(f"k{i}", f"Item {i}", value, f"{value} kg", **kwargs)
        for i, value in enumerate(values)
    ]


@pytest.mark.parametrize(
    ("span", "step"),
    [(4, 1), (10, 2.5), (7228, 2000), (8000, 2000), (950, 250), (0.3, 0.1), (123_456, 50_000)],
)
def test_tick_steps_are_round_numbers(span, step):
    assert nice_step(span) == pytest.approx(step)


@pytest.mark.parametrize(
    ("value", "axis_max"),
    [(7228, 8000), (8000, 8000), (8001, 10000), (243, 300), (1, 1), (12_500, 15_000)],
)
def test_the_axis_ends_on_a_whole_step_at_or_above_the_largest_value(value, axis_max):
    top, step = nice_ceiling(value)
    assert top == pytest.approx(axis_max)
    assert top >= value
    assert (top / step) == pytest.approx(round(top / step))


def test_bars_are_proportional_to_their_values_on_a_shared_axis():
    chart = horizontal_bar_chart(items(1000, 2000, 4000), width=400)
    assert chart.axis_max == 4000
    assert [bar.width for bar in chart.bars] == [100.0, 200.0, 400.0]


def test_rows_are_stacked_without_overlapping_and_fit_the_height():
    chart = horizontal_bar_chart(items(5, 3, 8, 1))
    for above, below in zip(chart.bars, chart.bars[1:], strict=False):
        assert below.text_y > above.bottom
        assert below.y > above.bottom
    assert all(bar.height == BAR_HEIGHT for bar in chart.bars)
    assert chart.bars[-1].bottom <= chart.axis_y < chart.tick_y <= chart.height


def test_zero_negative_and_non_finite_values_draw_empty_bars():
    chart = horizontal_bar_chart(items(0, -50, math.nan, math.inf, 100))
    assert [bar.width for bar in chart.bars[:4]] == [0.0, 0.0, 0.0, 0.0]
    assert chart.bars[4].width == chart.width


def test_an_all_zero_chart_still_has_an_axis():
    chart = horizontal_bar_chart(items(0, 0))
    assert chart.axis_max > 0
    assert chart.ticks[0].value == 0
    assert all(bar.width == 0 for bar in chart.bars)


def test_ticks_run_from_zero_to_the_axis_maximum_in_one_unit():
    chart = horizontal_bar_chart(items(7228), width=400)
    assert [tick.value for tick in chart.ticks] == [0, 2000, 4000, 6000, 8000]
    assert [tick.label for tick in chart.ticks] == ["0 t", "2 t", "4 t", "6 t", "8 t"]
    assert [tick.x for tick in chart.ticks] == [0.0, 100.0, 200.0, 300.0, 400.0]
    assert [tick.anchor for tick in chart.ticks] == ["start", "middle", "middle", "middle", "end"]


def test_small_axes_are_labelled_in_kilograms_and_fractions_of_tonnes_in_tonnes():
    assert tick_label(250, 1000) == "0.25 t"
    assert tick_label(250, 500) == "250 kg"
    assert tick_label(0, 500) == "0 kg"


def test_a_short_bar_has_its_value_beside_it():
    chart = horizontal_bar_chart(items(100, 1000), width=400)
    short = chart.bars[0]
    assert not short.value_inside
    assert short.value_anchor == "start"
    assert short.value_x > short.width


def test_a_long_bar_has_its_value_inside_its_end():
    chart = horizontal_bar_chart(items(100, 1000), width=400)
    long = chart.bars[1]
    assert long.value_inside
    assert long.value_anchor == "end"
    assert long.value_x < long.width


def test_a_range_draws_a_whisker_within_the_plot_and_moves_the_value_to_the_label_line():
    chart = horizontal_bar_chart(
        [BarItem("heating", "Heating", 1000, "1,000 kg", low=600, high=1900)], width=400
    )
    bar = chart.bars[0]
    assert chart.axis_max >= 1900
    assert 0 <= bar.range_x1 < bar.width < bar.range_x2 <= chart.width
    assert bar.y < bar.range_y < bar.bottom
    assert (bar.value_x, bar.value_y, bar.value_anchor) == (chart.width, bar.text_y, "end")


def test_bars_without_a_range_have_no_whisker():
    bar = horizontal_bar_chart(items(10)).bars[0]
    assert bar.range_x1 is bar.range_x2 is bar.range_y is None


def test_long_labels_are_shortened_to_fit_the_line():
    label = "Democratic Republic of the Congo average (world split, local grid)"
    fitted = fit_label(label, 400)
    assert fitted.endswith("…")
    assert len(fitted) < len(label)
    assert fit_label("Heating", 400) == "Heating"
    chart = horizontal_bar_chart([BarItem("c", label, 1, "1 kg")], width=400)
    assert chart.bars[0].label == fitted


def test_tones_are_passed_through_for_the_stylesheet():
    chart = horizontal_bar_chart([BarItem("you", "You", 5, "5 kg", tone="you")])
    assert chart.bars[0].tone == "you"
