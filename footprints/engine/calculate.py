"""Detailed mode: normalised answers -> kg CO2e per person per year, with the trace."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from footprints.engine import factors as f
from footprints.engine.inputs import CATEGORIES, Answers, validate
from footprints.engine.results import (
    MODEL_NAME,
    ComparisonPoint,
    ConfidenceReason,
    FootprintResult,
    TraceLine,
)

MODEL_VERSION = f.FACTOR_VERSION
THOUSANDTH = Decimal("0.001")
WEEKS_PER_YEAR = 52
DAYS_PER_YEAR = 365
MONTHS_PER_YEAR = 12
# A category above this multiple of the country's average per person is flagged as unusual.
NATIONAL_RANGE_MULTIPLE = 4
PENALTIES = {
    "section_estimated": 0.12,
    "default_fuel": 0.05,
    "default_diet": 0.05,
    "spend_world_factor": 0.05,
    "outside_national_range": 0.05,
}
HOME_SECTIONS = ("electricity", "heating", "waste")


class _Trace:
    """Collects trace lines for one calculation."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines: list[TraceLine] = []

    def estimate(self, line: TraceLine) -> None:
        self.lines.append(line)

    def add(
        self, category: str, row: f.FactorRow, quantity: float, unit: str, share: float
    ) -> None:
        if quantity <= 0:
            return
        self.lines.append(
            TraceLine(
                category=category,
                activity=row.activity,
                quantity=quantity,
                quantity_unit=unit,
                share=share,
                factor=row.value,
                factor_unit=row.unit,
                source=row.source,
                year=row.year,
                kg_co2e=quantity * share * row.value,
            )
        )


class _Sum:
    """Takes the place of _Trace where only the kilograms are wanted (savings of actions):
    the same arithmetic, without building the trace lines."""

    __slots__ = ("kg",)

    def __init__(self) -> None:
        self.kg = 0.0

    def estimate(self, line: TraceLine) -> None:
        self.kg += line.kg_co2e

    def add(
        self, category: str, row: f.FactorRow, quantity: float, unit: str, share: float
    ) -> None:
        if quantity > 0:
            self.kg += quantity * share * row.value


_Collector = _Trace | _Sum


def _grid_rows(country: str) -> tuple[f.FactorRow, ...]:
    """The electricity factor rows that apply in a country (GB: generation and T&D losses)."""
    table = f.factor_table()
    if country == "GB":
        return (table[("GB", "grid_generation")], table[("GB", "grid_td_losses")])
    if country == "US":
        return (table[("US", "grid_generation")],)
    grid = f.grid_intensities()[country]
    return (
        f.FactorRow(
            region=country,
            category="electricity",
            activity="grid_average",
            value=round(grid.kg_co2e_per_kwh, 5),
            unit="kg CO2e/kWh",
            source=f.EMBER_SOURCE,
            table=f"Average grid intensity, {grid.country_name}",
            year=f.EMBER_YEAR,
            url=f.EMBER_URL,
            note="",
        ),
    )


def grid_factor(country: str) -> float:
    """kg CO2e per kWh drawn from the grid in a country (including T&D losses where published)."""
    return sum(row.value for row in _grid_rows(country))


def _electricity(answers: Answers, trace: _Collector, share: float) -> None:
    section = answers.electricity
    grid_kwh = section.kwh_per_year * (1 - section.renewable_share)
    for row in _grid_rows(answers.country):
        trace.add("electricity", row, grid_kwh, "kWh/year (grid, not green tariff)", share)


def _heating(answers: Answers, trace: _Collector, share: float) -> None:
    section, country = answers.heating, answers.country
    for activity, quantity, unit in (
        ("natural_gas", section.natural_gas_kwh_per_year, "kWh/year"),
        ("heating_oil", section.heating_oil_litres_per_year, "litres/year"),
        ("lpg", section.lpg_litres_per_year, "litres/year"),
        ("wood", section.wood_kg_per_year, "kg/year"),
        ("district_heat", section.district_heat_kwh_per_year, "kWh/year"),
    ):
        trace.add("heating", f.factor(country, activity), quantity, unit, share)


