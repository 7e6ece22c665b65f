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
