"""The engine's errors (nested by section and field) as messages a form can show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms


def messages_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [message for inner in value.values() for message in messages_of(inner)]
    if isinstance(value, list | tuple):
        return [message for inner in value for message in messages_of(inner)]
    return [str(value)]


def add_engine_errors(form: forms.Form, errors: Mapping[str, Any]) -> None:
    """Put the engine's flat errors onto the form's fields (unknown names: the whole form)."""
    for key, value in errors.items():
        name = key if key in form.fields else None
        for message in messages_of(value):
            form.add_error(name, message)
