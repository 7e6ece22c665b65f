"""The Celery app, configured from Django settings (`CELERY_*`); periodic jobs live in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbon_site.settings")

app = Celery("carbon_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
