"""Validation of a detailed-mode answer mapping into frozen, normalised input dataclasses.

Absent section means "I don't know" (the section is None and the engine uses the country's
average); inside a given section an absent field means zero and ``{}`` means zero throughout.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

CATEGORIES = ("electricity", "heating", "transportation", "waste", "lifestyle", "other")
CAR_FUELS = ("petrol", "diesel", "hybrid", "plug_in_hybrid", "electric", "lpg")
DIETS = ("vegan", "vegetarian", "pescatarian", "low_meat", "average", "high_meat")
MAX_HOUSEHOLD_SIZE = 20


class InvalidAnswers(Exception):
    """The answers cannot be calculated; ``errors`` names every bad field in DRF's shape."""

    def __init__(self, errors: Mapping[str, Any]):
        self.errors = dict(errors)
        super().__init__(f"Invalid answers: {self.errors}")


@dataclass(frozen=True, slots=True)
class ElectricityAnswers:
    kwh_per_year: float = 0.0
    renewable_share: float = 0.0


@dataclass(frozen=True, slots=True)
class HeatingAnswers:
    natural_gas_kwh_per_year: float = 0.0
    heating_oil_litres_per_year: float = 0.0
    lpg_litres_per_year: float = 0.0
    wood_kg_per_year: float = 0.0
    district_heat_kwh_per_year: float = 0.0


@dataclass(frozen=True, slots=True)
class TransportationAnswers:
    car_km_per_year: float = 0.0
    car_fuel: str | None = None
    motorbike_km_per_year: float = 0.0
    bus_km_per_year: float = 0.0
    rail_km_per_year: float = 0.0
    flight_km_domestic_per_year: float = 0.0
    flight_km_short_haul_per_year: float = 0.0
    flight_km_long_haul_per_year: float = 0.0
    flights_domestic_per_year: float = 0.0
    flights_short_haul_per_year: float = 0.0
    flights_long_haul_per_year: float = 0.0


@dataclass(frozen=True, slots=True)
class WasteAnswers:
    kg_per_week: float = 0.0
    recycling_share: float = 0.0


@dataclass(frozen=True, slots=True)
class LifestyleAnswers:
    diet: str | None = None
    clothing_spend_per_month: float = 0.0
    electronics_spend_per_month: float = 0.0
    other_goods_spend_per_month: float = 0.0


@dataclass(frozen=True, slots=True)
class OtherAnswers:
    services_spend_per_month: float = 0.0


@dataclass(frozen=True, slots=True)
class Answers:
    """Normalised detailed answers. A section left as None is estimated from country averages.

    Copy with ``dataclasses.replace(answers, heating=HeatingAnswers(...))`` and pass the copy to
    ``engine.calculate`` to compare a changed household with the original.
    """

    country: str
    household_size: int = 1
    electricity: ElectricityAnswers | None = None
    heating: HeatingAnswers | None = None
    transportation: TransportationAnswers | None = None
    waste: WasteAnswers | None = None
    lifestyle: LifestyleAnswers | None = None
    other: OtherAnswers | None = None


SECTION_TYPES: Mapping[str, type] = {
    "electricity": ElectricityAnswers,
    "heating": HeatingAnswers,
    "transportation": TransportationAnswers,
    "waste": WasteAnswers,
    "lifestyle": LifestyleAnswers,
    "other": OtherAnswers,
}

