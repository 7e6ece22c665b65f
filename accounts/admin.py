"""Staff views of people and devices. Passwords and token hashes are never shown."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.http import FileResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import User, UserProfile, UserSession
from .privacy import account_erase, user_export_zip
from .security_events import SecurityEvent, security_event_record


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "username")


class UserChangeAdminForm(forms.ModelForm):
    class Meta:
        model = User
        fields = (
            "email",
            "username",
            "first_name",
            "last_name",
            "is_active",
            "is_verified",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    inlines = [UserProfileInline]
    list_display = ("email", "username", "is_verified", "is_active", "is_staff", "created_at")
    list_filter = ("is_verified", "is_active", "is_staff", "is_superuser", "created_at")
    search_fields = ("email", "username", "first_name", "last_name", "uuid")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    readonly_fields = ("uuid", "password_status", "last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("uuid", "email", "username", "password_status")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Status and permissions",
            {
                "fields": (
                    "is_active",
                    "is_verified",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),
    )
    actions = ["export_data", "erase_accounts"]

    @admin.action(description="Download the selected person's data (ZIP)")
    def export_data(self, request, queryset):
        """A subject-access request handled by staff; the download itself is audited."""
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one person to export.", messages.ERROR)
            return None
        person = queryset.get()
        security_event_record(
            request, SecurityEvent.STAFF_EXPORTED_DATA, user=person, actor=request.user
        )
        return FileResponse(
            user_export_zip(person),
            as_attachment=True,
            filename=f"carbon_site-export-{person.uuid}.zip",
            content_type="application/zip",
        )

    @admin.action(
        description="Erase the selected accounts and all their data", permissions=["delete"]
    )
    def erase_accounts(self, request, queryset):
        """Erasure as the person would get it (audit redaction, tokens, email); audited."""
        erased = 0
        for person in queryset.exclude(pk=request.user.pk):
            person_uuid = str(person.uuid)
            account_erase(user=person)
            security_event_record(
                request,
                SecurityEvent.STAFF_ERASED_ACCOUNT,
                user=None,
                actor=request.user,
                user_uuid=person_uuid,
            )
            erased += 1
        self.message_user(request, f"Erased {erased} account(s).", messages.SUCCESS)

    @admin.display(description="Password")
    def password_status(self, user: User) -> str:
        """Say whether a password is set and link to the change form; never show the hash."""
        if user.pk is None:
            return "-"
        state = "set" if user.has_usable_password() else "not set"
        url = reverse("admin:auth_user_password_change", args=[user.pk])
        return format_html('{} (<a href="{}">change it</a>)', state, url)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "country", "household_size", "units", "timezone", "updated_at")
    list_filter = ("units", "country")
    search_fields = ("user__email", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "kind",
        "device_name",
        "ip_address",
        "created_at",
        "last_seen_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("kind", "created_at", "revoked_at")
    search_fields = ("user__email", "device_name", "uuid")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    # Token identifiers and session keys are credentials: left out of the form entirely.
    fields = (
        "uuid",
        "user",
        "kind",
        "device_name",
        "user_agent",
        "ip_address",
        "created_at",
        "last_seen_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = ("uuid", "created_at", "last_seen_at")


# --- Security events in the audit log ----------------------------------------------------------


class SecurityEventFilter(admin.SimpleListFilter):
    title = "security event"
    parameter_name = "security_event"

    def lookups(self, request, model_admin):
        return [(event.value, event.label) for event in SecurityEvent]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(action=LogEntry.Action.ACCESS, additional_data__event=self.value())


def _security_data(entry: LogEntry) -> dict:
    data = entry.additional_data if entry.action == LogEntry.Action.ACCESS else None
    return data if isinstance(data, dict) and "event" in data else {}


# auditlog registers its own admin; ours adds the security event to the list, its filter and
# the event's details (address, browser, session) on each entry's page.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(LogEntryAdmin):
    list_display = [*LogEntryAdmin.list_display, "security_event"]
    list_filter = [SecurityEventFilter, *LogEntryAdmin.list_filter]
    readonly_fields = [*LogEntryAdmin.readonly_fields, "security_details"]
    fieldsets = [*LogEntryAdmin.fieldsets, ("Security event", {"fields": ["security_details"]})]

    @admin.display(description="Security event")
    def security_event(self, entry: LogEntry) -> str:
        return _security_data(entry).get("event", "")

    @admin.display(description="Details")
    def security_details(self, entry: LogEntry) -> str:
        data = _security_data(entry)
        if not data:
            return "-"
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", sorted(data.items())),
        )
