"""Account pages: sign up, sign in and out, email links, profile, password and devices.

Thin views over accounts.services (the same calls the API makes), with Django's session
authentication and CSRF. A browser sign-in is a row in user_sessions like any device, so it shows
in the devices list and can be revoked. Tokens from email links leave the URL at once: the link
stores them in the session and redirects to a token-free page, so they reach neither logs nor
Referer headers.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from carbon_site.config import feature_required
from carbon_site.errors import NotFoundError
from carbon_site.http import RequestMeta
from footprints.services import footprint_claim
from footprints.session_claims import session_claim_tokens, session_claims_forget

from . import selectors, services
from .forms import (
    EmailForm,
    PasswordChangeForm,
    ProfileForm,
    SetPasswordForm,
    SignInForm,
    SignUpForm,
)
from .models import User
from .security_events import (
    SESSION_UUID_KEY,
    SecurityEvent,
    attempt_limit_hit,
    security_event_record,
    signin_attempt,
    signin_failures_forget,
)

VERIFY_TOKEN_KEY = "accounts.verify_email_token"  # noqa: S105 - a session key name
RESET_TOKEN_KEY = "accounts.password_reset_token"  # noqa: S105 - a session key name
TOKEN_MAX_LENGTH = 200
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request) -> str:
    """Where to go after signing in: a `next` on this site, else the default."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _browser_sign_in(request, user: User):
    """Sign `user` in on this browser: the Django session, its user_sessions row, and the
    anonymous results this browser kept. Returns the row and how many results were claimed."""
    kept = session_claim_tokens(request)
    login(request, user, backend=MODEL_BACKEND)
    if request.session.session_key is None:
        request.session.save()
    row = services.browser_session_open(
        user=user,
        session_key=request.session.session_key,
        expires_at=request.session.get_expiry_date(),
        request_meta=RequestMeta.from_request(request),
    )
    request.session[SESSION_UUID_KEY] = str(row.uuid)
    claimed = 0
    if kept:
        claimed = len(footprint_claim(user=user, claim_tokens=kept.values()).claimed)
        session_claims_forget(request, kept.keys())
    return row, claimed


def _claimed_message(request, claimed: int) -> None:
    if claimed:
        results = "result" if claimed == 1 else "results"
        messages.success(request, f"We kept your {claimed} earlier {results} in your account.")


# --- Signing up, in and out -------------------------------------------------------------------


