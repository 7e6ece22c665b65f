"""The project's URLs plus the baselines the benchmarks compare against (benchmarks/baseline.py).

Only the bench settings (benchmarks.bench_settings) mount these; the project never does.
"""

import os

from django.urls import path

from carbon_site.urls import urlpatterns as project_urlpatterns
from footprints.signals import footprint_recorded

from . import baseline

if os.environ.get("BENCH_WITHOUT_RECOMMENDATIONS"):
    # bench_calculation.py --without-recommendations: the calculation request as it was before
    # recommendations subscribed to it. Imported once per process, before its first request.
    footprint_recorded.disconnect(dispatch_uid="recommendations_generate")

urlpatterns = [
    *project_urlpatterns,
    path("bench/baseline/", baseline.BaselineApi.as_view(), name="bench-baseline"),
    path("bench/signed-in/", baseline.signed_in, name="bench-signed-in"),
    path("bench/jwt/", baseline.JwtBaselineApi.as_view(), name="bench-jwt"),
    path("bench/password-check/", baseline.password_check, name="bench-password-check"),
    path("bench/page/", baseline.trivial_page, name="bench-page"),
]
