"""The calculator's forms: one per step of the detailed calculator, the draft kept between steps
in the session, and the quick calculator.

The forms check types and limits (the engine's own FIELD_CAPS) and translate between what people
type (percentages, blanks) and the engine's answers (shares from 0 to 1, absent fields); the
engine validates again when the answers are recorded, and its errors come back onto these fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from . import engine
from .engine.factors import assumptions
from .engine.inputs import FIELD_CAPS, MAX_HOUSEHOLD_SIZE

COUNTRY_CHOICES = engine.countries()  # immutable engine data: computed once per process
COUNTRY_NAMES = dict(COUNTRY_CHOICES)
DEFAULT_COUNTRY = "GB"
UNKNOWN_FIELD = "unknown"


class UnitBoundField(BoundField):
    """A field that shows its unit beside the input and tells screen readers about it."""

    @property
    def unit(self) -> str:
        return getattr(self.field, "unit", "")

    @property
    def unit_id(self) -> str:
        return f"{self.auto_id}_unit" if self.auto_id else ""

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is None or self.use_fieldset:
            return described
        ids = described.split()
        if self.unit and self.unit_id:
            ids.insert(0, self.unit_id)
        return " ".join(ids)


class CalculatorForm(forms.Form):
    bound_field_class = UnitBoundField


@dataclass(frozen=True, slots=True)
class Currency:
    """How money answers are asked: the engine prices GB spending in GBP, everywhere else in USD."""

    code: str
    name: str

    @property
    def unit(self) -> str:
        return f"{self.name}/month"


def currency_for(country: str | None) -> Currency:
    if country == "GB":
        return Currency("GBP", "GBP")
    if country == "US":
        return Currency("USD", "USD")
    return Currency("USD", "US dollars")


def country_from_accept_language(header: str) -> str | None:
    """The first region named in an Accept-Language header that the engine knows ("en-GB")."""
    for part in header.split(",")[:10]:
        tag = part.split(";", 1)[0].strip()
        if "-" in tag:
            region = tag.rsplit("-", 1)[-1].upper()
            if region in COUNTRY_NAMES and region != "WORLD":
                return region
    return None


# --- Fields -------------------------------------------------------------------------------------


def _number_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})


def quantity_field(section: str, name: str, label: str, unit: str, help_text: str = ""):
    """A yearly (or weekly) quantity: blank means none; at most the engine's cap."""
    cap = FIELD_CAPS[section][name]
    field = forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        max_value=cap,
        help_text=help_text,
        widget=_number_widget(),
        error_messages={
            "invalid": "Enter a number, such as 250, or leave it blank for none.",
            "min_value": "Must not be negative.",
            "max_value": f"Must be at most {cap:,} {unit}: ten times the largest plausible use.",
        },
    )
    field.unit = unit
    field.engine_name = name
    return field


def money_field(section: str, name: str, label: str, help_text: str = ""):
    """Spending a month; its unit (the currency) is set by the form from the country."""
    field = quantity_field(section, name, label, "a month", help_text)
    cap = FIELD_CAPS[section][name]
    field.error_messages["max_value"] = f"Must be at most {cap:,} a month."
    field.is_money = True
    return field


def percent_field(name: str, label: str, help_text: str = ""):
    """A share typed as a percentage (0 to 100) and given to the engine as 0 to 1."""
    field = forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        help_text=help_text,
        widget=_number_widget(),
        error_messages={
            "invalid": "Enter a percentage from 0 to 100.",
            "min_value": "Must be a percentage from 0 to 100.",
            "max_value": "Must be a percentage from 0 to 100.",
        },
    )
    field.unit = "%"
    field.engine_name = name
    field.is_percent = True
    return field


def choice_field(name: str, label: str, choices, not_sure: str):
    field = forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", not_sure), *choices],
        error_messages={"invalid_choice": "Choose one of the options in the list."},
    )
    field.engine_name = name
    return field


