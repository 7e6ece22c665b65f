"""Accounts: every write about people, their email, passwords and signed-in devices.

The API and the pages call these; no rule about accounts is written anywhere else.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from carbon_site.emails import email_send_after_commit
from carbon_site.errors import ApplicationError
from carbon_site.http import RequestMeta

from .devices import device_name_from_user_agent
from .jwt import TokenPair, TokenRefused, refresh_claims_read, token_pair_build
from .models import User, UserProfile, UserSession, normalise_email
from .tokens import token_digest, token_issue

EMAIL_VERIFICATION_LIFETIME = timedelta(hours=48)
PASSWORD_RESET_LIFETIME = timedelta(hours=1)
INVALID_LINK = "This link is invalid or has expired. Ask for a new one."


class InvalidCredentials(ApplicationError):
    status_code = 401
    default_code = "invalid_credentials"


class TokenRotated(ApplicationError):
    """A refresh token that was just rotated out, presented again inside the grace window."""

    status_code = 401
    default_code = "token_rotated"


class SessionRevoked(ApplicationError):
    status_code = 401
    default_code = "session_revoked"


# --- Registration and email verification ------------------------------------------------------


def _password_check(password: str, *, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _unique_check(*, email: str | None = None, username: str | None = None, exclude=None) -> None:
    errors = {}
    others = User.objects.exclude(pk=exclude.pk) if exclude else User.objects.all()
    if email is not None and others.filter(email=email).exists():
        errors["email"] = ["An account with this email address already exists."]
    if username is not None and others.filter(username=username).exists():
        errors["username"] = ["This username is taken."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_register(
    *, email: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Open an account (unverified) and email a verification link."""
    email = normalise_email(email)
    _unique_check(email=email, username=username)
    user = User(email=email, username=username, first_name=first_name, last_name=last_name)
    _password_check(password, user=user, field="password")
    user.set_password(password)
    user.save()
    UserProfile.objects.create(user=user)
    email_verification_send(user=user)
    return user


