"""Footprints API: record (detailed or quick), claim, list, read and recalculate calculations.

The engine validates answers (so the API, the pages and the estimator share one set of rules);
the input serializers here describe those rules for the OpenAPI schema and check the few fields
that are the API's own (calculation_date, claim tokens).
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from carbon_site.config import feature_check
from carbon_site.errors import FieldErrors
from carbon_site.http import RequestMeta
from carbon_site.openapi import error_responses
from carbon_site.ratelimits import rate_limit_hit
from carbon_site.serializers import StrictInputSerializer

from . import engine, selectors, services
from .engine.inputs import CHOICE_FIELDS, FIELD_CAPS, SHARE
from .models import CarbonFootprint
from .outputs import BreakdownOutput, FootprintOutput, FootprintSummaryOutput

CLAIM_TOKEN_HEADER = "X-Claim-Token"  # noqa: S105 - a header name, not a secret

DETAILED_EXAMPLE = {
    "country": "GB",
    "household_size": 2,
    "electricity": {"kwh_per_year": 2700, "renewable_share": 0},
    "heating": {"natural_gas_kwh_per_year": 11500},
    "transportation": {"car_km_per_year": 11000, "car_fuel": "petrol", "rail_km_per_year": 500},
    "waste": {"kg_per_week": 8, "recycling_share": 0.4},
    "lifestyle": {"diet": "average", "clothing_spend_per_month": 40},
}
QUICK_EXAMPLE = {
    "country": "GB",
    "household_size": 2,
    "home_size": "50_100",
    "home_type": "semi",
    "heating_fuel": "gas",
    "car_use": "medium",
    "flights": "one_or_two",
    "diet": "average",
}


def _section_serializer(name: str) -> type[serializers.Serializer]:
    """Describe one engine section for the schema, generated from the engine's own limits."""
    fields: dict[str, serializers.Field] = {}
    for field, cap in FIELD_CAPS[name].items():
        maximum = 1 if cap == SHARE else cap
        fields[field] = serializers.FloatField(required=False, min_value=0, max_value=maximum)
    for field, choices in CHOICE_FIELDS.get(name, {}).items():
        fields[field] = serializers.ChoiceField(choices=choices, required=False, allow_null=True)
    class_name = f"Footprint{name.capitalize()}Answers"
    return type(class_name, (StrictInputSerializer,), fields)


class FootprintCreateInput(StrictInputSerializer):
    """A detailed calculation. Leave a section out for "I don't know" (the country's average is
    used and the confidence drops); inside a section, a field left out means zero."""

    country = serializers.ChoiceField(choices=[code for code, _ in engine.countries()])
    household_size = serializers.IntegerField(min_value=1, max_value=20, required=False)
    calculation_date = serializers.DateTimeField(
        required=False, help_text="When the answers apply (2000 or later, not in the future)."
    )
    electricity = _section_serializer("electricity")(required=False)
    heating = _section_serializer("heating")(required=False)
    transportation = _section_serializer("transportation")(required=False)
    waste = _section_serializer("waste")(required=False)
    lifestyle = _section_serializer("lifestyle")(required=False)
    other = _section_serializer("other")(required=False)


def _quick_fields() -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for question in engine.quick_questions():
        if question.name == "household_size":
            fields[question.name] = serializers.IntegerField(
                min_value=1, max_value=20, required=False, help_text=question.label
            )
        else:
            fields[question.name] = serializers.ChoiceField(
                choices=[code for code, _ in question.choices], help_text=question.label
            )
    fields["calculation_date"] = serializers.DateTimeField(required=False)
    return fields


FootprintQuickInput = type("FootprintQuickInput", (StrictInputSerializer,), _quick_fields())


class CalculationDateInput(serializers.Serializer):
    calculation_date = serializers.DateTimeField(required=False)


def _split_answers(data) -> tuple[dict, object]:
    """Separate the API's own calculation_date from the engine's answers."""
    if not isinstance(data, dict):
        raise FieldErrors({"non_field_errors": ["The body must be a JSON object."]})
    answers = dict(data)
    dated = (
        CalculationDateInput(data={"calculation_date": answers.pop("calculation_date")})
        if ("calculation_date" in answers)
        else None
    )
    if dated is None:
        return answers, None
    dated.is_valid(raise_exception=True)
    return answers, dated.validated_data["calculation_date"]


def _record(request, *, mode: str) -> Response:
    user = request.user if request.user.is_authenticated else None
    if mode == CarbonFootprint.Mode.QUICK:
        feature_check("quick_mode")
    if user is None:
        feature_check("anonymous_calculations")
        rate_limit_hit(
            request, group="footprints.anonymous", rate=settings.RATELIMIT_ANONYMOUS_CALCULATION
        )
    answers, calculation_date = _split_answers(request.data)
    recorded = services.footprint_record(
        user=user,
        answers=answers,
        request_meta=RequestMeta.from_request(request),
        mode=mode,
        calculation_date=calculation_date,
    )
    output = FootprintOutput(
        recorded.footprint,
        context={
            "result": recorded.result,
            "claim_token": recorded.claim_token,
            **recorded.answer_parts,
        },
    )
    return Response(output.data, status=status.HTTP_201_CREATED)