def _transportation(answers: Answers, trace: _Collector, reasons: list[ConfidenceReason]) -> None:
    section, country = answers.transportation, answers.country
    fuel = section.car_fuel
    if section.car_km_per_year > 0 and fuel is None:
        fuel = "petrol"
        reasons.append(
            ConfidenceReason("default_fuel", "Car fuel not given: the car was counted as petrol.")
        )
    if fuel == "electric":
        kwh_per_km = f.factor_table()[("GB", "ev_kwh_per_km")]
        grid = grid_factor(country)
        row = f.FactorRow(
            region=country,
            category="transportation",
            activity="car_electric",
            value=kwh_per_km.value * grid,
            unit="kg CO2e/km",
            source=f"{kwh_per_km.source} kWh/km x the country's grid factor",
            table=kwh_per_km.table,
            year=kwh_per_km.year,
            url=kwh_per_km.url,
            note="",
        )
        trace.add("transportation", row, section.car_km_per_year, "km/year", 1.0)
    elif fuel is not None:
        trace.add(
            "transportation",
            f.factor(country, f"car_{fuel}"),
            section.car_km_per_year,
            "km/year",
            1.0,
        )
    for activity, km in (
        ("motorbike", section.motorbike_km_per_year),
        ("bus", section.bus_km_per_year),
        ("rail", section.rail_km_per_year),
    ):
        trace.add("transportation", f.factor(country, activity), km, "km/year", 1.0)
    distances = f.assumptions()
    for haul in ("domestic", "short_haul", "long_haul"):
        row = f.factor(country, f"flight_{haul}")
        km = getattr(section, f"flight_km_{haul}_per_year")
        trace.add("transportation", row, km, "passenger km/year", 1.0)
        flights = getattr(section, f"flights_{haul}_per_year")
        if flights > 0:
            km_per_flight = distances[f"flight_{haul}_km"].value
            trace.add(
                "transportation",
                row,
                flights * km_per_flight,
                f"passenger km/year ({flights:g} one-way flights x {km_per_flight:g} km)",
                1.0,
            )


def _waste(answers: Answers, trace: _Collector, share: float) -> None:
    section, country = answers.waste, answers.country
    kg_per_year = section.kg_per_week * WEEKS_PER_YEAR
    recycled = kg_per_year * section.recycling_share
    trace.add(
        "waste", f.factor(country, "residual_landfill"), kg_per_year - recycled, "kg/year", share
    )
    trace.add("waste", f.factor(country, "recycling"), recycled, "kg/year", share)


def _spend(
    category: str,
    answers: Answers,
    trace: _Collector,
    spends: tuple[tuple[str, float], ...],
    reasons: list[ConfidenceReason],
) -> None:
    for activity, per_month in spends:
        if per_month <= 0:
            continue
        row, is_world = f.spend_factor(answers.country, activity)
        currency = row.unit.rsplit("/", 1)[-1]
        trace.add(category, row, per_month * MONTHS_PER_YEAR, f"{currency}/year", 1.0)
        if is_world and not any(reason.code == "spend_world_factor" for reason in reasons):
            reasons.append(
                ConfidenceReason(
                    "spend_world_factor",
                    "Spending was converted with a world-average factor that assumes US dollars.",
                )
            )


def _lifestyle(answers: Answers, trace: _Collector, reasons: list[ConfidenceReason]) -> None:
    section = answers.lifestyle
    diet = section.diet
    if diet is None:
        diet = "average"
        reasons.append(
            ConfidenceReason(
                "default_diet", "Diet not given: an average meat-eater's diet was used."
            )
        )
    trace.add(
        "lifestyle", f.factor_table()[("GB", f"diet_{diet}")], DAYS_PER_YEAR, "days/year", 1.0
    )
    _spend(
        "lifestyle",
        answers,
        trace,
        (
            ("spend_clothing", section.clothing_spend_per_month),
            ("spend_electronics", section.electronics_spend_per_month),
            ("spend_other_goods", section.other_goods_spend_per_month),
        ),
        reasons,
    )


