"""The detailed calculator's steps: one form per category, in the order they are asked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from footprints.engine.factors import assumptions
from footprints.engine.inputs import MAX_HOUSEHOLD_SIZE

from .countries import COUNTRY_CHOICES, Currency
from .fields import (
    CalculatorForm,
    choice_field,
    money_field,
    number_text,
    percent_field,
    quantity_field,
)
from .widgets import FlatSelect

UNKNOWN_FIELD = "unknown"


class IntroForm(CalculatorForm):
    country = forms.ChoiceField(
        label="Country you live in",
        choices=COUNTRY_CHOICES,
        widget=FlatSelect,
        help_text="Sets the electricity grid and the averages used for anything you skip.",
        error_messages={"invalid_choice": "Choose a country from the list."},
    )
    household_size = forms.IntegerField(
        label="People in your household",
        min_value=1,
        max_value=MAX_HOUSEHOLD_SIZE,
        help_text="Everyone who lives in your home, you included. Home energy and waste are "
        "shared between them.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "Enter how many people live in your home.",
            "invalid": f"Enter a whole number from 1 to {MAX_HOUSEHOLD_SIZE}.",
            "min_value": f"Enter a whole number from 1 to {MAX_HOUSEHOLD_SIZE}.",
            "max_value": f"Enter a whole number from 1 to {MAX_HOUSEHOLD_SIZE}.",
        },
    )
    household_size.unit = "people"

    def values(self) -> dict[str, Any]:
        return {
            "country": self.cleaned_data["country"],
            "household_size": self.cleaned_data["household_size"],
        }

    @staticmethod
    def data_from(answers: Mapping[str, Any]) -> dict[str, str]:
        return {
            "country": str(answers.get("country", "")),
            "household_size": number_text(answers.get("household_size")),
        }


class SectionForm(CalculatorForm):
    """One category. Blank fields are none; "I don't know" leaves the section to the averages."""

    section: str = ""
    fieldsets: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (legend, help, field names)

    unknown = forms.BooleanField(
        required=False, label="I don't know: use my country's average for this section"
    )

    def __init__(self, *args, currency: Currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        for field in self.fields.values():
            if getattr(field, "is_money", False):
                field.unit = currency.unit
                if currency.name == "US dollars":
                    field.help_text = (
                        f"{field.help_text} In US dollars: convert from your currency at "
                        "today's exchange rate."
                    ).strip()

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.cleaned_data.get(UNKNOWN_FIELD):
            # "I don't know" wins: the figures in this section will not be used, so they are not
            # judged either; whatever was valid is kept for when the box is unticked.
            self._errors.clear()

    @classmethod
    def answer_fields(cls) -> dict[str, forms.Field]:
        """Form field name -> field, for every field that is an engine answer."""
        return {
            name: field
            for name, field in cls.base_fields.items()
            if getattr(field, "engine_name", None)
        }

    @classmethod
    def form_name(cls, engine_name: str) -> str | None:
        for name, field in cls.answer_fields().items():
            if field.engine_name == engine_name:
                return name
        return None

    def grouped_fields(self) -> list[tuple[str, str, list[BoundField]]]:
        if not self.fieldsets:
            names = tuple(self.answer_fields())
            return [("", "", [self[name] for name in names])]
        return [
            (legend, text, [self[name] for name in names]) for legend, text, names in self.fieldsets
        ]

    def values(self) -> dict[str, Any]:
        """The section in the engine's terms (shares 0..1, blanks left out)."""
        section: dict[str, Any] = {}
        for name, field in self.answer_fields().items():
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            if getattr(field, "is_percent", False):
                value = round(value / 100, 9)
            section[field.engine_name] = value
        return section

    @classmethod
    def data_from(cls, section: Mapping[str, Any] | None, *, unknown: bool) -> dict[str, str]:
        """Kept answers as they go back into the inputs (shares as percentages)."""
        data: dict[str, str] = {}
        section = section or {}
        for name, field in cls.answer_fields().items():
            value = section.get(field.engine_name)
            if getattr(field, "is_percent", False) and isinstance(value, int | float):
                value = value * 100
            data[name] = number_text(value)
        if unknown:
            data[UNKNOWN_FIELD] = "on"
        return data


