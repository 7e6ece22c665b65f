"""Retention: expired sessions and tokens removed, old audit entries archived then deleted, old
anonymous calculations stripped of what could identify their author.

Each service works in bounded batches on an indexed timestamp: it selects up to CLEANUP_BATCH_SIZE
ids in index order, changes or deletes exactly those rows (the condition checked again, so a row
that changed meanwhile is left alone) in a short transaction, and repeats until nothing is left.
No statement touches more than one batch, unlike simplejwt's `flushexpiredtokens` and auditlog's
`auditlogflush`, which delete everything in one statement and lock large tables. Every service is
safe to run again: a second run finds nothing left to do.

`job_run` runs a service under its job's lock (carbon_site.locks), so two beats, or beat and a
cron job, never run the same job at once; the tasks and the management commands both use it.

carbon_site owns these jobs (they cut across the apps); it reaches the apps' tables through
`apps.get_model` rather than importing their modules, so no import arrow points back at the apps
(the one exception, the verification link's lifetime, is read from accounts.services when the
job runs, so that it keeps a single home).
"""

import gzip
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .locks import cache_lock

logger = logging.getLogger(__name__)

# At least the broker's visibility timeout: a run redelivered while the first still works skips.
JOB_LOCK_SECONDS = 60 * 60
DJANGO_DB_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


@dataclass(frozen=True)
class CleanupSummary:
    """What one run of a job did: a count per kind of row, and the archive it wrote, if any."""

    job: str
    counts: dict[str, int] = field(default_factory=dict)
    archive: str | None = None

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"job": self.job, **self.counts}
        if self.archive:
            answer["archive"] = self.archive
        return answer

    def __str__(self) -> str:
        parts = [f"{name}={count}" for name, count in self.counts.items()]
        if self.archive:
            parts.append(f"archive={self.archive}")
        return f"{self.job}: {' '.join(parts)}"


def job_run(job: str, service: Callable[..., CleanupSummary], **options) -> CleanupSummary | None:
    """Run `service` under the job's lock and log its summary; None if another run holds it."""
    with cache_lock(f"job:{job}", timeout_seconds=JOB_LOCK_SECONDS) as acquired:
        if not acquired:
            logger.info("%s: skipped, another run holds its lock", job)
            return None
        summary = service(now=timezone.now(), **options)
    logger.info("%s", summary)
    return summary


def _batch_size(batch_size: int | None) -> int:
    size = batch_size or settings.CLEANUP_BATCH_SIZE
    if size < 1:
        raise ValueError("The batch size is at least 1.")
    return size


# --- Batches ------------------------------------------------------------------------------------


