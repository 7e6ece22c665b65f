"""Privacy pages: what we store, downloading it, and deleting the account."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from .models import normalise_email
from .privacy import account_erase, user_export_zip


@require_safe
def privacy(request):
    """What is stored, why, and for how long: the periods come from the settings in force."""
    retention = {
        "audit_log_days": settings.AUDIT_LOG_RETENTION_DAYS,
        "anonymous_metadata_days": settings.ANONYMOUS_METADATA_RETENTION_DAYS,
        "revoked_session_days": settings.REVOKED_SESSION_RETENTION_DAYS,
        "claim_token_days": settings.CLAIM_TOKEN_LIFETIME_DAYS,
    }
    return render(request, "accounts/privacy.html", {"retention": retention})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """The export page; its button downloads the ZIP (a verified address is needed)."""
    if request.method == "POST":
        if not request.user.is_verified:
            messages.error(request, "Confirm your email address first: we have sent you a link.")
            return redirect("accounts:export")
        archive = user_export_zip(request.user)
        return FileResponse(
            archive,
            as_attachment=True,
            filename="carbon_site-export.zip",
            content_type="application/zip",
        )
    return render(request, "accounts/export.html")


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(
        label="Type your email address to confirm",
        help_text="This deletes your account and all its data. It cannot be undone.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if normalise_email(email) != self.user.email:
            raise forms.ValidationError("This is not the email address of your account.")
        return email


@never_cache
@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_erase(user=request.user)
        logout(request)
        messages.success(request, "Your account and all its data have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
