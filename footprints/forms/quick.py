"""The quick calculator: eight questions on one page, generated from the engine's own."""

from __future__ import annotations

from typing import Any

from django import forms

from footprints import engine
from footprints.engine.inputs import MAX_HOUSEHOLD_SIZE

from .fields import CalculatorForm
from .widgets import FlatSelect


def _quick_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for question in engine.quick_questions():
        required = {"required": f"Choose an answer for “{question.label.lower()}”."}
        if question.name == "country":
            field = forms.ChoiceField(
                label=question.label,
                choices=question.choices,
                widget=FlatSelect,
                help_text="Sets the electricity grid and the averages used.",
                error_messages={**required, "invalid_choice": "Choose a country from the list."},
            )
        elif question.name == "household_size":
            field = forms.TypedChoiceField(
                label=question.label,
                choices=question.choices,
                coerce=int,
                widget=FlatSelect,
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