class FootprintListCreateApi(generics.ListAPIView):
    """Record a calculation (anyone) or list your own (signed in)."""

    serializer_class = FootprintSummaryOutput

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_queryset(self):
        dates = DateRangeInput(data=self.request.query_params)
        dates.is_valid(raise_exception=True)
        return selectors.footprint_list(
            user=self.request.user,
            date_from=dates.validated_data.get("from"),
            date_to=dates.validated_data.get("to"),
        )

    @extend_schema(
        operation_id="footprints_list",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="From this day (UTC)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="To this day, inclusive."),
        ],
        responses={200: FootprintSummaryOutput(many=True), **error_responses(400, 401)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="footprints_create",
        request=FootprintCreateInput,
        responses={201: FootprintOutput, **error_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A UK household", value=DETAILED_EXAMPLE, request_only=True)],
        auth=[{"jwtAuth": []}, {}],
    )
    def post(self, request):
        return _record(request, mode=CarbonFootprint.Mode.DETAILED)


class DateRangeInput(serializers.Serializer):
    to = serializers.DateField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)  # a keyword in Python
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["Must be on or after `from`."]})
        return attrs


class FootprintQuickApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="footprints_quick_create",
        request=FootprintQuickInput,
        responses={201: FootprintOutput, **error_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("Quick answers", value=QUICK_EXAMPLE, request_only=True)],
        auth=[{"jwtAuth": []}, {}],
    )
    def post(self, request):
        return _record(request, mode=CarbonFootprint.Mode.QUICK)


class FootprintClaimApi(APIView):
    permission_classes = [IsAuthenticated]

    class FootprintClaimInput(StrictInputSerializer):
        claim_tokens = serializers.ListField(
            child=serializers.CharField(max_length=200), min_length=1, max_length=100
        )

    class FootprintClaimOutput(serializers.Serializer):
        claimed = serializers.ListField(child=serializers.UUIDField())
        skipped = serializers.IntegerField(
            help_text="Tokens that were unknown, expired or already used (not told apart)."
        )

    @extend_schema(
        operation_id="footprints_claim",
        request=FootprintClaimInput,
        responses={200: FootprintClaimOutput, **error_responses(400, 401)},
        examples=[
            OpenApiExample(
                "Claim tokens kept from anonymous results",
                value={"claim_tokens": ["Zp0r8Q2xWm5VbN7cK1yT4uJ6hL9dS3fA0eG2iO5kR8w"]},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        answers = self.FootprintClaimInput(data=request.data)
        answers.is_valid(raise_exception=True)
        outcome = services.footprint_claim(
            user=request.user, claim_tokens=answers.validated_data["claim_tokens"]
        )
        return Response({"claimed": list(outcome.claimed), "skipped": outcome.skipped})


CLAIM_TOKEN_PARAMETER = OpenApiParameter(
    CLAIM_TOKEN_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Read an anonymous result with the claim token it was answered with.",
)


class FootprintDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="footprints_retrieve",
        parameters=[CLAIM_TOKEN_PARAMETER],
        responses={200: FootprintOutput, **error_responses(401, 404)},
        auth=[{"jwtAuth": []}, {}],
    )
    def get(self, request, calculation_uuid):
        footprint = selectors.footprint_get_readable(
            user=request.user if request.user.is_authenticated else None,
            calculation_uuid=calculation_uuid,
            claim_token=request.headers.get(CLAIM_TOKEN_HEADER),
        )
        result = selectors.footprint_result(footprint)
        return Response(FootprintOutput(footprint, context={"result": result}).data)


class FootprintRecalculateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="footprints_recalculate",
        request=None,
        responses={201: FootprintOutput, **error_responses(401, 404)},
    )
    def post(self, request, calculation_uuid):
        footprint = selectors.footprint_get_own(
            user=request.user, calculation_uuid=calculation_uuid
        )
        recorded = services.footprint_recalculate(
            footprint=footprint, request_meta=RequestMeta.from_request(request)
        )
        output = FootprintOutput(
            recorded.footprint, context={"result": recorded.result, **recorded.answer_parts}
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class ChangeOutput(serializers.Serializer):
    kg = serializers.FloatField()
    percent = serializers.FloatField(allow_null=True)


class FootprintStatsOutput(serializers.Serializer):
    """With no calculations yet, `count` is 0 and every other field is null."""

    count = serializers.IntegerField()
    first_date = serializers.DateTimeField(allow_null=True)
    latest_date = serializers.DateTimeField(allow_null=True)
    latest_total = serializers.FloatField(allow_null=True)
    min_total = serializers.FloatField(allow_null=True)
    max_total = serializers.FloatField(allow_null=True)
    average_total = serializers.FloatField(allow_null=True)
    average_breakdown = BreakdownOutput(allow_null=True)
    change_since_first = ChangeOutput(allow_null=True)
    change_since_previous = ChangeOutput(allow_null=True)


class FootprintStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="footprints_stats",
        responses={200: FootprintStatsOutput, **error_responses(401)},
    )
    def get(self, request):
        return Response(FootprintStatsOutput(selectors.footprint_stats(user=request.user)).data)


class TrendPointOutput(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the period (UTC).")
    count = serializers.IntegerField()
    total = serializers.FloatField(help_text="Average total of the period's calculations.")
    breakdown = serializers.DictField(child=serializers.FloatField())


class FootprintTrendOutput(serializers.Serializer):
    period = serializers.CharField()
    points = TrendPointOutput(many=True)


class TrendInput(DateRangeInput):
    period = serializers.ChoiceField(choices=["month", "quarter", "year"], default="month")


class FootprintTrendApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="footprints_trend",
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year"]),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ],
        responses={200: FootprintTrendOutput, **error_responses(400, 401)},
    )
    def get(self, request):
        query = TrendInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        points = selectors.footprint_trend(
            user=request.user,
            period=period,
            date_from=query.validated_data.get("from"),
            date_to=query.validated_data.get("to"),
        )
        return Response(FootprintTrendOutput({"period": period, "points": points}).data)
