"""The calculator's base form and field types: amounts typed as people write them, quantities
capped at the engine's FIELD_CAPS, money, percentages and "not sure" choices."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from footprints.engine.inputs import FIELD_CAPS

from .widgets import FlatSelect, UnitBoundField


class CalculatorForm(forms.Form):
    bound_field_class = UnitBoundField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})+(\.\d*)?\s*$")


class AmountField(forms.FloatField):
    """A number typed as people write it: "2,700" is two thousand seven hundred.

    A text input (not type=number) so a mistyped value stays on screen beside its error, and
    browsers neither change it on scroll nor hide what they cannot parse.
    """

    widget = forms.TextInput

    def to_python(self, value):
        if isinstance(value, str) and THOUSANDS.match(value):
            value = value.replace(",", "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal", "autocomplete": "off"}


def quantity_field(section: str, name: str, label: str, unit: str, help_text: str = ""):
    """A yearly (or weekly) quantity: blank means none; at most the engine's cap."""
    cap = FIELD_CAPS[section][name]
    field = AmountField(
        label=label,
        required=False,
        min_value=0,
        max_value=cap,
        help_text=help_text,
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
    field = AmountField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        help_text=help_text,
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
        widget=FlatSelect,
        error_messages={"invalid_choice": "Choose one of the options in the list."},
    )
    field.engine_name = name
    return field


def number_text(value: Any) -> str:
    """A number as it goes back into an input: no trailing '.0', no float noise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    number = round(float(value), 9)
    return str(int(number)) if number.is_integer() else repr(number)
