"""Security events and the limits that guard signing in, for the account pages and the API alike.

Each event is an auditlog entry of action ACCESS about the account concerned (or about no account,
for a stranger), with `additional_data` = {event, ip, user_agent, session, ...}: staff filter them
by event in the admin. Neither a password, a token nor the email someone typed is ever recorded.

Limits (django-ratelimit on the shared cache, rates from settings): every attempt counts per
client IP; failed sign-ins also count per account (the normalised email, whether or not it has an
account, so a 429 tells nothing), and a successful sign-in or a password reset clears them.
"""

import hashlib
from enum import StrEnum

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches

from carbon_site.http import RequestMeta
from carbon_site.ratelimits import (
    RateLimited,
    client_rate_key,
    rate_limit_check,
    rate_limit_count,
    rate_limit_hit,
    rate_limit_reset,
)

from . import services
from .jwt import SESSION_CLAIM
from .models import User, normalise_email

USER_AGENT_KEPT = 256
NO_ACCOUNT = "(no account)"
SESSION_UUID_KEY = "accounts.session_uuid"  # the browser's user_sessions row, in its session


class SecurityEvent(StrEnum):
    SIGNED_UP = "signed_up"
    SIGNIN_SUCCEEDED = "signin_succeeded"
    SIGNIN_FAILED = "signin_failed"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an event name
    EMAIL_VERIFIED = "email_verified"
    SESSION_REVOKED = "session_revoked"
    RATE_LIMITED = "rate_limited"
    STAFF_EXPORTED_DATA = "staff_exported_data"
    STAFF_ERASED_ACCOUNT = "staff_erased_account"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def request_session_uuid(request) -> str | None:
    """The user_sessions row the request is signed in with: the JWT's claim, or the browser's."""
    token = getattr(request, "auth", None)
    if token is not None and hasattr(token, "get"):
        claimed = token.get(SESSION_CLAIM)
        if claimed:
            return str(claimed)
    session = getattr(request, "session", None)
    return session.get(SESSION_UUID_KEY) if session is not None else None


def _request_actor(request) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def security_event_record(
    request,
    event: SecurityEvent,
    *,
    user: User | None = None,
    actor: User | None = None,
    session_uuid=None,
    **details,
) -> LogEntry:
    """Write one security event to the audit log, about `user` (None: no known account).

    The actor is `actor`, else the signed-in user of the request; pass it explicitly when the
    request learnt who it is only now (a sign-in). `details` must hold no secret.
    """
    meta = RequestMeta.from_request(request)
    session_uuid = session_uuid or request_session_uuid(request)
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk) if user is not None else "",
        object_id=user.pk if user is not None else None,
        object_repr=str(user) if user is not None else NO_ACCOUNT,
        action=LogEntry.Action.ACCESS,
        actor=actor or _request_actor(request),
        additional_data={
            "event": str(event),
            "ip": meta.ip_address,
            "user_agent": meta.user_agent[:USER_AGENT_KEPT],
            "session": str(session_uuid) if session_uuid else None,
            **details,
        },
    )


# --- Limits -----------------------------------------------------------------------------------

IP_LIMITS = {
    "signin": "RATELIMIT_SIGNIN_IP",
    "signup": "RATELIMIT_SIGNUP_IP",
    "password_reset": "RATELIMIT_PASSWORD_RESET_IP",
    "verification_resend": "RATELIMIT_VERIFICATION_RESEND_IP",
}
SIGNIN_ACCOUNT_GROUP = "accounts.signin.account"


def _refusal_record(request, refusal: RateLimited, *, counted: str, user: User | None) -> None:
    """Record a rate-limit hit once per key and window, so a flood writes one entry, not many."""
    marker = hashlib.sha256(f"{refusal.group}:{counted}".encode()).hexdigest()
    first = caches[settings.RATELIMIT_USE_CACHE].add(
        f"{getattr(settings, 'RATELIMIT_CACHE_PREFIX', 'rl:')}logged:{marker}",
        1,
        timeout=refusal.retry_after,
    )
    if first:
        security_event_record(request, SecurityEvent.RATE_LIMITED, user=user, limit=refusal.group)


def attempt_limit_hit(request, action: str) -> None:
    """Count one attempt at `action` from this client IP; RateLimited past its limit."""
    counted = client_rate_key(request)
    try:
        rate_limit_hit(
            request,
            group=f"accounts.{action}.ip",
            rate=getattr(settings, IP_LIMITS[action]),
            key=counted,
        )
    except RateLimited as refusal:
        _refusal_record(request, refusal, counted=counted, user=None)
        raise


def _account_key(email: str) -> str:
    # Hashed: the cache holds no email address.
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def signin_attempt(request, *, email: str, password: str) -> User:
    """Check a sign-in against the account's failure limit, then the credentials.

    The face has already counted the attempt per IP (`attempt_limit_hit(request, "signin")`).
    Raises RateLimited, or services.InvalidCredentials (counted and recorded); a success clears
    the account's failures. The face records the success once it has opened the session.
    """
    key = _account_key(email)
    rate = settings.RATELIMIT_SIGNIN_ACCOUNT
    try:
        rate_limit_check(request, group=SIGNIN_ACCOUNT_GROUP, rate=rate, key=key)
    except RateLimited as refusal:
        known = User.objects.filter(email=normalise_email(email)).first()
        _refusal_record(request, refusal, counted=key, user=known)
        raise
    try:
        user = services.user_authenticate(email=email, password=password)
    except services.InvalidCredentials:
        rate_limit_count(request, group=SIGNIN_ACCOUNT_GROUP, rate=rate, key=key)
        known = User.objects.filter(email=normalise_email(email)).first()
        security_event_record(request, SecurityEvent.SIGNIN_FAILED, user=known, actor=None)
        raise
    signin_failures_forget(email=user.email)
    return user


def signin_failures_forget(*, email: str) -> None:
    """Clear an account's failed sign-ins (after a success or a password reset)."""
    if settings.RATELIMIT_ENABLE:
        rate_limit_reset(
            group=SIGNIN_ACCOUNT_GROUP,
            rate=settings.RATELIMIT_SIGNIN_ACCOUNT,
            key=_account_key(email),
        )
