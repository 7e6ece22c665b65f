"""The goal pages' input shapes. Rules live in goals.services; forms only read what was typed and
show a service's errors next to the fields they name."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from carbon_site.forms import ServiceErrorsForm
from footprints.forms import CATEGORY_LABELS, UnitBoundField
from footprints.models import CATEGORIES

from .models import UserGoal

TARGET_FIELD = {
    UserGoal.GoalType.REDUCTION_PERCENTAGE: "reduction_percentage",
    UserGoal.GoalType.TARGET_EMISSIONS: "target_emissions",
}
TARGET_REQUIRED = {
    "reduction_percentage": "Enter the percentage to cut, such as 20.",
    "target_emissions": "Enter the yearly total to reach in kg, such as 6000.",
}
CATEGORY_CHOICES = [
    (UserGoal.Category.TOTAL, "Your whole footprint"),
    *((category, CATEGORY_LABELS[category]) for category in CATEGORIES),
]


def _number_input() -> forms.TextInput:
    # Text, not type=number: a mistyped value stays on screen beside its error.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def percentage_field() -> forms.DecimalField:
    field = forms.DecimalField(
        label="Percentage to cut",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=_number_input(),
        help_text="From your latest footprint.",
        error_messages={
            "invalid": "Enter a percentage from 0 to 100, such as 20.",
            "min_value": "Must be a percentage from 0 to 100.",
            "max_value": "Must be a percentage from 0 to 100.",
            "max_decimal_places": "Use at most two decimal places.",
            "max_digits": "Must be a percentage from 0 to 100.",
        },
    )
    field.unit = "%"
    return field


def target_field() -> forms.DecimalField:
    field = forms.DecimalField(
        label="Yearly total to reach",
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=3,
        widget=_number_input(),
        help_text="Kilograms of CO2e a year, for you alone.",
        error_messages={
            "invalid": "Enter a number of kilograms, such as 6000.",
            "min_value": "Must not be negative.",
            "max_decimal_places": "Use at most three decimal places.",
            "max_digits": "Must be less than a billion kilograms.",
            "max_whole_digits": "Must be less than a billion kilograms.",
        },
    )
    field.unit = "kg CO2e a year"
    return field


def target_date_field() -> forms.DateField:
    return forms.DateField(
        label="Reach it by",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Enter the date you want to reach it by.",
            "invalid": "Enter a real date, such as 2026-12-31.",
        },
    )


def description_field() -> forms.CharField:
    return forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this goal matters to you, or how you plan to reach it.",
    )


def _plain(value: Decimal | None) -> Decimal | None:
    """A stored number as it goes back into an input (6400.000 -> 6400, 12.50 -> 12.5), still a
    Decimal so an untouched field does not count as changed."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class GoalForm(ServiceErrorsForm):
    bound_field_class = UnitBoundField  # shows each field's unit beside it

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class GoalCreateForm(GoalForm):
    goal_type = forms.ChoiceField(
        label="What kind of goal",
        choices=UserGoal.GoalType.choices,
        initial=UserGoal.GoalType.REDUCTION_PERCENTAGE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of goal.",
            "invalid_choice": "Choose one of the kinds of goal.",
        },
    )
    reduction_percentage = percentage_field()
    target_emissions = target_field()
    category = forms.ChoiceField(
        label="What to cut",
        choices=CATEGORY_CHOICES,
        initial=UserGoal.Category.TOTAL,
        error_messages={
            "required": "Choose what to cut.",
            "invalid_choice": "Choose one of the options in the list.",
        },
    )
    target_date = target_date_field()
    description = description_field()

    field_order = (
        "goal_type",
        "reduction_percentage",
        "target_emissions",
        "category",
        "target_date",
        "description",
    )

    def clean(self):
        cleaned = super().clean()
        wanted = TARGET_FIELD.get(cleaned.get("goal_type"))
        if wanted is None:
            return cleaned
        if cleaned.get(wanted) is None and wanted not in self.errors:
            self.add_error(wanted, TARGET_REQUIRED[wanted])
        for other in TARGET_FIELD.values():
            if other != wanted:  # the chosen kind decides: a figure left in the other is ignored
                self.errors.pop(other, None)
                cleaned[other] = None
        return cleaned


class GoalEditForm(GoalForm):
    """The date, the notes and the target of the goal's own kind; the baseline never changes."""

    target_date = target_date_field()
    description = description_field()

    def __init__(self, *args, goal: UserGoal, **kwargs):
        target = TARGET_FIELD[goal.goal_type]
        kwargs.setdefault(
            "initial",
            {
                "target_date": goal.target_date,
                "description": goal.description,
                target: _plain(getattr(goal, target)),
            },
        )
        super().__init__(*args, **kwargs)
        field = percentage_field() if target == "reduction_percentage" else target_field()
        field.required = True
        field.error_messages["required"] = TARGET_REQUIRED[target]
        field.help_text = ""
        self.fields = {target: field, **self.fields}

    def changes(self) -> dict:
        """What was changed, for goal_update (an unchanged past date is not judged again)."""
        return {name: self.cleaned_data[name] for name in self.changed_data}