SHARE = "share"
# Upper bound per quantity field: ten times the largest plausible use by one household (or, for
# travel and spending, one person) in a year. Anything above is refused as a typo.
FIELD_CAPS: Mapping[str, Mapping[str, float | str]] = {
    "electricity": {"kwh_per_year": 300_000, "renewable_share": SHARE},
    "heating": {
        "natural_gas_kwh_per_year": 500_000,
        "heating_oil_litres_per_year": 50_000,
        "lpg_litres_per_year": 50_000,
        "wood_kg_per_year": 100_000,
        "district_heat_kwh_per_year": 500_000,
    },
    "transportation": {
        "car_km_per_year": 500_000,
        "motorbike_km_per_year": 300_000,
        "bus_km_per_year": 300_000,
        "rail_km_per_year": 500_000,
        "flight_km_domestic_per_year": 500_000,
        "flight_km_short_haul_per_year": 1_000_000,
        "flight_km_long_haul_per_year": 2_000_000,
        "flights_domestic_per_year": 500,
        "flights_short_haul_per_year": 500,
        "flights_long_haul_per_year": 300,
    },
    "waste": {"kg_per_week": 500, "recycling_share": SHARE},
    "lifestyle": {
        "clothing_spend_per_month": 20_000,
        "electronics_spend_per_month": 20_000,
        "other_goods_spend_per_month": 20_000,
    },
    "other": {"services_spend_per_month": 50_000},
}
CHOICE_FIELDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "transportation": {"car_fuel": CAR_FUELS},
    "lifestyle": {"diet": DIETS},
}


def _number(value: Any, cap: float | str) -> tuple[float | None, str | None]:
    """Return (number, None) or (None, message) for one quantity."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None, "A number is required."
    number = float(value)
    if not math.isfinite(number):
        return None, "A finite number is required."
    if number < 0:
        return None, "Must not be negative."
    if cap == SHARE:
        if number > 1:
            return None, "Must be a share between 0 and 1."
    elif number > float(cap):
        return None, f"Must be at most {cap:,} (ten times the largest plausible yearly use)."
    return number, None


def _section(name: str, raw: Any) -> tuple[Any, dict[str, list[str]] | list[str]]:
    if not isinstance(raw, Mapping):
        return None, ["Must be an object."]
    caps = FIELD_CAPS[name]
    choices = CHOICE_FIELDS.get(name, {})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or (key not in caps and key not in choices):
            errors[str(key)] = ["Unknown field."]
        elif key in choices:
            if value is None:
                continue
            if not isinstance(value, str) or value not in choices[key]:
                label = "fuel" if key == "car_fuel" else "diet"
                errors[key] = [
                    f"Unknown {label} {value!r}; choose one of {', '.join(choices[key])}."
                ]
            else:
                values[key] = value
        else:
            number, message = _number(value, caps[key])
            if message:
                errors[key] = [message]
            else:
                values[key] = number
    if errors:
        return None, errors
    return SECTION_TYPES[name](**values), {}


def validate(answers: Any, *, known_countries: frozenset[str] | None = None) -> Answers:
    """Check every field and return normalised answers, or raise InvalidAnswers with all errors."""
    if isinstance(answers, Answers):
        return answers
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"non_field_errors": ["Answers must be an object."]})
    if known_countries is None:
        from footprints.engine.factors import country_codes

        known_countries = country_codes()
    errors: dict[str, Any] = {}
    country = answers.get("country")
    if country is None:
        errors["country"] = ["This field is required."]
    elif not isinstance(country, str) or country.upper() not in known_countries:
        errors["country"] = [
            f"Unknown country {country!r}; use an ISO 3166-1 alpha-2 code or WORLD."
        ]
    household_size = answers.get("household_size", 1)
    if (
        isinstance(household_size, bool)
        or not isinstance(household_size, int | float | Decimal)
        or not math.isfinite(float(household_size))
        or float(household_size) != int(household_size)
        or not 1 <= int(household_size) <= MAX_HOUSEHOLD_SIZE
    ):
        errors["household_size"] = [f"Must be a whole number from 1 to {MAX_HOUSEHOLD_SIZE}."]
    sections: dict[str, Any] = {}
    for key in answers:
        if key in ("country", "household_size"):
            continue
        if key not in SECTION_TYPES:
            errors[str(key)] = ["Unknown field."]
            continue
        raw = answers[key]
        if raw is None:
            continue
        section, section_errors = _section(key, raw)
        if section_errors:
            errors[key] = section_errors
        else:
            sections[key] = section
    if errors:
        raise InvalidAnswers(errors)
    return Answers(country=country.upper(), household_size=int(household_size), **sections)


def section_field_names(name: str) -> tuple[str, ...]:
    """The field names a section accepts, in declaration order."""
    return tuple(field.name for field in fields(SECTION_TYPES[name]))