@feature_required("signups_open")
@sensitive_post_parameters("password")
@never_cache
def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignUpForm()
    if request.method == "POST":
        attempt_limit_hit(request, "signup")
        form = SignUpForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_register(**form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            except IntegrityError as error:
                form.add_duplicate_error(error)
            else:
                row, claimed = _browser_sign_in(request, user)
                security_event_record(
                    request, SecurityEvent.SIGNED_UP, user=user, actor=user, session_uuid=row.uuid
                )
                messages.info(
                    request,
                    f"Welcome! Check your inbox: we sent a link to {user.email} to confirm "
                    "your address.",
                )
                _claimed_message(request, claimed)
                return redirect(_next_url(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("password")
@never_cache
def signin(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignInForm()
    if request.method == "POST":
        attempt_limit_hit(request, "signin")
        form = SignInForm(request.POST)
        if form.is_valid():
            try:
                user = signin_attempt(
                    request,
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                )
            except services.InvalidCredentials as refusal:
                form.add_error(None, refusal.message)
            else:
                row, claimed = _browser_sign_in(request, user)
                security_event_record(
                    request,
                    SecurityEvent.SIGNIN_SUCCEEDED,
                    user=user,
                    actor=user,
                    session_uuid=row.uuid,
                )
                _claimed_message(request, claimed)
                return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def _current_row(request):
    session_uuid = request.session.get(SESSION_UUID_KEY)
    if not session_uuid:
        return None
    try:
        return selectors.session_get_own(user=request.user, session_uuid=session_uuid)
    except NotFoundError:
        return None


@require_POST
def signout(request):
    if request.user.is_authenticated:
        security_event_record(request, SecurityEvent.LOGOUT, user=request.user)
        row = _current_row(request)
        if row is not None:
            services.session_revoke(session=row)
        logout(request)
    messages.info(request, "You are signed out.")
    return redirect("home")


# --- Email verification -----------------------------------------------------------------------


@never_cache
def verify_email_link(request, token: str):
    """The emailed link: keep the token in the session and leave this URL at once."""
    request.session[VERIFY_TOKEN_KEY] = token[:TOKEN_MAX_LENGTH]
    return redirect("accounts:verify-email-confirm")


@never_cache
def verify_email_confirm(request):
    raw_token = request.session.pop(VERIFY_TOKEN_KEY, None)
    problems = []
    if raw_token:
        try:
            user = services.email_verify(raw_token=raw_token)
        except ValidationError as error:
            problems = error.messages
        else:
            security_event_record(request, SecurityEvent.EMAIL_VERIFIED, user=user, actor=user)
            messages.success(request, f"Thank you: {user.email} is confirmed.")
            if request.user.is_authenticated:
                return redirect("accounts:profile")
            return redirect("accounts:login")
    return render(
        request,
        "accounts/link_invalid.html",
        {
            "problems": problems,
            "again_url": "accounts:verify-email-resend",
            "again_label": "Send a new link",
        },
        status=400,
    )


@never_cache
def verify_email_resend(request):
    initial = {}
    if request.user.is_authenticated:
        initial["email"] = request.user.pending_email or request.user.email
    form = EmailForm(initial=initial)
    if request.method == "POST":
        attempt_limit_hit(request, "verification_resend")
        form = EmailForm(request.POST)
        if form.is_valid():
            services.email_verification_resend(email=form.cleaned_data["email"])
            messages.info(request, "If that address needs confirming, a new link is on its way.")
            return redirect("accounts:verify-email-resend")
    return render(request, "accounts/verify_email_resend.html", {"form": form})


# --- Forgotten password -----------------------------------------------------------------------


@never_cache
def password_reset(request):
    form = EmailForm()
    if request.method == "POST":
        attempt_limit_hit(request, "password_reset")
        form = EmailForm(request.POST)
        if form.is_valid():
            services.password_reset_request(email=form.cleaned_data["email"])
            messages.info(
                request,
                "If an account uses that address, a link to reset the password is on its way. "
                "It works for one hour.",
            )
            return redirect("accounts:password-reset")
    return render(request, "accounts/password_reset.html", {"form": form})


@never_cache
def password_reset_link(request, token: str):
    """The emailed link: keep the token in the session and leave this URL at once."""
    request.session[RESET_TOKEN_KEY] = token[:TOKEN_MAX_LENGTH]
    return redirect("accounts:password-reset-set")


@sensitive_post_parameters("new_password", "new_password_again")
@never_cache
def password_reset_set(request):
    raw_token = request.session.get(RESET_TOKEN_KEY)
    if not raw_token or services.password_reset_user(raw_token=raw_token) is None:
        request.session.pop(RESET_TOKEN_KEY, None)
        return render(
            request,
            "accounts/link_invalid.html",
            {"again_url": "accounts:password-reset", "again_label": "Ask for a new link"},
            status=400,
        )
    form = SetPasswordForm()
    if request.method == "POST":
        form = SetPasswordForm(request.POST)
        if form.is_valid():
            try:
                user = services.password_reset_confirm(
                    raw_token=raw_token, new_password=form.cleaned_data["new_password"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                signin_failures_forget(email=user.email)
                security_event_record(request, SecurityEvent.PASSWORD_RESET, user=user, actor=user)
                # The reset ended every session of the account, this browser's too if it was
                # signed in as them: start a fresh one rather than save into a deleted one.
                if request.user.is_authenticated and request.user.pk == user.pk:
                    logout(request)
                else:
                    request.session.pop(RESET_TOKEN_KEY, None)
                messages.success(
                    request,
                    "Your password is changed and every device was signed out. "
                    "Sign in with your new password.",
                )
                return redirect("accounts:login")
    return render(request, "accounts/password_reset_set.html", {"form": form})


# --- Signed in: profile, password, devices ----------------------------------------------------


@login_required
def profile(request):
    user = request.user
    account_profile = selectors.profile_of(user=user)
    form = ProfileForm(initial=ProfileForm.initial_for(user=user, profile=account_profile))
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            pending_before = user.pending_email
            try:
                user = services.profile_update(user=user, changes=form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            except IntegrityError as error:
                form.add_duplicate_error(error)
            else:
                messages.success(request, "Your profile is saved.")
                if user.pending_email and user.pending_email != pending_before:
                    messages.info(
                        request,
                        f"We sent a link to {user.pending_email}. Your address changes when "
                        "you follow it.",
                    )
                return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "account": user})


@sensitive_post_parameters("current_password", "new_password", "new_password_again")
@login_required
def password_change(request):
    form = PasswordChangeForm()
    if request.method == "POST":
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            session_uuid = request.session.get(SESSION_UUID_KEY)
            try:
                signed_out = services.password_change(
                    user=request.user,
                    current_password=form.cleaned_data["current_password"],
                    new_password=form.cleaned_data["new_password"],
                    keep_session_uuid=session_uuid,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                # Django cycles the session key: this device stays signed in, under its new key.
                update_session_auth_hash(request, request.user)
                if session_uuid:
                    services.browser_session_rekey(
                        user=request.user,
                        session_uuid=session_uuid,
                        session_key=request.session.session_key,
                    )
                security_event_record(
                    request,
                    SecurityEvent.PASSWORD_CHANGED,
                    user=request.user,
                    signed_out_devices=signed_out,
                )
                devices = "device was" if signed_out == 1 else "devices were"
                messages.success(
                    request,
                    f"Your password is changed. {signed_out} other {devices} signed out.",
                )
                return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def devices(request):
    return render(
        request,
        "accounts/devices.html",
        {
            "sessions": selectors.session_list_active(user=request.user),
            "current_uuid": request.session.get(SESSION_UUID_KEY),
        },
    )


@require_POST
@login_required
def device_revoke(request, session_uuid):
    try:
        row = selectors.session_get_own(user=request.user, session_uuid=session_uuid)
    except NotFoundError as error:
        raise Http404(error.message) from error
    services.session_revoke(session=row)
    security_event_record(
        request, SecurityEvent.SESSION_REVOKED, user=request.user, revoked_session=str(row.uuid)
    )
    if str(row.uuid) == request.session.get(SESSION_UUID_KEY):
        logout(request)
        messages.info(request, "This device is signed out.")
        return redirect("accounts:login")
    messages.success(request, f"{row.device_name or 'That device'} is signed out.")
    return redirect("accounts:devices")


@require_POST
@login_required
def devices_revoke_others(request):
    signed_out = services.sessions_revoke_all(
        user=request.user, except_uuid=request.session.get(SESSION_UUID_KEY)
    )
    security_event_record(
        request, SecurityEvent.SESSION_REVOKED, user=request.user, revoked_sessions=signed_out
    )
    devices_word = "device was" if signed_out == 1 else "devices were"
    messages.success(request, f"{signed_out} other {devices_word} signed out.")
    return redirect("accounts:devices")
