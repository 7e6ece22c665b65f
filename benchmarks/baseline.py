"""The baseline of the calculation benchmark: the least a DRF endpoint can do with the same body.

It validates a payload shaped like a detailed calculation (country, household size, six sections
of answers) with a plain DRF serializer and inserts one CarbonFootprint row with fixed numbers,
in the same table (so the same indexes and constraints) and through the same middleware. No
engine, no signal, no claim token, no audit entry (the audit log is switched off around the
insert), no transaction beyond the insert's own autocommit. Mounted only by
benchmarks/bench_urls.py, never by the project.
"""

import math
from decimal import Decimal

from auditlog.context import disable_auditlog
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from footprints.models import CarbonFootprint

SECTIONS = ("electricity", "heating", "transportation", "waste", "lifestyle", "other")
FIXED_KG = Decimal("1000.000")
CHOICE_MAX_LENGTH = 32


class AnswerField(serializers.Field):
    """One answer: a non-negative number, or a short choice such as "petrol" or "average"."""

    def to_internal_value(self, data):
        if isinstance(data, str) and 0 < len(data) <= CHOICE_MAX_LENGTH:
            return data
        is_number = isinstance(data, int | float) and not isinstance(data, bool)
        if is_number and math.isfinite(data) and data >= 0:
            return data
        raise serializers.ValidationError("A non-negative number or a short choice.")

    def to_representation(self, value):
        return value


class BaselineInput(serializers.Serializer):
    country = serializers.CharField(min_length=2, max_length=2)
    household_size = serializers.IntegerField(min_value=1, max_value=20, required=False)

    def get_fields(self):
        fields = super().get_fields()
        for section in SECTIONS:
            fields[section] = serializers.DictField(
                child=AnswerField(), required=False, allow_empty=True
            )
        return fields


class BaselineApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        answers = BaselineInput(data=request.data)
        answers.is_valid(raise_exception=True)
        data = answers.validated_data
        with disable_auditlog():
            footprint = CarbonFootprint.objects.create(
                mode=CarbonFootprint.Mode.DETAILED,
                input_data=data,
                country=data["country"],
                total_emissions=FIXED_KG * len(SECTIONS),
                **{f"{section}_emissions": FIXED_KG for section in SECTIONS},
                confidence_score=Decimal("0.900"),
                model_name="bench.baseline",
                model_version="0",
                factor_version="0",
                is_anonymous=True,
            )
        return Response(
            {"calculation_uuid": str(footprint.calculation_uuid)},
            status=status.HTTP_201_CREATED,
        )
