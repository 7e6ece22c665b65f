"""Template context every page needs."""

from django.conf import settings

from .config import template_context


def site(request) -> dict:
    """The site's name and address, plus `site_banner` (staff's message, "" for none) and
    `features` (each feature flag: `{% if features.quick_mode %}`), read only when used."""
    return {"SITE_NAME": "carbon_site", "SITE_URL": settings.SITE_URL, **template_context()}