def _drain(
    rows: QuerySet, *, order_by: str, batch_size: int, act: Callable[[QuerySet], int]
) -> int:
    """Apply `act` to every row of `rows`, a batch of ids at a time in `order_by` (indexed) order.

    For changes that take a row out of `rows` (a delete, or nulling the timestamp it is found
    by), so each batch is simply the first rows left.
    """
    done = 0
    while True:
        ids = list(rows.order_by(order_by, "pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        with transaction.atomic():
            acted = act(rows.filter(pk__in=ids))
        done += acted
        if len(ids) < batch_size or acted == 0:
            return done


def _walk(rows: QuerySet, *, order_by: str, batch_size: int, act: Callable[[QuerySet], int]) -> int:
    """Apply `act` to every row of `rows`, walking (`order_by`, pk) so each row is read once.

    For changes that leave a row inside the index range it is found by: the next batch starts
    after the last row of this one instead of from the beginning again.
    """
    done = 0
    after: tuple[Any, Any] | None = None
    while True:
        page = rows
        if after is not None:
            value, pk = after
            page = page.filter(**{f"{order_by}__gte": value}).filter(
                Q(**{f"{order_by}__gt": value}) | Q(**{order_by: value, "pk__gt": pk})
            )
        keys = list(page.order_by(order_by, "pk").values_list(order_by, "pk")[:batch_size])
        if not keys:
            return done
        with transaction.atomic():
            done += act(rows.filter(pk__in=[pk for _, pk in keys]))
        if len(keys) < batch_size:
            return done
        after = keys[-1]


def _delete(counts: Counter, labels: dict[str, str]) -> Callable[[QuerySet], int]:
    """A batch action that deletes, counting every model deleted (cascades too) by its label."""

    def delete(batch: QuerySet) -> int:
        total, per_model = batch.delete()
        for model_label, deleted in per_model.items():
            counts[labels.get(model_label, model_label)] += deleted
        return total

    return delete


def _update(**changes) -> Callable[[QuerySet], int]:
    return lambda batch: batch.update(**changes)


# --- Sessions and JWTs --------------------------------------------------------------------------


def sessions_cleanup_expired(*, now: datetime, batch_size: int | None = None) -> CleanupSummary:
    """Delete device sessions expired or revoked more than REVOKED_SESSION_RETENTION_DAYS ago,
    expired Django sessions, and JWTs past their expiry (with their blacklist entries)."""
    from auditlog.context import disable_auditlog

    size = _batch_size(batch_size)
    kept_until = now - timedelta(days=settings.REVOKED_SESSION_RETENTION_DAYS)
    user_session = apps.get_model("accounts", "UserSession")
    outstanding = apps.get_model("token_blacklist", "OutstandingToken")
    counts: Counter = Counter(
        user_sessions=0, django_sessions=0, outstanding_tokens=0, blacklisted_tokens=0
    )
    labels = {
        "accounts.UserSession": "user_sessions",
        "sessions.Session": "django_sessions",
        "token_blacklist.OutstandingToken": "outstanding_tokens",
        "token_blacklist.BlacklistedToken": "blacklisted_tokens",
    }
    delete = _delete(counts, labels)
    # Housekeeping, not a decision about anyone: the revocation itself is already audited.
    with disable_auditlog():
        for timestamp in ("expires_at", "revoked_at"):
            _drain(
                user_session.objects.filter(**{f"{timestamp}__lt": kept_until}),
                order_by=timestamp,
                batch_size=size,
                act=delete,
            )
    if settings.SESSION_ENGINE in DJANGO_DB_SESSION_ENGINES:
        session = apps.get_model("sessions", "Session")
        _drain(
            session.objects.filter(expire_date__lt=now),
            order_by="expire_date",
            batch_size=size,
            act=delete,
        )
    _drain(
        outstanding.objects.filter(expires_at__lt=now),
        order_by="expires_at",
        batch_size=size,
        act=delete,
    )
    return CleanupSummary("cleanup_sessions", dict(counts))


# --- Emailed tokens -----------------------------------------------------------------------------


def tokens_cleanup_expired(*, now: datetime, batch_size: int | None = None) -> CleanupSummary:
    """Forget email-verification and password-reset token hashes past their validity."""
    from accounts.services import EMAIL_VERIFICATION_LIFETIME  # the lifetime's one home

    size = _batch_size(batch_size)
    user = apps.get_model("accounts", "User")
    verification = _drain(
        user.objects.filter(email_verification_sent_at__lte=now - EMAIL_VERIFICATION_LIFETIME),
        order_by="email_verification_sent_at",
        batch_size=size,
        act=_update(email_verification_token=None, email_verification_sent_at=None),
    )
    reset = _drain(
        user.objects.filter(password_reset_expires__lte=now),
        order_by="password_reset_expires",
        batch_size=size,
        act=_update(password_reset_token=None, password_reset_expires=None),
    )
    return CleanupSummary(
        "cleanup_tokens",
        {"verification_tokens_cleared": verification, "reset_tokens_cleared": reset},
    )


# --- Anonymous calculations -----------------------------------------------------------------------


def anonymous_calculations_anonymise(
    *, now: datetime, batch_size: int | None = None
) -> CleanupSummary:
    """Clear the IP address and user agent of anonymous calculations older than
    ANONYMOUS_METADATA_RETENTION_DAYS, and claim tokens older than CLAIM_TOKEN_LIFETIME_DAYS."""
    size = _batch_size(batch_size)
    footprint = apps.get_model("footprints", "CarbonFootprint")
    anonymous = footprint.objects.filter(is_anonymous=True)
    metadata_until = now - timedelta(days=settings.ANONYMOUS_METADATA_RETENTION_DAYS)
    metadata = _walk(
        anonymous.filter(created_at__lt=metadata_until).filter(
            Q(ip_address__isnull=False) | ~Q(user_agent="")
        ),
        order_by="created_at",
        batch_size=size,
        act=_update(ip_address=None, user_agent=""),
    )
    # The same boundary as footprints.selectors.claim_window_start: past it a token claims nothing.
    claims_until = now - timedelta(days=settings.CLAIM_TOKEN_LIFETIME_DAYS)
    claims = _walk(
        anonymous.filter(created_at__lte=claims_until, claim_token_hash__isnull=False),
        order_by="created_at",
        batch_size=size,
        act=_update(claim_token_hash=None),
    )
    return CleanupSummary(
        "anonymise_calculations",
        {"metadata_cleared": metadata, "claim_tokens_cleared": claims},
    )


# --- Audit log ----------------------------------------------------------------------------------

ARCHIVE_READ_FIELDS = (
    "id",
    "timestamp",
    "action",
    "content_type__app_label",
    "content_type__model",
    "object_pk",
    "object_id",
    "object_repr",
    "changes",
    "changes_text",
    "cid",
    "additional_data",
    "serialized_data",
    "actor__uuid",
)
# Values under these keys (in changes, additional_data, serialized data) are never archived.
PERSONAL_KEYS = frozenset(
    {"email", "pending_email", "actor_email", "ip", "ip_address", "remote_addr", "user_agent"}
)
REMOVED = "[removed]"
EMAIL_PATTERN = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
IPV4_PATTERN = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


class ArchiveMismatch(Exception):
    """The archive read back does not hold exactly the entries written: nothing was deleted."""


def _scrub(value: Any) -> Any:
    """`value` without email addresses or IP addresses, however deep they sit."""
    if isinstance(value, dict):
        return {
            key: (REMOVED if key in PERSONAL_KEYS and value[key] else _scrub(value[key]))
            for key in value
        }
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        try:
            ip_address(value.strip())
        except ValueError:
            return IPV4_PATTERN.sub(REMOVED, EMAIL_PATTERN.sub(REMOVED, value))
        return REMOVED
    return value


def audit_archive_record(row: dict[str, Any]) -> dict[str, Any]:
    """One log entry as archived: the actor's uuid, never their email; no address or port."""
    return {
        "id": row["id"],
        "timestamp": row["timestamp"].isoformat(),
        "action": row["action"],
        "content_type": f"{row['content_type__app_label']}.{row['content_type__model']}",
        "object_pk": row["object_pk"],
        "object_id": row["object_id"],
        "object_repr": _scrub(row["object_repr"]),
        "changes": _scrub(row["changes"]),
        "changes_text": _scrub(row["changes_text"]),
        "cid": row["cid"],
        "additional_data": _scrub(row["additional_data"]),
        "serialized_data": _scrub(row["serialized_data"]),
        "actor_uuid": str(row["actor__uuid"]) if row["actor__uuid"] else None,
    }


def _archive_path(directory: Path, now: datetime) -> Path:
    stem = f"audit-{now.astimezone(UTC):%Y%m%dT%H%M%S}"
    path, suffix = directory / f"{stem}.jsonl.gz", 1
    while path.exists():
        suffix += 1
        path = directory / f"{stem}-{suffix}.jsonl.gz"
    return path


def audit_archive_read(path: Path, *, offset: int = 0) -> list[dict[str, Any]]:
    """The records of an archive (from the gzip member at `offset` on)."""
    with path.open("rb") as raw:
        raw.seek(offset)
        with gzip.GzipFile(fileobj=raw, mode="rb") as lines:
            return [json.loads(line) for line in lines if line.strip()]


def _archive_append(archive, path: Path, records: list[dict[str, Any]]) -> None:
    """Append one gzip member holding `records`, then read it back: ArchiveMismatch if it differs.

    A gzip file may hold several members; `gzip.open` and `zcat` read them as one stream.
    """
    offset = archive.tell()
    with gzip.GzipFile(fileobj=archive, mode="wb") as member:
        for record in records:
            member.write(json.dumps(record, cls=DjangoJSONEncoder).encode() + b"\n")
    archive.flush()
    os.fsync(archive.fileno())
    try:
        written = [record["id"] for record in audit_archive_read(path, offset=offset)]
    except (OSError, EOFError, ValueError) as error:
        archive.truncate(offset)
        raise ArchiveMismatch(f"{path}: the batch just written cannot be read back") from error
    expected = [record["id"] for record in records]
    if written != expected:
        archive.truncate(offset)
        raise ArchiveMismatch(
            f"{path}: read back {len(written)} entries, expected {len(expected)} (ids differ)"
        )


def audit_log_rotate(
    *, now: datetime, batch_size: int | None = None, archive_dir: str | Path | None = None
) -> CleanupSummary:
    """Move audit entries older than AUDIT_LOG_RETENTION_DAYS to a gzipped JSON-lines archive.

    One file per run (AUDIT_ARCHIVE_DIR/audit-YYYYMMDDTHHMMSS.jsonl.gz, one entry per line, see
    `audit_archive_record`), written a batch at a time; each batch is read back and compared by
    count and ids before its rows are deleted, so an entry leaves the database only once the
    archive holds it. No file is written when nothing is old enough.
    """
    size = _batch_size(batch_size)
    log_entry = apps.get_model("auditlog", "LogEntry")
    old = log_entry.objects.filter(
        timestamp__lt=now - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
    )

    def next_batch() -> list[dict[str, Any]]:
        ids = list(old.order_by("timestamp", "pk").values_list("pk", flat=True)[:size])
        rows = old.filter(pk__in=ids).order_by("timestamp", "pk").values(*ARCHIVE_READ_FIELDS)
        return [audit_archive_record(row) for row in rows]

    records = next_batch()
    if not records:
        return CleanupSummary("rotate_audit_log", {"archived": 0, "deleted": 0})
    directory = Path(archive_dir or settings.AUDIT_ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = _archive_path(directory, now)
    archived = deleted = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(descriptor, "wb") as archive:
            while records:
                _archive_append(archive, path, records)
                archived += len(records)
                with transaction.atomic():
                    deleted += old.filter(pk__in=[record["id"] for record in records]).delete()[0]
                if len(records) < size:
                    break
                records = next_batch()
    finally:
        if archived == 0:
            path.unlink(missing_ok=True)  # nothing verified: leave no empty archive behind
    return CleanupSummary(
        "rotate_audit_log", {"archived": archived, "deleted": deleted}, archive=str(path)
    )