def _other(answers: Answers, trace: _Collector, reasons: list[ConfidenceReason]) -> None:
    spends = (("spend_services", answers.other.services_spend_per_month),)
    _spend("other", answers, trace, spends, reasons)


def average_kg(country: str, category: str) -> tuple[float, f.CountryAverage, float]:
    """The country's average kg per person for a category, its source row and a grid scale."""
    averages = f.country_averages()
    row = averages.get((country, category))
    if row is not None:
        return row.kg_co2e_per_person, row, 1.0
    row = averages[(f.WORLD, category)]
    scale = 1.0
    if category == "electricity":
        grids = f.grid_intensities()
        scale = grids[country].kg_co2e_per_kwh / grids[f.WORLD].kg_co2e_per_kwh
    return row.kg_co2e_per_person * scale, row, scale


def _estimate_section(country: str, category: str, trace: _Collector) -> None:
    kg, row, scale = average_kg(country, category)
    unit = "kg CO2e/person/year" + (" (world x grid ratio)" if scale != 1.0 else "")
    trace.estimate(
        TraceLine(
            category=category,
            activity="country_average",
            quantity=1.0,
            quantity_unit="person",
            share=1.0,
            factor=round(kg, 3),
            factor_unit=unit,
            source=row.source,
            year=row.year,
            kg_co2e=kg,
        )
    )


def country_average_total(country: str) -> float:
    return sum(average_kg(country, category)[0] for category in CATEGORIES)


def _average_citation(country: str) -> tuple[str, int]:
    """Where a country's average footprint comes from: six cited rows, not any one of them."""
    rows = [average_kg(country, category)[1] for category in CATEGORIES]
    estimated = any("unverified" in row.note.lower() for row in rows)
    source = (
        "The sum of the six category averages per person that stand in for unanswered "
        "sections, each cited under Country averages in the methodology; it counts what this "
        "calculator counts, so public services paid through taxes are not in it"
        + ("; some are estimates, not published figures" if estimated else "")
    )
    return source, max(row.year for row in rows)


def comparison_points(country: str) -> tuple[ComparisonPoint, ...]:
    """The country's average, the world average and the 1.5 degree 2030 target."""
    target = f.assumptions()["target_2030_kg"]
    world_source, world_year = _average_citation(f.WORLD)
    world = ComparisonPoint(
        label="World average",
        kg_co2e=round(country_average_total(f.WORLD), 3),
        source=world_source,
        year=world_year,
    )
    points = []
    if country != f.WORLD:
        name = f.grid_intensities()[country].country_name
        known = (country, "electricity") in f.country_averages()
        label = f"{name} average" if known else f"{name} average (world split, local grid)"
        source, year = _average_citation(country)
        points.append(
            ComparisonPoint(
                label=label,
                kg_co2e=round(country_average_total(country), 3),
                source=source,
                year=year,
            )
        )
    points.append(world)
    points.append(
        ComparisonPoint(
            label="1.5 °C-compatible lifestyle target for 2030",
            kg_co2e=target.value,
            source=target.source,
            year=2019,  # the report that set it (assumptions.csv)
        )
    )
    return tuple(points)


def _quantize(kg: float) -> Decimal:
    # Round away binary noise first so that 304.2225 (not 304.22249999...) rounds half up.
    return Decimal(repr(round(kg, 9))).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def confidence(reasons: list[ConfidenceReason]) -> float:
    score = 1.0 - sum(PENALTIES.get(reason.code, 0.0) for reason in reasons)
    return round(min(1.0, max(0.05, score)), 2)


