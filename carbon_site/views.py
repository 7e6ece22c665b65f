"""Pages and endpoints that belong to no domain: the front page and the health check."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import health_report


@require_safe
def home(request):
    return render(request, "carbon_site/home.html")


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 while the database answers, 503 otherwise."""
    report = health_report()
    return JsonResponse(report.as_dict(), status=200 if report.database_ok else 503)
