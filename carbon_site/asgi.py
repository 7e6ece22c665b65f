"""ASGI entry point (the site is served by WSGI in production; kept for tooling)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbon_site.settings")

application = get_asgi_application()
