"""Retention jobs: what each removes and keeps, in batches, once, under a lock, from cron too."""

import gzip
import io
import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User, UserSession
from accounts.tests.factories import UserFactory, UserSessionFactory
from carbon_site import retention, tasks
from carbon_site.celery import app
from carbon_site.locks import cache_lock
from carbon_site.retention import (
    ArchiveMismatch,
    anonymous_calculations_anonymise,
    audit_archive_read,
    audit_log_rotate,
    sessions_cleanup_expired,
    tokens_cleanup_expired,
)
from footprints.models import CarbonFootprint
from footprints.tests.factories import CarbonFootprintFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def archive_dir(tmp_path, settings):
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path / "audit-archive")
    return tmp_path / "audit-archive"


def outstanding_token(*, expires_at, blacklisted=False) -> OutstandingToken:
    token = OutstandingToken.objects.create(
        jti=f"jti-{OutstandingToken.objects.count()}-{expires_at.timestamp()}",
        token="header.payload.signature",
        created_at=expires_at - 7 * DAY,
        expires_at=expires_at,
    )
    if blacklisted:
        BlacklistedToken.objects.create(token=token)
    return token


def django_session(key: str, *, expire_date) -> Session:
    return Session.objects.create(session_key=key, session_data="e30", expire_date=expire_date)


# --- Sessions and JWTs --------------------------------------------------------------------------


@pytest.fixture
def sessions_of_every_age(now):
    retention_days = settings.REVOKED_SESSION_RETENTION_DAYS
    long_ago = now - (retention_days + 1) * DAY
    recently = now - DAY
    return {
        "gone": [
            UserSessionFactory(expires_at=long_ago),
            UserSessionFactory(expires_at=now + 7 * DAY, revoked_at=long_ago),
            django_session("expired-session", expire_date=recently),
            outstanding_token(expires_at=recently, blacklisted=True),
            outstanding_token(expires_at=recently),
        ],
        "kept": [
            UserSessionFactory(expires_at=now + 7 * DAY),
            UserSessionFactory(expires_at=recently),
            UserSessionFactory(expires_at=now + 7 * DAY, revoked_at=recently),
            django_session("live-session", expire_date=now + DAY),
            outstanding_token(expires_at=now + DAY, blacklisted=True),
        ],
    }


def exists(row) -> bool:
    return type(row).objects.filter(pk=row.pk).exists()


def test_cleanup_sessions_deletes_what_ended_past_retention_and_keeps_the_rest(
    now, sessions_of_every_age
):
    summary = sessions_cleanup_expired(now=now)

    assert summary.counts == {
        "user_sessions": 2,
        "django_sessions": 1,
        "outstanding_tokens": 2,
        "blacklisted_tokens": 1,
    }
    assert not any(exists(row) for row in sessions_of_every_age["gone"])
    assert all(exists(row) for row in sessions_of_every_age["kept"])
    assert BlacklistedToken.objects.count() == 1  # the live token's


def test_cleanup_sessions_writes_no_audit_entries_for_housekeeping(now, sessions_of_every_age):
    before = LogEntry.objects.count()
    sessions_cleanup_expired(now=now)
    assert LogEntry.objects.count() == before


def test_cleanup_sessions_twice_removes_nothing_the_second_time(now, sessions_of_every_age):
    sessions_cleanup_expired(now=now)
    again = sessions_cleanup_expired(now=now)
    assert set(again.counts.values()) == {0}
    assert all(exists(row) for row in sessions_of_every_age["kept"])


def test_cleanup_deletes_in_batches_of_the_configured_size(now, settings):
    settings.CLEANUP_BATCH_SIZE = 2
    for _ in range(5):
        outstanding_token(expires_at=now - DAY)
    with CaptureQueriesContext(connection) as queries:
        summary = sessions_cleanup_expired(now=now)
    deletes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("DELETE FROM")
        and "token_blacklist_outstandingtoken" in query["sql"].split("WHERE")[0]
    ]
    assert summary.counts["outstanding_tokens"] == 5
    assert len(deletes) == 3  # 2 + 2 + 1, never all at once
    assert not OutstandingToken.objects.exists()


# --- Emailed tokens -----------------------------------------------------------------------------


