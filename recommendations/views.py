"""Pages' buttons for the actions offered: mark one done, or take that back.

Plain POST forms (they work without JavaScript); each goes back where it came from.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from carbon_site.errors import NotFoundError

from .selectors import recommendation_get_own
from .services import recommendation_implement, recommendation_unimplement


def _back(request) -> HttpResponseRedirect:
    """To the page the form was on (a local address only), else the dashboard."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("dashboard")
    return HttpResponseRedirect(target)


def _own(request, recommendation_uuid):
    try:
        return recommendation_get_own(user=request.user, recommendation_uuid=recommendation_uuid)
    except NotFoundError as error:
        raise Http404(error.message) from error


@require_POST
@login_required
def implement(request, recommendation_uuid):
    recommendation = recommendation_implement(
        user=request.user, recommendation=_own(request, recommendation_uuid)
    )
    messages.success(request, f"Marked as done: {recommendation.title}.")
    return _back(request)


@require_POST
@login_required
def unimplement(request, recommendation_uuid):
    recommendation = recommendation_unimplement(
        user=request.user, recommendation=_own(request, recommendation_uuid)
    )
    messages.success(request, f"No longer marked as done: {recommendation.title}.")
    return _back(request)