def _haul_km(haul: str) -> str:
    return f"{assumptions()[f'flight_{haul}_km'].value:,.0f}"


class ElectricityForm(SectionForm):
    section = "electricity"
    kwh_per_year = quantity_field(
        "electricity",
        "kwh_per_year",
        "Electricity your home uses",
        "kWh/year",
        "On your bills or annual statement. A typical UK home uses about 2,700 kWh a year; "
        "electric heating and heat pumps are included here.",
    )
    renewable_percent = percent_field(
        "renewable_share",
        "Share from a renewable tariff or your own solar panels",
        "Leave blank or 0 if you are not sure.",
    )


class HeatingForm(SectionForm):
    section = "heating"
    natural_gas_kwh_per_year = quantity_field(
        "heating",
        "natural_gas_kwh_per_year",
        "Mains gas",
        "kWh/year",
        "A typical UK home uses about 11,500 kWh a year. Bills in cubic metres: multiply by "
        "about 11.2.",
    )
    heating_oil_litres_per_year = quantity_field(
        "heating", "heating_oil_litres_per_year", "Heating oil", "litres/year"
    )
    lpg_litres_per_year = quantity_field(
        "heating", "lpg_litres_per_year", "LPG (tank or bottled gas)", "litres/year"
    )
    wood_kg_per_year = quantity_field(
        "heating", "wood_kg_per_year", "Wood logs or pellets", "kg/year"
    )
    district_heat_kwh_per_year = quantity_field(
        "heating",
        "district_heat_kwh_per_year",
        "District or communal heating",
        "kWh/year",
    )


class TransportationForm(SectionForm):
    section = "transportation"
    fieldsets = (
        ("Car", "", ("car_km_per_year", "car_fuel")),
        (
            "Other ground travel",
            "",
            ("motorbike_km_per_year", "bus_km_per_year", "rail_km_per_year"),
        ),
        (
            "Flights",
            "Give the distance you flew, or the number of one-way flights (a return trip is "
            "two), or both for different trips, but not both for the same trip.",
            (
                "flight_km_domestic_per_year",
                "flights_domestic_per_year",
                "flight_km_short_haul_per_year",
                "flights_short_haul_per_year",
                "flight_km_long_haul_per_year",
                "flights_long_haul_per_year",
            ),
        ),
    )

    car_km_per_year = quantity_field(
        "transportation",
        "car_km_per_year",
        "Distance you drive",
        "km/year",
        "The car's mileage for the year. 1 mile is 1.61 km.",
    )
    car_fuel = choice_field(
        "car_fuel",
        "Car fuel",
        [
            ("petrol", "Petrol"),
            ("diesel", "Diesel"),
            ("hybrid", "Hybrid"),
            ("plug_in_hybrid", "Plug-in hybrid"),
            ("electric", "Electric"),
            ("lpg", "LPG"),
        ],
        "Not sure (counted as petrol)",
    )
    motorbike_km_per_year = quantity_field(
        "transportation", "motorbike_km_per_year", "Motorbike", "km/year"
    )
    bus_km_per_year = quantity_field("transportation", "bus_km_per_year", "Bus", "km/year")
    rail_km_per_year = quantity_field("transportation", "rail_km_per_year", "Train", "km/year")
    flight_km_domestic_per_year = quantity_field(
        "transportation",
        "flight_km_domestic_per_year",
        "Domestic flights: distance",
        "km/year",
    )
    flights_domestic_per_year = quantity_field(
        "transportation",
        "flights_domestic_per_year",
        "Domestic flights: number",
        "one-way flights/year",
        f"Counted as {_haul_km('domestic')} km each.",
    )
    flight_km_short_haul_per_year = quantity_field(
        "transportation",
        "flight_km_short_haul_per_year",
        "Short-haul flights (up to 3,700 km): distance",
        "km/year",
    )
    flights_short_haul_per_year = quantity_field(
        "transportation",
        "flights_short_haul_per_year",
        "Short-haul flights: number",
        "one-way flights/year",
        f"Counted as {_haul_km('short_haul')} km each.",
    )
    flight_km_long_haul_per_year = quantity_field(
        "transportation",
        "flight_km_long_haul_per_year",
        "Long-haul flights (over 3,700 km): distance",
        "km/year",
    )
    flights_long_haul_per_year = quantity_field(
        "transportation",
        "flights_long_haul_per_year",
        "Long-haul flights: number",
        "one-way flights/year",
        f"Counted as {_haul_km('long_haul')} km each.",
    )


