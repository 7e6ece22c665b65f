"""The detailed calculator's draft: the answers given so far, kept in the session between steps,
reviewed before they are submitted, and the engine's errors brought back onto their step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms

from .countries import COUNTRY_NAMES, DEFAULT_COUNTRY, Currency, currency_for
from .engine_errors import messages_of
from .fields import CalculatorForm, number_text
from .steps import REVIEW_STEP, SECTION_STEPS, STEPS, UNKNOWN_FIELD, IntroForm, Step

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
            kept = self.answers.get(section) or {}
            rows = tuple(
                ReviewRow(str(field.label), self._shown(field, kept[field.engine_name]))
                for field in STEPS[number - 1].form_class.answer_fields().values()
                if kept.get(field.engine_name) is not None
            )
            sections.append(
                ReviewSection(number, STEPS[number - 1].title, section in self.unknown, rows)
            )
        return tuple(sections)

    def _shown(self, field: forms.Field, value: Any) -> str:
        """A kept answer in words, with its unit."""
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)  # not a number: the engine will say so when it is submitted
        if getattr(field, "is_percent", False):
            return f"{number_text(value * 100)} %"
        unit = self.currency.unit if getattr(field, "is_money", False) else field.unit
        return f"{value:,.10g} {unit}"

    def form_with_engine_errors(
        self, errors: Mapping[str, Any]
    ) -> tuple[int, CalculatorForm | None, list[str]]:
        """The first step the engine's errors name, bound to the kept answers with the errors on
        its fields; errors that name no step come back as plain messages for the review step."""
        leftover = [
            message
            for key, value in errors.items()
            if key not in SECTION_STEPS and key not in ("country", "household_size")
            for message in messages_of(value)
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


def _step_errors(step: Step, errors: Mapping[str, Any]) -> dict[str | None, list[str]]:
    """The engine's errors for one step, by form field name (None: about the whole step)."""
    if step.form_class is IntroForm:
        return {
            name: messages_of(errors[name])
            for name in ("country", "household_size")
            if name in errors
        }
    raw = errors.get(step.section)
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return {None: messages_of(raw)}
    found: dict[str | None, list[str]] = {}
    for engine_name, messages in raw.items():
        name = step.form_class.form_name(str(engine_name))
        found.setdefault(name, []).extend(messages_of(messages))
    return found
