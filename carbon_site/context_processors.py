"""Template context every page needs."""

from django.conf import settings


def site(request) -> dict:
    return {"SITE_NAME": "carbon_site", "SITE_URL": settings.SITE_URL}