def _number_text(value: Any) -> str:
    """A number as it goes back into an input: no trailing '.0', no float noise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    number = round(float(value), 9)
    return str(int(number)) if number.is_integer() else repr(number)


# --- The steps ------------------------------------------------------------------------------------


class IntroForm(CalculatorForm):
    country = forms.ChoiceField(
        label="Country you live in",
        choices=COUNTRY_CHOICES,
        help_text="Sets the electricity grid and the averages used for anything you skip.",
        error_messages={"invalid_choice": "Choose a country from the list."},
    )
    household_size = forms.IntegerField(
        label="People in your household",
        min_value=1,
        max_value=MAX_HOUSEHOLD_SIZE,
        help_text="Everyone who lives in your home, you included. Home energy and waste are "
        "shared between them.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
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
            "household_size": _number_text(answers.get("household_size")),
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
            data[name] = _number_text(value)
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


# --- The draft kept in the session -------------------------------------------------------------

DRAFT_SESSION_KEY = "calculator_draft"


@dataclass(frozen=True, slots=True)
class ReviewRow:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ReviewSection:
    number: int
    title: str
    unknown: bool
    rows: tuple[ReviewRow, ...]


class CalculatorDraft:
    """The answers given so far, the sections marked "I don't know", and the furthest step
    reached. Kept in the session under one key; anything unexpected there starts afresh."""

    def __init__(
        self,
        answers: dict[str, Any] | None = None,
        unknown: set[str] | None = None,
        reached: int = 1,
    ):
        self.answers = answers or {}
        self.unknown = unknown or set()
        self.reached = reached

    @classmethod
    def load(cls, session) -> CalculatorDraft:
        kept = session.get(DRAFT_SESSION_KEY)
        if not isinstance(kept, dict):
            return cls()
        answers, unknown, reached = kept.get("answers"), kept.get("unknown"), kept.get("reached")
        if (
            not isinstance(answers, dict)
            or not isinstance(unknown, list)
            or not isinstance(reached, int)
            or not 1 <= reached <= REVIEW_STEP
        ):
            return cls()
        sections = {
            key: value
            for key, value in answers.items()
            if key in ("country", "household_size") or isinstance(value, dict)
        }
        return cls(sections, {name for name in unknown if name in SECTION_STEPS}, reached)

    def save(self, session) -> None:
        session[DRAFT_SESSION_KEY] = {
            "answers": self.answers,
            "unknown": sorted(self.unknown),
            "reached": self.reached,
        }

    @staticmethod
    def discard(session) -> None:
        session.pop(DRAFT_SESSION_KEY, None)

    @property
    def country(self) -> str | None:
        return self.answers.get("country")

    @property
    def currency(self) -> Currency:
        return currency_for(self.country)

    def step_number(self, raw: Any) -> int:
        """A step that may be shown: a number from 1 to the furthest step reached."""
        try:
            number = int(raw)
        except (TypeError, ValueError):
            return self.reached
        return min(max(number, 1), self.reached)

    def form(
        self, number: int, data: Mapping[str, Any] | None = None, *, default_country: str = ""
    ) -> CalculatorForm:
        """The step's form: bound to `data`, or showing the kept answers."""
        step = STEPS[number - 1]
        if step.form_class is IntroForm:
            if data is not None:
                return IntroForm(data)
            return IntroForm(
                initial={
                    "country": self.country or default_country or DEFAULT_COUNTRY,
                    "household_size": self.answers.get("household_size", 1),
                }
            )
        section = step.section
        kwargs = {"currency": self.currency}
        if data is not None:
            return step.form_class(data, **kwargs)
        initial = step.form_class.data_from(
            self.answers.get(section), unknown=section in self.unknown
        )
        initial[UNKNOWN_FIELD] = section in self.unknown
        return step.form_class(initial=initial, **kwargs)

    def kept_form(self, number: int) -> CalculatorForm:
        """The step's form bound to the kept answers, validated (to show errors on them)."""
        step = STEPS[number - 1]
        if step.form_class is IntroForm:
            data = IntroForm.data_from(self.answers)
        else:
            data = step.form_class.data_from(
                self.answers.get(step.section), unknown=step.section in self.unknown
            )
        form = self.form(number, data)
        form.is_valid()
        return form

    def keep(self, number: int, form: CalculatorForm) -> None:
        """Store a valid step's answers (a section's valid fields even under "I don't know")."""
        if isinstance(form, IntroForm):
            self.answers.update(form.values())
            return
        section = form.section
        self.answers[section] = form.values()
        if form.cleaned_data.get(UNKNOWN_FIELD):
            self.unknown.add(section)
        else:
            self.unknown.discard(section)

    def advance(self, number: int) -> None:
        self.reached = max(self.reached, min(number, REVIEW_STEP))

    def engine_answers(self) -> dict[str, Any]:
        """The answers for the engine: sections marked "I don't know" are left out."""
        answers = {
            "country": self.answers.get("country"),
            "household_size": self.answers.get("household_size", 1),
        }
        for section in SECTION_STEPS:
            if section not in self.unknown:
                answers[section] = dict(self.answers.get(section) or {})
        return answers

    def review(self) -> tuple[ReviewSection, ...]:
        country = COUNTRY_NAMES.get(self.country or "", self.country or "")
        sections = [
            ReviewSection(
                1,
                STEPS[0].title,
                False,
                (
                    ReviewRow("Country", country),
                    ReviewRow(
                        "People in your household", str(self.answers.get("household_size", 1))
                    ),
                ),
            )
        ]
        for section, number in SECTION_STEPS.items():
            form_class = STEPS[number - 1].form_class
            form = form_class(currency=self.currency)
            kept = self.answers.get(section) or {}
            rows = []
            for name, field in form_class.answer_fields().items():
                value = kept.get(field.engine_name)
                if value is None:
                    continue
                bound = form[name]
                if isinstance(field, forms.ChoiceField):
                    shown = dict(field.choices).get(value, str(value))
                elif getattr(field, "is_percent", False):
                    shown = f"{_number_text(value * 100)} %"
                else:
                    shown = f"{value:,.10g} {bound.unit}"
                rows.append(ReviewRow(str(field.label), shown))
            sections.append(
                ReviewSection(number, STEPS[number - 1].title, section in self.unknown, tuple(rows))
            )
        return tuple(sections)

    def form_with_engine_errors(
        self, errors: Mapping[str, Any]
    ) -> tuple[int, CalculatorForm | None, list[str]]:
        """The first step the engine's errors name, bound to the kept answers with the errors on
        its fields; errors that name no step come back as plain messages for the review step."""
        leftover = [
            message
            for key, value in errors.items()
            if key not in SECTION_STEPS and key not in ("country", "household_size")
            for message in _messages(value)
        ]
        for number, step in enumerate(STEPS, 1):
            if step.form_class is None:
                continue
            found = _step_errors(step, errors)
            if not found:
                continue
            form = self.kept_form(number)
            for name, messages in found.items():
                if name is not None and name in form.errors:
                    continue  # the form already says why, in its own words
                for message in messages:
                    form.add_error(name, message)
            return number, form, leftover
        return REVIEW_STEP, None, leftover


