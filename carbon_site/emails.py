"""Emails as templates in threes (subject, text, HTML), sent after the transaction commits."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from .queue import task_enqueue


def email_render(template: str, context: dict) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}-subject.txt", context)
    subject = " ".join(subject.split())  # a header must be one line
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    return subject, text, html


def email_send(*, template: str, to: str, context: dict) -> None:
    """Render and send one email now."""
    subject, text, html = email_render(template, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def email_send_after_commit(*, template: str, to: str, context: dict) -> None:
    """Queue the email once the caller's transaction has committed, never for a rolled-back one.

    `context` must be plain JSON data: it travels through the broker.
    """
    from .tasks import send_email

    transaction.on_commit(
        lambda: task_enqueue(send_email, template=template, to=to, context=context)
    )
