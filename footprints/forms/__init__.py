"""The calculator's forms: one per step of the detailed calculator, the draft kept between steps
in the session, and the quick calculator.

The forms check types and limits (the engine's own FIELD_CAPS) and translate between what people
type (percentages, blanks) and the engine's answers (shares from 0 to 1, absent fields); the
engine validates again when the answers are recorded, and its errors come back onto these fields.

By topic: `countries` (where the visitor lives, the currency), `widgets` and `fields` (how
inputs are drawn and read), `steps` (the detailed calculator's forms), `draft` (the answers kept
in the session), `quick` (the quick calculator), `engine_errors` (the engine's errors onto
forms), `history` (the history page's date filter).
"""

from .countries import (
    COUNTRY_CHOICES,
    COUNTRY_NAMES,
    DEFAULT_COUNTRY,
    Currency,
    country_from_accept_language,
    currency_for,
)
from .draft import DRAFT_SESSION_KEY, CalculatorDraft, ReviewRow, ReviewSection
from .engine_errors import add_engine_errors, messages_of
from .fields import (
    THOUSANDS,
    AmountField,
    CalculatorForm,
    choice_field,
    money_field,
    number_text,
    percent_field,
    quantity_field,
)
from .history import HistoryFilterForm
from .quick import QuickForm
from .steps import (
    CATEGORY_LABELS,
    REVIEW_STEP,
    SECTION_STEPS,
    STEPS,
    UNKNOWN_FIELD,
    ElectricityForm,
    HeatingForm,
    IntroForm,
    LifestyleForm,
    OtherForm,
    SectionForm,
    Step,
    TransportationForm,
    WasteForm,
)
from .widgets import SELECTED, FlatSelect, UnitBoundField

__all__ = [
    "CATEGORY_LABELS",
    "COUNTRY_CHOICES",
    "COUNTRY_NAMES",
    "DEFAULT_COUNTRY",
    "DRAFT_SESSION_KEY",
    "REVIEW_STEP",
    "SECTION_STEPS",
    "SELECTED",
    "STEPS",
    "THOUSANDS",
    "UNKNOWN_FIELD",
    "AmountField",
    "CalculatorDraft",
    "CalculatorForm",
    "Currency",
    "ElectricityForm",
    "FlatSelect",
    "HeatingForm",
    "HistoryFilterForm",
    "IntroForm",
    "LifestyleForm",
    "OtherForm",
    "QuickForm",
    "ReviewRow",
    "ReviewSection",
    "SectionForm",
    "Step",
    "TransportationForm",
    "UnitBoundField",
    "WasteForm",
    "add_engine_errors",
    "choice_field",
    "country_from_accept_language",
    "currency_for",
    "messages_of",
    "money_field",
    "number_text",
    "percent_field",
    "quantity_field",
]
