"""The switches staff flip in admin, applied to requests: maintenance mode and closed features."""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from .config import MaintenanceState, maintenance_state
from .errors import FeatureDisabled

logger = logging.getLogger(__name__)

# What keeps working during maintenance: staff need the admin to switch it off again, load
# balancers need /healthz, and the pages that are answered need their stylesheet.
EXEMPT_PATH_PREFIXES = ("/admin/", "/healthz", "/metrics")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _is_exempt(request) -> bool:
    path = request.path_info
    return path.startswith(EXEMPT_PATH_PREFIXES) or path.startswith(settings.STATIC_URL)


def _is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def maintenance_response(request, state: MaintenanceState) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, the maintenance page elsewhere."""
    if _is_api(request):
        response = JsonResponse({"detail": state.message, "code": "maintenance"}, status=503)
    else:
        try:
            response = render(
                request, "carbon_site/maintenance.html", {"message": state.message}, status=503
            )
        except Exception:
            # Maintenance is when something else may be half-deployed: never answer it with a 500.
            logger.exception("maintenance page failed to render; answering plain text")
            response = HttpResponse(state.message, content_type="text/plain", status=503)
    response["Retry-After"] = str(state.retry_after_seconds)
    add_never_cache_headers(response)
    return response


class MaintenanceModeMiddleware:
    """While maintenance mode is on, every request but staff's, /admin/ and /healthz gets a 503.

    Placed after AuthenticationMiddleware: staff are recognised by their browser session. API
    clients authenticate inside DRF's views, after this runs, so a bearer token never passes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_exempt(request):
            state = maintenance_state()
            if state.enabled and not _is_staff(request):
                return maintenance_response(request, state)
        return self.get_response(request)


class FeatureDisabledPageMiddleware:
    """A page view refused by a closed feature answers a friendly 403 page, not a 500.

    (API views never get here: DRF's handler answers them 403 `feature_disabled` itself.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, FeatureDisabled):
            return None
        if _is_api(request):  # a plain Django view under /api/ answers in the API's shape
            return JsonResponse({"detail": exception.message, "code": exception.code}, status=403)
        return render(
            request,
            "carbon_site/feature_disabled.html",
            {"message": exception.message},
            status=403,
        )