class WasteForm(SectionForm):
    section = "waste"
    kg_per_week = quantity_field(
        "waste",
        "kg_per_week",
        "Rubbish and recycling your household puts out",
        "kg/week",
        "Everything that goes in the bins, recycling included. A typical UK household puts "
        "out about 8 kg of general waste a week.",
    )
    recycling_percent = percent_field(
        "recycling_share", "Share of it that is recycled or composted"
    )


class LifestyleForm(SectionForm):
    section = "lifestyle"
    diet = choice_field(
        "diet",
        "Your diet",
        [
            ("vegan", "Vegan"),
            ("vegetarian", "Vegetarian"),
            ("pescatarian", "Pescatarian: fish but no meat"),
            ("low_meat", "Low meat: under 50 g of meat a day"),
            ("average", "Medium meat: 50 to 99 g a day"),
            ("high_meat", "High meat: 100 g a day or more"),
        ],
        "Not sure (counted as medium meat)",
    )
    clothing_spend_per_month = money_field(
        "lifestyle", "clothing_spend_per_month", "Clothes and shoes"
    )
    electronics_spend_per_month = money_field(
        "lifestyle", "electronics_spend_per_month", "Electronics and appliances"
    )
    other_goods_spend_per_month = money_field(
        "lifestyle",
        "other_goods_spend_per_month",
        "Other goods",
        "Furniture, toys, books, household items.",
    )


class OtherForm(SectionForm):
    section = "other"
    services_spend_per_month = money_field(
        "other",
        "services_spend_per_month",
        "Services",
        "Insurance, phone and internet, banking, leisure, repairs and similar.",
    )


@dataclass(frozen=True, slots=True)
class Step:
    slug: str
    title: str
    form_class: type[CalculatorForm] | None  # None: the review step
    description: str = ""

    @property
    def section(self) -> str | None:
        return getattr(self.form_class, "section", None) or None


STEPS: tuple[Step, ...] = (
    Step(
        "about",
        "Your home",
        IntroForm,
        "Two questions first: where you live and who you share your home with.",
    ),
    Step(
        "electricity",
        "Electricity",
        ElectricityForm,
        "For your whole home: it is shared between the people who live there.",
    ),
    Step(
        "heating",
        "Heating",
        HeatingForm,
        "Fuels your whole home burns for heat and hot water. Leave a fuel blank if you don't "
        "use it.",
    ),
    Step(
        "transportation",
        "Transport",
        TransportationForm,
        "Your own travel over a year. Leave blank anything you don't use.",
    ),
    Step(
        "waste",
        "Waste",
        WasteForm,
        "What your whole household throws away: it is shared between the people who live there.",
    ),
    Step(
        "lifestyle",
        "Food and goods",
        LifestyleForm,
        "What you eat and what you buy for yourself.",
    ),
    Step(
        "other",
        "Services",
        OtherForm,
        "Money you spend on services for yourself.",
    ),
    Step("review", "Check your answers", None),
)
REVIEW_STEP = len(STEPS)
CATEGORY_LABELS = {step.section: step.title for step in STEPS if step.section}
SECTION_STEPS = {step.section: number for number, step in enumerate(STEPS, 1) if step.section}
