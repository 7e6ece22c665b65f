"""Template helpers for the footprint pages: the SVG bar chart and number formats."""

import math

from django import template

from footprints.charts import kg_text
from footprints.forms import CATEGORY_LABELS

register = template.Library()

ACTIVITY_LABELS = {
    "grid_generation": "Grid electricity (generation)",
    "grid_td_losses": "Grid electricity (transmission and distribution losses)",
    "grid_average": "Grid electricity (average intensity)",
    "ev_kwh_per_km": "Electric car (energy per km)",
    "car_electric": "Electric car",
    "car_plug_in_hybrid": "Car, plug-in hybrid",
    "country_average": "Country average (estimated)",
    "quick_estimate": "Quick estimate",
    "residual_landfill": "Residual waste to landfill",
    "district_heat": "District heating",
    "lpg": "LPG",
    "car_lpg": "Car, LPG",
    "spend_other_goods": "Spending: other goods",
    "flight_short_haul": "Flights, short haul",
    "flight_long_haul": "Flights, long haul",
    "flight_domestic": "Flights, domestic",
    "diet_low_meat": "Diet: low meat",
    "diet_high_meat": "Diet: high meat",
    "diet_average": "Diet: medium meat",
}


# Some sources cite another of the engine's data files by its file name, "(emission_factors.csv)":
# people read the table it stands for, as the methodology page names it.


@register.inclusion_tag("footprints/_bar_chart.html")
def bar_chart(chart, chart_id: str, title: str, description: str = ""):
    """An accessible horizontal bar chart (role="img", a title and a description)."""
    return {"chart": chart, "chart_id": chart_id, "title": title, "description": description}


@register.filter
def kg(value) -> str:
    """Kilograms with a thousands separator and no decimals: 8,123 kg."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return kg_text(number)


@register.filter
def whole(value) -> str:
    """A whole number with a thousands separator: 8,123."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:,.0f}"


@register.filter
def tonnes(value) -> str:
    """Kilograms as tonnes with one decimal: 8.1."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{number / 1000:,.1f}"


@register.filter
def number(value) -> str:
    """A quantity or a factor, as precise as it needs to be: 11,500; 2.54; 0.20705."""
    try:
        figure = float(value)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(figure):
        return ""
    if figure == int(figure) and abs(figure) < 1e15:
        return f"{figure:,.0f}"
    if abs(figure) >= 100:
        return f"{figure:,.1f}"
    return f"{figure:.5g}"


@register.filter
def share_percent(value) -> str:
    """A share from 0 to 1 as a percentage: 0.5 -> 50 %."""
    try:
        figure = float(value) * 100
    except (TypeError, ValueError):
        return ""
    if abs(figure - round(figure)) < 0.05:
        return f"{figure:.0f}\u00a0%"
    return f"{figure:.1f}\u00a0%"


@register.filter
def activity_label(code: str) -> str:
    """A trace or factor activity code in words: natural_gas -> Natural gas."""
    text = str(code)
    if text in ACTIVITY_LABELS:
        return ACTIVITY_LABELS[text]
    for prefix, words in (("spend_", "Spending: "), ("diet_", "Diet: "), ("car_", "Car, ")):
        if text.startswith(prefix):
            return words + text.removeprefix(prefix).replace("_", " ")
    return text.replace("_", " ").capitalize()


@register.filter
def category_label(code: str) -> str:
    """A category code in the words the pages use: lifestyle -> Food and goods."""
    return CATEGORY_LABELS.get(str(code), str(code).replace("_", " ").capitalize())