def test_cleanup_tokens_forgets_expired_hashes_and_keeps_valid_ones(now):
    expired_link = UserFactory(
        email_verification_token="a" * 64, email_verification_sent_at=now - 49 * timedelta(hours=1)
    )
    valid_link = UserFactory(
        email_verification_token="b" * 64, email_verification_sent_at=now - 47 * timedelta(hours=1)
    )
    expired_reset = UserFactory(
        password_reset_token="c" * 64, password_reset_expires=now - timedelta(minutes=1)
    )
    valid_reset = UserFactory(
        password_reset_token="d" * 64, password_reset_expires=now + timedelta(minutes=30)
    )

    summary = tokens_cleanup_expired(now=now)

    assert summary.counts == {"verification_tokens_cleared": 1, "reset_tokens_cleared": 1}
    expired_link.refresh_from_db()
    expired_reset.refresh_from_db()
    assert expired_link.email_verification_token is None
    assert expired_link.email_verification_sent_at is None
    assert expired_reset.password_reset_token is None
    assert expired_reset.password_reset_expires is None
    assert User.objects.get(pk=valid_link.pk).email_verification_token == "b" * 64
    assert User.objects.get(pk=valid_reset.pk).password_reset_token == "d" * 64


def test_cleanup_tokens_twice_clears_nothing_the_second_time(now):
    UserFactory(email_verification_token="a" * 64, email_verification_sent_at=now - 3 * DAY)
    UserFactory(password_reset_token="c" * 64, password_reset_expires=now - DAY)
    tokens_cleanup_expired(now=now)
    assert set(tokens_cleanup_expired(now=now).counts.values()) == {0}


# --- Anonymous calculations -----------------------------------------------------------------------


def footprint_aged(days: float, **fields) -> CarbonFootprint:
    footprint = CarbonFootprintFactory(**fields)
    CarbonFootprint.objects.filter(pk=footprint.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return CarbonFootprint.objects.get(pk=footprint.pk)


def anonymous(days: float, **fields) -> CarbonFootprint:
    return footprint_aged(days, user=None, is_anonymous=True, **fields)


def test_anonymise_clears_metadata_and_claim_tokens_past_their_periods(now, settings):
    settings.ANONYMOUS_METADATA_RETENTION_DAYS = 30
    settings.CLAIM_TOKEN_LIFETIME_DAYS = 30
    old = anonymous(31, claim_token_hash="1" * 64, ip_address="198.51.100.7")
    recent = anonymous(29, claim_token_hash="2" * 64, ip_address="198.51.100.8")
    signed_in_old = footprint_aged(400, ip_address="198.51.100.9")

    summary = anonymous_calculations_anonymise(now=now)

    assert summary.counts == {"metadata_cleared": 1, "claim_tokens_cleared": 1}
    old.refresh_from_db()
    assert (old.ip_address, old.user_agent, old.claim_token_hash) == (None, "", None)
    assert old.total_emissions == recent.total_emissions  # the numbers stay
    recent.refresh_from_db()
    assert (recent.ip_address, recent.user_agent) == ("198.51.100.8", "pytest")
    assert recent.claim_token_hash == "2" * 64
    signed_in_old.refresh_from_db()
    assert signed_in_old.ip_address == "198.51.100.9"  # an account's history is not anonymous


def test_anonymise_follows_each_setting_on_its_own(now, settings):
    settings.ANONYMOUS_METADATA_RETENTION_DAYS = 10
    settings.CLAIM_TOKEN_LIFETIME_DAYS = 60
    footprint = anonymous(20, claim_token_hash="3" * 64)

    anonymous_calculations_anonymise(now=now)

    footprint.refresh_from_db()
    assert footprint.ip_address is None
    assert footprint.claim_token_hash == "3" * 64  # still claimable


def test_anonymise_walks_every_row_in_batches(now, settings):
    settings.CLEANUP_BATCH_SIZE = 2
    rows = [anonymous(40 + n, claim_token_hash=f"{n}" * 64) for n in range(5)]
    summary = anonymous_calculations_anonymise(now=now)
    assert summary.counts == {"metadata_cleared": 5, "claim_tokens_cleared": 5}
    for row in rows:
        row.refresh_from_db()
        assert (row.ip_address, row.user_agent, row.claim_token_hash) == (None, "", None)


def test_anonymise_twice_changes_nothing_the_second_time(now):
    anonymous(400, claim_token_hash="4" * 64)
    anonymous_calculations_anonymise(now=now)
    assert set(anonymous_calculations_anonymise(now=now).counts.values()) == {0}


# --- Audit log ----------------------------------------------------------------------------------

ACTOR_EMAIL = "robin.actor@example.com"
OLD_EMAIL = "old.address@example.org"
NEW_EMAIL = "new.address@example.org"
CLIENT_IP = "198.51.100.23"


@pytest.fixture
def actor(db):
    return UserFactory(email=ACTOR_EMAIL)


def audit_entry(actor, *, age_days: float, **fields) -> LogEntry:
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(actor.pk),
        object_id=actor.pk,
        object_repr=actor.email,
        action=fields.pop("action", LogEntry.Action.UPDATE),
        actor=actor,
        actor_email=actor.email,
        remote_addr=CLIENT_IP,
        remote_port=51234,
        changes={"email": [OLD_EMAIL, NEW_EMAIL], "first_name": ["Robin", "Rob"]},
        additional_data={"event": "signin_failed", "ip": CLIENT_IP, "user_agent": "Firefox/140"},
        **fields,
    )
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=timezone.now() - timedelta(days=age_days))
    return entry


