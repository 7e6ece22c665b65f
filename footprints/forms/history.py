"""The history page's filter: calculations made between two dates (inclusive, UTC)."""

from __future__ import annotations

from django import forms

from .widgets import UnitBoundField

DATE_ERRORS = {"invalid": "Enter a real date, such as 2025-03-31."}


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages=DATE_ERRORS,
    )


class HistoryFilterForm(forms.Form):
    """Read from the query string: blank dates leave that end of the range open."""

    bound_field_class = UnitBoundField

    date_from = _date_field("From")
    date_to = _date_field("To")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "Must be the same as or after the “From” date.")
        return cleaned
