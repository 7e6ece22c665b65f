"""Loading of the versioned factor tables under ``factors/``: read once, cached, immutable."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

FACTOR_VERSION = "2024.3"  # bump whenever a factor or an average changes
FACTORS_DIR = Path(__file__).resolve().parent / "factors"
WORLD = "WORLD"
EMBER_SOURCE = "Ember, Yearly Electricity Data (via @tgwf/co2 0.19.0), CC BY-SA 4.0"
EMBER_URL = "https://ember-energy.org/data/yearly-electricity-data/"
# The package ships the latest value per country without its year; Ember's yearly data for most
# countries was 2022-2024 at the package's release.
EMBER_YEAR = 2024


@dataclass(frozen=True, slots=True)
class FactorRow:
    """One published factor with everything a reader needs to check it."""

    region: str
    category: str
    activity: str
    value: float
    unit: str
    source: str
    table: str
    year: int
    url: str
    note: str


@dataclass(frozen=True, slots=True)
class CountryAverage:
    region: str
    category: str
    kg_co2e_per_person: float
    source: str
    year: int
    url: str
    note: str


@dataclass(frozen=True, slots=True)
class GridIntensity:
    country_code: str
    country_name: str
    kg_co2e_per_kwh: float


@dataclass(frozen=True, slots=True)
class Assumption:
    name: str
    value: float
    unit: str
    source: str
    note: str


def _rows(filename: str) -> Iterator[dict[str, str]]:
    with (FACTORS_DIR / filename).open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


@functools.cache
def factor_table() -> Mapping[tuple[str, str], FactorRow]:
    """Every emission factor keyed by (region, activity)."""
    table = {}
    for row in _rows("emission_factors.csv"):
        factor = FactorRow(
            region=row["region"],
            category=row["category"],
            activity=row["activity"],
            value=float(row["value"]),
            unit=row["unit"],
            source=row["source"],
            table=row["table"],
            year=int(row["year"]),
            url=row["url"],
            note=row["note"],
        )
        table[(factor.region, factor.activity)] = factor
    return MappingProxyType(table)


@functools.cache
def grid_intensities() -> Mapping[str, GridIntensity]:
    """Ember average grid intensity per ISO alpha-2 code (and WORLD), in kg CO2e/kWh."""
    return MappingProxyType(
        {
            row["country_code"]: GridIntensity(
                country_code=row["country_code"],
                country_name=row["country_name"],
                kg_co2e_per_kwh=float(row["g_co2e_per_kwh"]) / 1000,
            )
            for row in _rows("grid_intensity.csv")
        }
    )


@functools.cache
def country_averages() -> Mapping[tuple[str, str], CountryAverage]:
    """Average kg CO2e per person by (region, category) for GB, US and WORLD."""
    return MappingProxyType(
        {
            (row["region"], row["category"]): CountryAverage(
                region=row["region"],
                category=row["category"],
                kg_co2e_per_person=float(row["kg_co2e_per_person"]),
                source=row["source"],
                year=int(row["year"]),
                url=row["url"],
                note=row["note"],
            )
            for row in _rows("country_averages.csv")
        }
    )


@functools.cache
def assumptions() -> Mapping[str, Assumption]:
    return MappingProxyType(
        {
            row["name"]: Assumption(
                name=row["name"],
                value=float(row["value"]),
                unit=row["unit"],
                source=row["source"],
                note=row["note"],
            )
            for row in _rows("assumptions.csv")
        }
    )


@functools.cache
def countries() -> tuple[tuple[str, str], ...]:
    """(code, name) for every country the engine knows, sorted by name, WORLD included."""
    return tuple(
        sorted(
            ((grid.country_code, grid.country_name) for grid in grid_intensities().values()),
            key=lambda pair: pair[1],
        )
    )


@functools.cache
def country_codes() -> frozenset[str]:
    return frozenset(grid_intensities())


def factor(country: str, activity: str) -> FactorRow:
    """The factor for a country, falling back to the GB (DESNZ) row used as the default."""
    table = factor_table()
    return table.get((country, activity)) or table[("GB", activity)]


def spend_factor(country: str, activity: str) -> tuple[FactorRow, bool]:
    """The spending factor and whether the world fallback had to be used."""
    table = factor_table()
    row = table.get((country, activity))
    if row is not None:
        return row, False
    return table[(WORLD, activity)], True


def factor_rows() -> tuple[FactorRow, ...]:
    """Every factor row, including one per country grid intensity, for the methodology page."""
    rows = list(factor_table().values())
    for grid in grid_intensities().values():
        rows.append(
            FactorRow(
                region=grid.country_code,
                category="electricity",
                activity="grid_average",
                value=round(grid.kg_co2e_per_kwh, 5),
                unit="kg CO2e/kWh",
                source=EMBER_SOURCE,
                table=f"Average grid intensity, {grid.country_name}",
                year=EMBER_YEAR,
                url=EMBER_URL,
                note="latest year per country in Ember's yearly data as packaged",
            )
        )
    return tuple(rows)