def _messages(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [message for inner in value.values() for message in _messages(inner)]
    if isinstance(value, list | tuple):
        return [message for inner in value for message in _messages(inner)]
    return [str(value)]


def _step_errors(step: Step, errors: Mapping[str, Any]) -> dict[str | None, list[str]]:
    """The engine's errors for one step, by form field name (None: about the whole step)."""
    if step.form_class is IntroForm:
        return {
            name: _messages(errors[name])
            for name in ("country", "household_size")
            if name in errors
        }
    raw = errors.get(step.section)
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return {None: _messages(raw)}
    found: dict[str | None, list[str]] = {}
    for engine_name, messages in raw.items():
        name = step.form_class.form_name(str(engine_name))
        found.setdefault(name, []).extend(_messages(messages))
    return found


# --- Quick mode -----------------------------------------------------------------------------------


def _quick_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for question in engine.quick_questions():
        required = {"required": f"Choose an answer for “{question.label.lower()}”."}
        if question.name == "country":
            field = forms.ChoiceField(
                label=question.label,
                choices=question.choices,
                help_text="Sets the electricity grid and the averages used.",
                error_messages={**required, "invalid_choice": "Choose a country from the list."},
            )
        elif question.name == "household_size":
            field = forms.TypedChoiceField(
                label=question.label,
                choices=question.choices,
                coerce=int,
                error_messages={
                    **required,
                    "invalid_choice": f"Choose from 1 to {MAX_HOUSEHOLD_SIZE}.",
                },
            )
            field.unit = question.unit
        else:
            field = forms.ChoiceField(
                label=question.label,
                choices=question.choices,
                widget=forms.RadioSelect,
                error_messages={**required, "invalid_choice": "Choose one of the options."},
            )
        fields[question.name] = field
    return fields


class QuickForm(CalculatorForm):
    """The quick calculator: its fields are generated from engine.quick_questions()."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_quick_fields())

    def answers(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def add_engine_errors(form: forms.Form, errors: Mapping[str, Any]) -> None:
    """Put the engine's flat errors onto the form's fields (unknown names: the whole form)."""
    for key, value in errors.items():
        name = key if key in form.fields else None
        for message in _messages(value):
            form.add_error(name, message)