def email_verification_send(*, user: User) -> None:
    """Email a fresh single-use link to the address being verified (a pending change first)."""
    token = token_issue()
    user.email_verification_token = token.digest
    user.email_verification_sent_at = timezone.now()
    user.save(update_fields=["email_verification_token", "email_verification_sent_at"])
    changing = bool(user.pending_email)
    email_send_after_commit(
        template="email-change" if changing else "verify-email",
        to=user.pending_email or user.email,
        context={
            "name": user.get_short_name(),
            "link": f"{settings.SITE_URL}/accounts/verify-email/{token.raw}/",
            "hours": int(EMAIL_VERIFICATION_LIFETIME.total_seconds() // 3600),
        },
    )


@transaction.atomic
def email_verify(*, raw_token: str) -> User:
    """Confirm the address the link was sent to: a new account's, or a pending change."""
    oldest_valid = timezone.now() - EMAIL_VERIFICATION_LIFETIME
    user = (
        User.objects.select_for_update()
        .filter(
            email_verification_token=token_digest(raw_token),
            email_verification_sent_at__gt=oldest_valid,
            is_active=True,
        )
        .first()
    )
    if user is None:
        raise ValidationError({"token": [INVALID_LINK]})
    fields = ["email_verification_token", "email_verification_sent_at", "is_verified"]
    if user.pending_email:
        _unique_check(email=user.pending_email, exclude=user)
        user.email, user.pending_email = user.pending_email, ""
        fields += ["email", "pending_email"]
    user.email_verification_token = None
    user.email_verification_sent_at = None
    user.is_verified = True
    user.save(update_fields=fields)
    return user


@transaction.atomic
def email_verification_resend(*, email: str) -> None:
    """Send another link if the address belongs to an unverified account; silent otherwise."""
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    if user is not None and (not user.is_verified or user.pending_email):
        email_verification_send(user=user)


# --- Signing in: API sessions ------------------------------------------------------------------


def user_authenticate(*, email: str, password: str) -> User:
    user = authenticate(username=normalise_email(email), password=password)
    if user is None:
        raise InvalidCredentials("The email address or password is not right.")
    return user


def _outstanding_record(*, user: User, pair: TokenPair) -> None:
    OutstandingToken.objects.create(
        user=user,
        jti=pair.refresh_jti,
        token="",  # the jti is all blacklisting needs; a stored token would be a credential
        created_at=timezone.now(),
        expires_at=pair.refresh_expires_at,
    )


def _refresh_blacklist(jti: str | None) -> None:
    if not jti:
        return
    outstanding = OutstandingToken.objects.filter(jti=jti).first()
    if outstanding is not None:
        BlacklistedToken.objects.get_or_create(token=outstanding)


@transaction.atomic
def api_session_open(
    *, user: User, device_name: str, request_meta: RequestMeta
) -> tuple[UserSession, TokenPair]:
    """Sign a device in through the API: one session row and a token pair that names it.

    The user row is written first: inserting rows that point at it takes a shared lock on it,
    and two sign-ins of one account that each held one and then wanted to update last_login
    deadlocked (MariaDB 1213). Updating first makes them queue instead.
    """
    now = timezone.now()
    user.last_login = now
    user.save(update_fields=["last_login"])
    session = UserSession(
        user=user,
        kind=UserSession.Kind.API,
        device_name=(device_name or device_name_from_user_agent(request_meta.user_agent))[:150],
        created_at=now,
        last_seen_at=now,
        **request_meta.as_fields(),
    )
    pair = token_pair_build(user_uuid=str(user.uuid), session_uuid=str(session.uuid))
    session.refresh_jti = pair.refresh_jti
    session.expires_at = pair.refresh_expires_at
    session.save()
    _outstanding_record(user=user, pair=pair)
    return session, pair


def api_session_refresh(*, raw_refresh: str, request_meta: RequestMeta) -> TokenPair:
    """Rotate a refresh token: a compare-and-swap on the session's current jti.

    Two refreshes of one token give one new pair. The loser, or a client retrying inside the
    grace window, is told `token_rotated`; the same token presented after the window means it
    was copied, so the whole session is revoked.
    """
    claims = refresh_claims_read(raw_refresh)
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.filter(uuid=claims.user_uuid, is_active=True).first()
        if user is None:
            raise TokenRefused("The refresh token is invalid or has expired.")
        pair = token_pair_build(user_uuid=claims.user_uuid, session_uuid=claims.session_uuid)
        swapped = UserSession.objects.filter(
            uuid=claims.session_uuid,
            user=user,
            refresh_jti=claims.jti,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).update(
            refresh_jti=pair.refresh_jti,
            previous_refresh_jti=claims.jti,
            rotated_at=now,
            last_seen_at=now,
            expires_at=pair.refresh_expires_at,
            ip_address=request_meta.ip_address,
        )
        if swapped:
            _outstanding_record(user=user, pair=pair)
            _refresh_blacklist(claims.jti)
            return pair
    raise _refresh_refusal(claims=claims, now=now)


def _refresh_refusal(*, claims, now) -> ApplicationError:
    """Why a refresh lost the swap; a rotated-out token reused after the grace window is theft."""
    session = UserSession.objects.filter(uuid=claims.session_uuid).first()
    if session is None or session.revoked_at is not None:
        return SessionRevoked("This session has been signed out. Sign in again.")
    if session.previous_refresh_jti == claims.jti and session.rotated_at is not None:
        if now - session.rotated_at <= timedelta(seconds=settings.JWT_ROTATION_GRACE_SECONDS):
            return TokenRotated(
                "This refresh token was just replaced. Use the newest one you received."
            )
        session_revoke(session=session)
        return SessionRevoked(
            "This refresh token was used after it had been replaced, so the session was "
            "signed out to protect the account. Sign in again."
        )
    return TokenRefused("The refresh token is invalid or has expired.")


@transaction.atomic
def api_session_close(*, raw_refresh: str) -> UserSession | None:
    """Sign out the device a refresh token belongs to (logout). Repeating it does no harm.

    Returns the session it closed, if it was still open.
    """
    claims = refresh_claims_read(raw_refresh)
    session = (
        UserSession.objects.select_related("user")
        .filter(uuid=claims.session_uuid, user__uuid=claims.user_uuid)
        .first()
    )
    _refresh_blacklist(claims.jti)
    if session is not None and session.revoked_at is None:
        session_revoke(session=session)
        return session
    return None


# --- Signing in: browser sessions --------------------------------------------------------------


@transaction.atomic
def browser_session_open(
    *, user: User, session_key: str, expires_at, request_meta: RequestMeta
) -> UserSession:
    """Record a browser sign-in so it shows in the devices list and can be revoked."""
    now = timezone.now()
    return UserSession.objects.create(
        user=user,
        kind=UserSession.Kind.BROWSER,
        session_key=session_key,
        device_name=device_name_from_user_agent(request_meta.user_agent)[:150],
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
        **request_meta.as_fields(),
    )


# How often a browser session's last_seen_at is written: the devices list needs minutes, not
# one write per page view.
BROWSER_LAST_SEEN_EVERY = timedelta(minutes=5)


def browser_session_seen(*, user: User, session_uuid, now=None) -> bool:
    """Whether this browser session is still open; note the visit at most every few minutes.

    One read per request, and a write only when last_seen_at is older than
    BROWSER_LAST_SEEN_EVERY.
    """
    now = now or timezone.now()
    last_seen_at = (
        UserSession.objects.filter(
            uuid=session_uuid,
            user=user,
            kind=UserSession.Kind.BROWSER,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .values_list("last_seen_at", flat=True)
        .first()
    )
    if last_seen_at is None:
        return False
    if now - last_seen_at >= BROWSER_LAST_SEEN_EVERY:
        UserSession.objects.filter(uuid=session_uuid, last_seen_at=last_seen_at).update(
            last_seen_at=now
        )
    return True


def browser_session_rekey(*, user: User, session_uuid, session_key: str) -> None:
    """Follow a browser session to its new key (Django cycles it when the password changes),
    so revoking the device still ends the right session."""
    UserSession.objects.filter(uuid=session_uuid, user=user, revoked_at__isnull=True).update(
        session_key=session_key
    )


# --- Revoking ---------------------------------------------------------------------------------


def _browser_session_end(session_key: str | None) -> None:
    if session_key:
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key).delete()


@transaction.atomic
def session_revoke(*, session: UserSession) -> None:
    """End one device's session now: its tokens and its browser cookie stop working."""
    if session.revoked_at is None:
        session.revoked_at = timezone.now()
        session.save(update_fields=["revoked_at"])
    _refresh_blacklist(session.refresh_jti)
    _browser_session_end(session.session_key)


@transaction.atomic
def sessions_revoke_all(*, user: User, except_uuid=None) -> int:
    """End every active session of the user but the one named; return how many ended."""
    sessions = UserSession.objects.filter(user=user, revoked_at__isnull=True)
    if except_uuid is not None:
        sessions = sessions.exclude(uuid=except_uuid)
    ended = 0
    for session in sessions.select_for_update():
        session_revoke(session=session)
        ended += 1
    return ended


# --- Passwords --------------------------------------------------------------------------------


@transaction.atomic
def password_change(
    *, user: User, current_password: str, new_password: str, keep_session_uuid=None
) -> int:
    """Change the password and sign out every other device. Returns how many were signed out."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": ["Your current password is not right."]})
    _password_check(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    email_send_after_commit(
        template="password-changed", to=user.email, context={"name": user.get_short_name()}
    )
    return sessions_revoke_all(user=user, except_uuid=keep_session_uuid)


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Email a reset link if the address has an account. The caller says the same either way."""
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    if user is None:
        return
    token = token_issue()
    user.password_reset_token = token.digest
    user.password_reset_expires = timezone.now() + PASSWORD_RESET_LIFETIME
    user.save(update_fields=["password_reset_token", "password_reset_expires"])
    email_send_after_commit(
        template="password-reset",
        to=user.email,
        context={
            "name": user.get_short_name(),
            "link": f"{settings.SITE_URL}/accounts/password-reset/{token.raw}/",
            "minutes": int(PASSWORD_RESET_LIFETIME.total_seconds() // 60),
        },
    )


def password_reset_user(*, raw_token: str) -> User | None:
    """The account a reset link is for, while it is valid."""
    return User.objects.filter(
        password_reset_token=token_digest(raw_token),
        password_reset_expires__gt=timezone.now(),
        is_active=True,
    ).first()


@transaction.atomic
def password_reset_confirm(*, raw_token: str, new_password: str) -> User:
    """Set a new password from a reset link (single use) and sign out every device."""
    user = (
        User.objects.select_for_update()
        .filter(
            password_reset_token=token_digest(raw_token),
            password_reset_expires__gt=timezone.now(),
            is_active=True,
        )
        .first()
    )
    if user is None:
        raise ValidationError({"token": [INVALID_LINK]})
    _password_check(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.password_reset_token = None
    user.password_reset_expires = None
    # The link reached this inbox, which proves the address.
    user.is_verified = True
    user.save(
        update_fields=["password", "password_reset_token", "password_reset_expires", "is_verified"]
    )
    sessions_revoke_all(user=user)
    email_send_after_commit(
        template="password-changed", to=user.email, context={"name": user.get_short_name()}
    )
    return user


# --- Profile ----------------------------------------------------------------------------------

USER_FIELDS = ("first_name", "last_name", "username")
PROFILE_FIELDS = ("country", "household_size", "units", "timezone", "preferences", "phone")


@transaction.atomic
def profile_update(*, user: User, changes: dict) -> User:
    """Apply validated changes to the user and their profile; an email change waits for a click."""
    profile, _ = UserProfile.objects.get_or_create(user=user)
    if "username" in changes and changes["username"] != user.username:
        _unique_check(username=changes["username"], exclude=user)
    user_fields = [field for field in USER_FIELDS if field in changes]
    for field in user_fields:
        setattr(user, field, changes[field])
    new_email = changes.get("email")
    if new_email is not None and normalise_email(new_email) != user.email:
        new_email = normalise_email(new_email)
        _unique_check(email=new_email, exclude=user)
        user.pending_email = new_email
        user_fields.append("pending_email")
    if user_fields:
        user.save(update_fields=user_fields)
    profile_fields = [field for field in PROFILE_FIELDS if field in changes]
    for field in profile_fields:
        setattr(profile, field, changes[field])
    if profile_fields:
        profile.save(update_fields=profile_fields)
    if "pending_email" in user_fields:
        email_verification_send(user=user)
    return user
