"""The calculation answer of DESIGN.md: the contract every client reads."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .engine.results import UNIT
from .models import CATEGORIES


class BreakdownOutput(serializers.Serializer):
    electricity = serializers.FloatField()
    heating = serializers.FloatField()
    transportation = serializers.FloatField()
    waste = serializers.FloatField()
    lifestyle = serializers.FloatField()
    other = serializers.FloatField()


class ConfidenceReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class TraceLineOutput(serializers.Serializer):
    category = serializers.CharField()
    activity = serializers.CharField()
    quantity = serializers.FloatField()
    quantity_unit = serializers.CharField()
    share = serializers.FloatField(help_text="The person's share: 1/household size for home use.")
    factor = serializers.FloatField()
    factor_unit = serializers.CharField()
    source = serializers.CharField()
    year = serializers.IntegerField()
    kg_co2e = serializers.FloatField()


class ComparisonOutput(serializers.Serializer):
    label = serializers.CharField()
    kg_co2e = serializers.FloatField()
    source = serializers.CharField()
    year = serializers.IntegerField()


class IntervalOutput(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()


class RecommendationBriefOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    action_code = serializers.CharField()
    category = serializers.CharField()
    title = serializers.CharField()
    potential_savings = serializers.FloatField()
    priority = serializers.IntegerField()
    estimated_impact = serializers.CharField()
    is_implemented = serializers.BooleanField()


def _breakdown(footprint) -> dict[str, float]:
    return {category: float(value) for category, value in footprint.breakdown.items()}


class FootprintSummaryOutput(serializers.Serializer):
    """One line of the history: the numbers without the trace."""

    calculation_uuid = serializers.UUIDField()
    calculation_date = serializers.DateTimeField()
    mode = serializers.CharField()
    country = serializers.CharField()
    unit = serializers.SerializerMethodField()
    total_emissions = serializers.FloatField()
    breakdown = serializers.SerializerMethodField()
    confidence_score = serializers.FloatField()
    factor_version = serializers.CharField()

    def get_unit(self, footprint) -> str:
        return UNIT

    @extend_schema_field(BreakdownOutput)
    def get_breakdown(self, footprint) -> dict:
        return _breakdown(footprint)


class FootprintOutput(FootprintSummaryOutput):
    """A whole calculation. The numbers are the stored ones; the trace, reasons and comparisons
    come from the engine result in the context (None when the factor set has since changed)."""

    household_size = serializers.SerializerMethodField()
    household_total_emissions = serializers.SerializerMethodField()
    estimated_sections = serializers.SerializerMethodField()
    confidence_reasons = serializers.SerializerMethodField()
    model_name = serializers.CharField()
    model_version = serializers.CharField()
    trace = serializers.SerializerMethodField()
    comparison = serializers.SerializerMethodField()
    intervals = serializers.SerializerMethodField()
    recalculated_from = serializers.UUIDField(
        source="recalculated_from.calculation_uuid", allow_null=True, default=None
    )
    recommendations = serializers.SerializerMethodField()
    claim_token = serializers.SerializerMethodField()

    @property
    def _result(self):
        return self.context.get("result")

    def get_household_size(self, footprint) -> int:
        return (
            footprint.input_data.get("household_size", 1)
            if self._result is None
            else (self._result.household_size)
        )

    def get_household_total_emissions(self, footprint) -> float | None:
        return None if self._result is None else float(self._result.household_total_kg)

    def get_estimated_sections(self, footprint) -> list[str]:
        return [] if self._result is None else list(self._result.estimated_sections)

    @extend_schema_field(ConfidenceReasonOutput(many=True))
    def get_confidence_reasons(self, footprint) -> list[dict]:
        if self._result is None:
            return [
                {
                    "code": "factors_updated",
                    "message": "The emission factors have been updated since this calculation; "
                    "recalculate it to see the details.",
                }
            ]
        return [{"code": r.code, "message": r.message} for r in self._result.confidence_reasons]

    @extend_schema_field(TraceLineOutput(many=True))
    def get_trace(self, footprint) -> list[dict]:
        return [] if self._result is None else [line.as_dict() for line in self._result.trace]

    @extend_schema_field(ComparisonOutput(many=True))
    def get_comparison(self, footprint) -> list[dict]:
        if self._result is None:
            return []
        return [
            {"label": p.label, "kg_co2e": p.kg_co2e, "source": p.source, "year": p.year}
            for p in self._result.comparison
        ]

    @extend_schema_field(
        serializers.DictField(
            child=IntervalOutput(),
            allow_null=True,
            help_text=("Quick mode only: the likely range of each category."),
        )
    )
    def get_intervals(self, footprint) -> dict | None:
        intervals = getattr(self._result, "intervals_kg", None)
        if not intervals:
            return None
        return {
            category: {"low": float(low), "high": float(high)}
            for category, (low, high) in intervals.items()
            if category in CATEGORIES
        }

    @extend_schema_field(RecommendationBriefOutput(many=True))
    def get_recommendations(self, footprint) -> list[dict]:
        if "recommendations" in self.context:  # just stored by the request that made it
            return self.context["recommendations"]
        return RecommendationBriefOutput(footprint.recommendations.all(), many=True).data

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="Only for anonymous results, once: keep it to attach the result to an "
            "account.",
        )
    )
    def get_claim_token(self, footprint) -> str | None:
        return self.context.get("claim_token")

    def to_representation(self, footprint) -> dict:
        """The same answer as the declared fields give, built directly.

        Every calculation request returns this; building it field by field through DRF took
        as long as the engine, the insert and the recommendations together. The declared
        fields stay the schema, and a test holds the two representations equal.
        """
        result = self._result
        trace, comparison, intervals = [], [], None
        if result is not None:
            trace = [line.as_dict() for line in result.trace]
            comparison = [
                {"label": p.label, "kg_co2e": p.kg_co2e, "source": p.source, "year": p.year}
                for p in result.comparison
            ]
            intervals = self.get_intervals(footprint)
        recalculated_from = footprint.recalculated_from
        return {
            "calculation_uuid": str(footprint.calculation_uuid),
            "calculation_date": _DATETIME.to_representation(footprint.calculation_date),
            "mode": footprint.mode,
            "country": footprint.country,
            "unit": UNIT,
            "total_emissions": float(footprint.total_emissions),
            "breakdown": _breakdown(footprint),
            "confidence_score": float(footprint.confidence_score),
            "factor_version": footprint.factor_version,
            "household_size": self.get_household_size(footprint),
            "household_total_emissions": self.get_household_total_emissions(footprint),
            "estimated_sections": self.get_estimated_sections(footprint),
            "confidence_reasons": self.get_confidence_reasons(footprint),
            "model_name": footprint.model_name,
            "model_version": footprint.model_version,
            "trace": trace,
            "comparison": comparison,
            "intervals": intervals,
            "recalculated_from": (
                None if recalculated_from is None else str(recalculated_from.calculation_uuid)
            ),
            "recommendations": (
                self.context["recommendations"]
                if "recommendations" in self.context
                else _recommendations_brief(footprint)
            ),
            "claim_token": self.get_claim_token(footprint),
        }


_DATETIME = serializers.DateTimeField()
# RecommendationBriefOutput's stored columns (its title comes from the catalogue); the
# recommendations service stores and returns exactly these for a new calculation's answer.
RECOMMENDATION_BRIEF_COLUMNS = (
    "uuid",
    "action_code",
    "category",
    "potential_savings",
    "priority",
    "estimated_impact",
    "is_implemented",
)


def _recommendations_brief(footprint) -> list[dict]:
    """RecommendationBriefOutput's answer from one narrow query, the title from the catalogue."""
    recommendations = footprint.recommendations
    return [
        {
            "uuid": str(uuid),
            "action_code": action_code,
            "category": category,
            "title": recommendations.model.title_of(action_code),
            "potential_savings": float(savings),
            "priority": priority,
            "estimated_impact": impact,
            "is_implemented": is_implemented,
        }
        for uuid, action_code, category, savings, priority, impact, is_implemented in (
            recommendations.values_list(*RECOMMENDATION_BRIEF_COLUMNS)
        )
    ]
