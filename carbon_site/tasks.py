"""Celery tasks that belong to no domain."""

from celery import shared_task
from django.db import OperationalError

from .emails import email_send


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def send_email(*, template: str, to: str, context: dict) -> None:
    email_send(template=template, to=to, context=context)