def _category(
    answers: Answers, category: str, trace: _Collector, reasons: list[ConfidenceReason]
) -> None:
    """Add one category's trace lines: it depends on the country, household and its section only."""
    if getattr(answers, category) is None:
        _estimate_section(answers.country, category, trace)
        return
    home_share = 1.0 / answers.household_size
    if category == "electricity":
        _electricity(answers, trace, home_share)
    elif category == "heating":
        _heating(answers, trace, home_share)
    elif category == "transportation":
        _transportation(answers, trace, reasons)
    elif category == "waste":
        _waste(answers, trace, home_share)
    elif category == "lifestyle":
        _lifestyle(answers, trace, reasons)
    else:
        _other(answers, trace, reasons)


def _category_kg(answers: Answers, category: str) -> Decimal:
    total = _Sum()
    _category(answers, category, total, [])
    return _quantize(total.kg)


def total_change(
    before: Answers, after: Answers, *, before_kg: Mapping[str, Decimal] | None = None
) -> Decimal:
    """calculate(before).total_kg - calculate(after).total_kg, to the gram, computed cheaply.

    A category depends only on the country, the household size and its own section, so when
    an action rewrites one section only that category is computed again: a saving costs a
    fraction of two whole calculations, with exactly the same result. `before_kg` (the
    categories of calculate(before)) saves computing the before side once per action.
    """
    if (before.country, before.household_size) != (after.country, after.household_size):
        changed = CATEGORIES
    else:
        # An untouched section is the very same object: `is not` settles most at once.
        changed = tuple(
            name
            for name in CATEGORIES
            if getattr(before, name) is not getattr(after, name)
            and getattr(before, name) != getattr(after, name)
        )
    return sum(
        (
            (before_kg[name] if before_kg is not None else _category_kg(before, name))
            - _category_kg(after, name)
            for name in changed
        ),
        Decimal("0.000"),
    )


def calculate(answers: Mapping[str, Any] | Answers) -> FootprintResult:
    """Validate (unless already normalised) and compute the detailed footprint."""
    normalised = validate(answers)
    country, size = normalised.country, normalised.household_size
    trace = _Trace()
    reasons: list[ConfidenceReason] = []
    estimated: list[str] = []
    for category in CATEGORIES:
        if getattr(normalised, category) is None:
            estimated.append(category)
        _category(normalised, category, trace, reasons)
    for category in estimated:
        reasons.append(
            ConfidenceReason(
                "section_estimated",
                f"No {category} answers: the country's average per person was used.",
            )
        )
    sums = dict.fromkeys(CATEGORIES, 0.0)
    for line in trace.lines:
        sums[line.category] += line.kg_co2e
    for category in CATEGORIES:
        if (
            category not in estimated
            and sums[category] > NATIONAL_RANGE_MULTIPLE * average_kg(country, category)[0]
        ):
            reasons.append(
                ConfidenceReason(
                    "outside_national_range",
                    f"{category.capitalize()} is over {NATIONAL_RANGE_MULTIPLE} times the "
                    "national average per person: please check the answers.",
                )
            )
    categories_kg = {category: _quantize(sums[category]) for category in CATEGORIES}
    total = sum(categories_kg.values(), Decimal("0.000"))
    home = sum((categories_kg[name] for name in HOME_SECTIONS), Decimal("0.000"))
    return FootprintResult(
        country=country,
        household_size=size,
        categories_kg=MappingProxyType(categories_kg),
        total_kg=total,
        household_total_kg=home * size + (total - home),
        trace=tuple(trace.lines),
        estimated_sections=tuple(estimated),
        confidence_score=confidence(reasons),
        confidence_reasons=tuple(reasons),
        comparison=comparison_points(country),
        model_name=MODEL_NAME,
        model_version=MODEL_VERSION,
        factor_version=f.FACTOR_VERSION,
        mode="detailed",
    )
