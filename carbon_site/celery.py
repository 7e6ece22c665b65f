"""The Celery app, configured from Django settings (`CELERY_*`); periodic jobs live in settings."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbon_site.settings")

app = Celery("carbon_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _worker_metrics_start(**kwargs) -> None:
    from carbon_site.metrics import worker_metrics_start

    worker_metrics_start(int(os.environ["METRICS_WORKER_PORT"]))


# Set on workers only: each serves its task outcomes to Prometheus on this port.
if os.environ.get("METRICS_WORKER_PORT"):
    signals.worker_init.connect(_worker_metrics_start, weak=False)
