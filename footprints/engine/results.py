"""The frozen result of a calculation and its JSON-ready form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

MODEL_NAME = "carbon_site.engine"
UNIT = "kg CO2e/year per person"


@dataclass(frozen=True, slots=True)
class TraceLine:
    """One activity times one factor: how one part of a category was computed."""

    category: str
    activity: str
    quantity: float
    quantity_unit: str
    share: float  # the person's share: 1/household_size for home energy and waste, else 1
    factor: float
    factor_unit: str
    source: str
    year: int
    kg_co2e: float  # per person per year

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "activity": self.activity,
            "quantity": self.quantity,
            "quantity_unit": self.quantity_unit,
            "share": round(self.share, 6),
            "factor": self.factor,
            "factor_unit": self.factor_unit,
            "source": self.source,
            "year": self.year,
            "kg_co2e": round(self.kg_co2e, 3),
        }


@dataclass(frozen=True, slots=True)
class ConfidenceReason:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ComparisonPoint:
    label: str
    kg_co2e: float
    source: str
    year: int


@dataclass(frozen=True, slots=True)
class FootprintResult:
    """kg CO2e per person per year by category, with the trace of every factor used.

    ``household_total_kg`` is what the whole household emits on the respondent's answers: the
    per-person home categories (electricity, heating, waste) times household_size, plus the
    respondent's own travel, lifestyle and other emissions (other members' are not asked).
    """

    country: str
    household_size: int
    categories_kg: Mapping[str, Decimal]
    total_kg: Decimal
    household_total_kg: Decimal
    trace: tuple[TraceLine, ...]
    estimated_sections: tuple[str, ...]
    confidence_score: float
    confidence_reasons: tuple[ConfidenceReason, ...]
    comparison: tuple[ComparisonPoint, ...]
    model_name: str
    model_version: str
    factor_version: str
    mode: Literal["detailed", "quick"] = "detailed"
    intervals_kg: Mapping[str, tuple[Decimal, Decimal]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready answer fields (numbers as floats) in the shape of DESIGN.md."""
        answer: dict[str, Any] = {
            "unit": UNIT,
            "mode": self.mode,
            "country": self.country,
            "household_size": self.household_size,
            "total_emissions": float(self.total_kg),
            "household_total_emissions": float(self.household_total_kg),
            "breakdown": {name: float(kg) for name, kg in self.categories_kg.items()},
            "estimated_sections": list(self.estimated_sections),
            "confidence_score": self.confidence_score,
            "confidence_reasons": [
                {"code": reason.code, "message": reason.message}
                for reason in self.confidence_reasons
            ],
            "model_name": self.model_name,
            "model_version": self.model_version,
            "factor_version": self.factor_version,
            "trace": [line.as_dict() for line in self.trace],
            "comparison": [
                {
                    "label": point.label,
                    "kg_co2e": point.kg_co2e,
                    "source": point.source,
                    "year": point.year,
                }
                for point in self.comparison
            ],
        }
        if self.intervals_kg:
            answer["intervals"] = {
                name: [float(low), float(high)] for name, (low, high) in self.intervals_kg.items()
            }
        return answer
