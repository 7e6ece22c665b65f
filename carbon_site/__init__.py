"""The carbon_site project: settings, URLs, Celery, and what belongs to no single domain."""

from .celery import app as celery_app

__all__ = ["celery_app"]
