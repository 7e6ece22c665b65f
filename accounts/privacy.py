"""Privacy services: a person's data handed out, and a person's account erased.

Erasure relies on `on_delete=CASCADE` for everything a user owns; the audit log keeps its
entries (they record what happened) but loses every personal value about the erased person.
"""

import csv
import io
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import import_module

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from carbon_site.emails import email_send_after_commit
from carbon_site.export import user_export_json_chunks, user_export_sections
from carbon_site.user_cache import user_cache_bump_after_commit

from .models import User, UserSession

ERASED = "[erased]"
EXPORT_README = """carbon_site: your data

This archive holds everything carbon_site stores about you, as of the moment you downloaded it.

- export.json holds every table below in one JSON document.
- Each CSV file is one table; its first line names the columns.

Tables and columns
- user: your account. uuid is your public id; is_verified says whether you confirmed your email;
  created_at, updated_at and last_login are UTC times. Passwords and emailed tokens are stored
  only as one-way hashes and are not part of an export.
- user_profile: your preferences (country, household size, units, timezone, phone).
- user_sessions: each signed-in device: kind (api or browser), device name, user agent, IP
  address, when it started, was last seen, expires and was signed out (revoked_at).
- security_events: sign-ins, sign-outs, password changes and other security events on your
  account, with the address and browser they came from.
- footprints: each calculation. input_data holds your answers; total_emissions and the
  electricity, heating, transportation, waste, lifestyle and other _emissions columns are kg CO2e
  per year per person; confidence_score is 0 to 1; model and factor versions say which emission
  factors were used; ip_address and user_agent are where it was made from.
- recommendations: the actions offered with each calculation, with potential_savings in kg CO2e a
  year, priority (1 first), impact and whether you marked them done.
- implemented_actions: the actions you took, each once, with the saving counted.
- goals: your reduction goals: baseline and target in kg CO2e a year, percentage, date and status.
"""


def user_export_zip(user: User) -> tempfile.SpooledTemporaryFile:
    """A ZIP of the export (JSON, one CSV per table, a README), spilled to disk when large."""
    archive_file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    encoder = DjangoJSONEncoder()
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", EXPORT_README)
        with archive.open("export.json", "w") as json_file:
            for chunk in user_export_json_chunks(user):
                json_file.write(chunk.encode())
        for name, rows in user_export_sections(user):
            with (
                archive.open(f"{name}.csv", "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
            ):
                writer = None
                for row in rows:
                    if writer is None:
                        writer = csv.DictWriter(text, fieldnames=list(row))
                        writer.writeheader()
                    writer.writerow(
                        {
                            key: encoder.encode(value) if isinstance(value, dict | list) else value
                            for key, value in row.items()
                        }
                    )
    archive_file.seek(0)
    return archive_file


# --- Erasure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    audit_entries_redacted: int


def _owned_objects(user: User) -> dict[type[models.Model], list[int]]:
    """Every row that belongs to the user, directly or through a row that does."""
    owned: dict[type[models.Model], list[int]] = {User: [user.pk]}
    tables = [model for model in apps.get_models() if model._meta.managed]  # views own nothing
    for model in tables:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User and model is not LogEntry:
                ids = list(model.objects.filter(**{field.name: user}).values_list("pk", flat=True))
                owned.setdefault(model, []).extend(ids)
    footprint_model = apps.get_model("footprints", "CarbonFootprint")
    for model in tables:
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model is footprint_model
                and model is not (footprint_model)
            ):
                ids = model.objects.filter(**{f"{field.name}__user": user}).values_list(
                    "pk", flat=True
                )
                owned.setdefault(model, []).extend(ids)
    return owned


def _redact_changes(changes):
    if isinstance(changes, dict):
        return {field: [ERASED, ERASED] for field in changes}
    return None


def _audit_redact(user: User, owned: dict[type[models.Model], list[int]]) -> int:
    """Keep the audit trail, drop every personal value of the erased person from it."""
    about_owned = Q()
    for model, ids in owned.items():
        if ids:
            about_owned |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=ids,
            )
    mentions = Q(actor=user) | Q(actor_email__iexact=user.email) | about_owned
    entries = list(LogEntry.objects.filter(mentions))
    for entry in entries:
        entry.actor = None
        entry.actor_email = None
        entry.remote_addr = None
        entry.object_repr = ERASED
        entry.changes = _redact_changes(entry.changes)
        entry.changes_text = ""
        entry.serialized_data = None
        if entry.additional_data:
            kept = {"event": entry.additional_data.get("event")}
            entry.additional_data = {key: value for key, value in kept.items() if value}
    # bulk_update sends no signals: auditlog's request context would otherwise name the
    # erased person as the actor again on save.
    LogEntry.objects.bulk_update(
        entries,
        [
            "actor",
            "actor_email",
            "remote_addr",
            "object_repr",
            "changes",
            "changes_text",
            "serialized_data",
            "additional_data",
        ],
        batch_size=500,
    )
    return len(entries)


def _erasure_record(*, erased_uuid: str, erased_pk: int) -> None:
    """Leave one audit entry that an account was erased, naming it only by its uuid, so an
    operator restoring a backup can erase it again (docs/operations.md). bulk_create sends no
    signals, so the request's audit context cannot attach the erased person's email."""
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=ContentType.objects.get_for_model(User),
                object_pk=str(erased_pk),
                object_id=erased_pk,
                object_repr=ERASED,
                action=LogEntry.Action.DELETE,
                additional_data={"event": "account_erased", "user_uuid": erased_uuid},
                timestamp=timezone.now(),
            )
        ]
    )


@transaction.atomic
def account_erase(*, user: User) -> ErasureReport:
    """Delete the account and everything it owns; its sessions and tokens stop working at once."""
    address, name = user.email, user.get_short_name()
    owned = _owned_objects(user)
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in UserSession.objects.filter(user=user, session_key__isnull=False).values_list(
        "session_key", flat=True
    ):
        session_store(session_key=session_key).delete()
    OutstandingToken.objects.filter(user=user).delete()  # the blacklist rows go with them
    redacted = _audit_redact(user, owned)
    erased_uuid, erased_pk = str(user.uuid), user.pk
    with disable_auditlog():
        user.delete()
    _erasure_record(erased_uuid=erased_uuid, erased_pk=erased_pk)
    user_cache_bump_after_commit(erased_pk)  # cached figures and charts: out of reach at once
    email_send_after_commit(template="account-deleted", to=address, context={"name": name})
    return ErasureReport(audit_entries_redacted=redacted)


def account_erase_confirmed(*, user: User, password: str) -> ErasureReport:
    """Erasure asked for by the person: their password first."""
    if not user.check_password(password):
        raise ValidationError({"password": ["Your password is not right."]})
    return account_erase(user=user)
