"""How the calculator's inputs are drawn: a bound field with its unit, and a fast <select>."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


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


SELECTED = mark_safe(" selected")  # nosec B308 - a constant attribute, no input


class FlatSelect(forms.Select):
    """A <select> drawn in Python: through the template engine, the country list alone costs
    over two hundred template renders on every calculator page. Flat choices only."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, SELECTED if str(code) in selected else "", label)
                for code, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)