def old_entries(actor, count: int) -> list[LogEntry]:
    retention_days = settings.AUDIT_LOG_RETENTION_DAYS
    return [audit_entry(actor, age_days=retention_days + 30 - n) for n in range(count)]


def test_rotation_archives_exactly_the_old_entries_then_deletes_them(now, actor, archive_dir):
    old = old_entries(actor, 3)
    recent = audit_entry(actor, age_days=settings.AUDIT_LOG_RETENTION_DAYS - 1)

    summary = audit_log_rotate(now=now)

    archives = list(archive_dir.glob("audit-*.jsonl.gz"))
    assert [str(path) for path in archives] == [summary.archive]
    assert archives[0].name == f"audit-{now:%Y%m%dT%H%M%S}.jsonl.gz"
    with gzip.open(archives[0], "rt") as lines:
        records = [json.loads(line) for line in lines]
    assert [record["id"] for record in records] == [entry.pk for entry in old]  # oldest first
    assert summary.counts == {"archived": 3, "deleted": 3}
    assert not LogEntry.objects.filter(pk__in=[entry.pk for entry in old]).exists()
    assert LogEntry.objects.filter(pk=recent.pk).exists()


def test_archived_entries_keep_the_actors_uuid_and_no_email_or_ip(now, actor, archive_dir):
    old_entries(actor, 2)
    audit_log_rotate(now=now)

    raw = gzip.decompress(next(archive_dir.glob("*.jsonl.gz")).read_bytes()).decode()
    for personal in (ACTOR_EMAIL, OLD_EMAIL, NEW_EMAIL, CLIENT_IP, "Firefox", "51234"):
        assert personal not in raw
    record = json.loads(raw.splitlines()[0])
    assert record["actor_uuid"] == str(actor.uuid)
    assert not {"actor", "actor_id", "actor_email", "remote_addr", "remote_port"} & set(record)
    assert record["content_type"] == "accounts.user"
    assert record["changes"]["first_name"] == ["Robin", "Rob"]  # what happened is kept
    assert record["additional_data"]["event"] == "signin_failed"


def test_rotation_in_batches_writes_one_archive_readable_as_one_stream(
    now, actor, archive_dir, settings
):
    settings.CLEANUP_BATCH_SIZE = 2
    old = old_entries(actor, 5)

    summary = audit_log_rotate(now=now)

    records = audit_archive_read(next(archive_dir.glob("*.jsonl.gz")))
    assert [record["id"] for record in records] == [entry.pk for entry in old]
    assert summary.counts == {"archived": 5, "deleted": 5}


def test_rotation_with_nothing_old_writes_no_file(now, actor, archive_dir):
    audit_entry(actor, age_days=1)
    summary = audit_log_rotate(now=now)
    assert summary.counts == {"archived": 0, "deleted": 0}
    assert not archive_dir.exists() or not any(archive_dir.iterdir())


def test_rotation_twice_archives_nothing_the_second_time(now, actor, archive_dir):
    old_entries(actor, 2)
    audit_log_rotate(now=now)
    again = audit_log_rotate(now=now)
    assert again.counts == {"archived": 0, "deleted": 0}
    assert len(list(archive_dir.iterdir())) == 1


def test_an_archive_that_does_not_read_back_deletes_nothing(now, actor, archive_dir, monkeypatch):
    old = old_entries(actor, 2)
    monkeypatch.setattr(retention, "audit_archive_read", lambda path, offset=0: [{"id": -1}])

    with pytest.raises(ArchiveMismatch):
        audit_log_rotate(now=now)

    assert LogEntry.objects.filter(pk__in=[entry.pk for entry in old]).count() == 2
    assert not any(archive_dir.iterdir())  # no half-written archive left behind


