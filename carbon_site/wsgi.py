"""WSGI entry point for gunicorn (and runserver, which loads the same application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbon_site.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after setup, like the import below
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

if settings.SECRET_KEY_MISSING and not settings.DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be set to serve the site with DEBUG off.")

# Web processes only (gunicorn, runserver): a statement past DB_STATEMENT_TIMEOUT_MS is stopped.
from carbon_site.db_timeouts import statement_timeout_enable  # noqa: E402 - needs Django set up

statement_timeout_enable()
