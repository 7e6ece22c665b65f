"""The baselines of the benchmarks: the least an endpoint can do on the same stack.

Mounted only by benchmarks/bench_urls.py, never by the project; each runs through the project's
whole middleware stack.

- `BaselineApi` (bench_calculation.py): validates a payload shaped like a detailed calculation
  (country, household size, six sections of answers) with a plain DRF serializer and inserts one
  CarbonFootprint row with fixed numbers, in the same table (so the same indexes and
  constraints). No engine, no signal, no claim token, no audit entry (the audit log is switched
  off around the insert), no transaction beyond the insert's own autocommit.
- `signed_in` (bench_dashboard.py): a page for a signed-in browser that says who it is, without
  a template: the session and BrowserSessionMiddleware's check, and nothing of its own.
- `JwtBaselineApi` (bench_stats.py): a DRF endpoint with the project's JWT authentication (the
  token's user and session, one query) that answers the user's uuid.
- `password_check` (bench_signin.py): a form POST that reads the account by email and checks the
  password against its stored hash (bcrypt-SHA256 in production), answering 204 or 403.
- `trivial_page` (bench_pages.py): a short template rendered with the request's context (the
  context processors run), for an anonymous visitor.
"""

import math
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import check_password
from django.http import HttpResponse
from django.template import engines
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User, normalise_email
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


@require_safe
@login_required
def signed_in(request):
    return HttpResponse(f"Signed in as {request.user.uuid}", content_type="text/plain")


class JwtBaselineApi(APIView):
    """The project's default authentication (SessionJWTAuthentication) and permission."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"user": str(request.user.uuid)})


@csrf_exempt
@require_POST
def password_check(request):
    user = User.objects.filter(email=normalise_email(request.POST.get("email", ""))).first()
    if user is not None and check_password(request.POST.get("password", ""), user.password):
        return HttpResponse(status=204)
    return HttpResponse(status=403)


TRIVIAL_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1>{% if user.is_authenticated %}<p>{{ user.email }}</p>{% endif %}
<p>{{ request.path }}</p></body></html>
"""


@require_safe
def trivial_page(request):
    template = engines["django"].from_string(TRIVIAL_TEMPLATE)
    return HttpResponse(template.render({"title": "Baseline"}, request))