# --- Tasks, locks and the beat schedule ---------------------------------------------------------


def test_each_task_answers_its_summary(now, sessions_of_every_age):
    answer = tasks.cleanup_sessions.delay().get()
    assert answer == {
        "job": "cleanup_sessions",
        "user_sessions": 2,
        "django_sessions": 1,
        "outstanding_tokens": 2,
        "blacklisted_tokens": 1,
    }


def test_a_held_lock_makes_the_task_skip(now, sessions_of_every_age):
    with cache_lock("job:cleanup_sessions", timeout_seconds=60) as acquired:
        assert acquired
        assert tasks.cleanup_sessions.delay().get() == "skipped"
    assert all(exists(row) for row in sessions_of_every_age["gone"])
    assert tasks.cleanup_sessions.delay().get()["user_sessions"] == 2  # released: runs again


def test_a_lock_is_held_once_and_free_again_after():
    with (
        cache_lock("job:example", timeout_seconds=60) as first,
        cache_lock("job:example", timeout_seconds=60) as second,
    ):
        assert (first, second) == (True, False)
    with cache_lock("job:example", timeout_seconds=60) as again:
        assert again


def test_a_lock_expires_if_its_holder_never_releases_it():
    import time

    with cache_lock("job:stuck", timeout_seconds=1) as first:
        assert first
        time.sleep(1.2)
        with cache_lock("job:stuck", timeout_seconds=60) as second:
            assert second  # the first holder died, as far as anyone can tell


@pytest.mark.parametrize(
    ("task", "job"),
    [
        (tasks.cleanup_sessions, "cleanup_sessions"),
        (tasks.cleanup_tokens, "cleanup_tokens"),
        (tasks.anonymise_calculations, "anonymise_calculations"),
        (tasks.rotate_audit_log, "rotate_audit_log"),
    ],
)
def test_every_job_task_skips_while_its_lock_is_held(task, job, archive_dir):
    with cache_lock(f"job:{job}", timeout_seconds=60):
        assert task.delay().get() == "skipped"


def test_every_task_retries_database_and_broker_errors_with_backoff():
    from django.db import OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    for task in (
        tasks.cleanup_sessions,
        tasks.cleanup_tokens,
        tasks.anonymise_calculations,
        tasks.rotate_audit_log,
    ):
        assert {OperationalError, BrokerError} <= set(task.autoretry_for)
        assert task.retry_backoff is True


def test_the_beat_schedule_names_registered_tasks_and_the_daily_sweeps():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled >= {
        "carbon_site.tasks.cleanup_sessions",
        "carbon_site.tasks.cleanup_tokens",
        "carbon_site.tasks.anonymise_calculations",
        "carbon_site.tasks.rotate_audit_log",
        "goals.tasks.mark_missed_goals",
        "footprints.tasks.refresh_daily_summary",
    }
    ours = {name for name in scheduled if not name.startswith("footprints.")}
    assert ours <= set(app.tasks)


# --- Management commands (for cron) -------------------------------------------------------------


def run_command(name: str, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue().strip()


def test_cleanup_sessions_command_prints_its_summary(sessions_of_every_age):
    assert run_command("cleanup_sessions") == (
        "cleanup_sessions: user_sessions=2 django_sessions=1 outstanding_tokens=2 "
        "blacklisted_tokens=1"
    )
    assert UserSession.objects.count() == 3


def test_cleanup_tokens_command_prints_its_summary(now):
    UserFactory(password_reset_token="c" * 64, password_reset_expires=now - DAY)
    assert run_command("cleanup_tokens", "--batch-size", "1") == (
        "cleanup_tokens: verification_tokens_cleared=0 reset_tokens_cleared=1"
    )


def test_anonymise_calculations_command_prints_its_summary():
    anonymous(400, claim_token_hash="5" * 64)
    assert run_command("anonymise_calculations") == (
        "anonymise_calculations: metadata_cleared=1 claim_tokens_cleared=1"
    )


def test_rotate_audit_log_command_prints_its_summary_and_archive(actor, archive_dir):
    old_entries(actor, 2)
    printed = run_command("rotate_audit_log")
    archive = next(archive_dir.glob("*.jsonl.gz"))
    assert printed == f"rotate_audit_log: archived=2 deleted=2 archive={archive}"


def test_a_command_says_so_when_another_run_holds_the_lock():
    with cache_lock("job:cleanup_tokens", timeout_seconds=60):
        assert run_command("cleanup_tokens") == (
            "cleanup_tokens: skipped, another run holds its lock"
        )
