from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    # Secrets never leave the server, not even to their owner: they are one-way hashes anyway.
    EXPORT_EXCLUDED = {
        "User": ("password", "email_verification_token", "password_reset_token"),
        "UserSession": ("refresh_jti", "previous_refresh_jti", "session_key"),
    }

    def export_user_data(self, user) -> dict:
        from auditlog.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        from carbon_site.export import export_rows

        from .models import User, UserProfile, UserSession

        events = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            object_id=user.pk,
            action=LogEntry.Action.ACCESS,
        ).order_by("timestamp")
        return {
            "user": export_rows(User.objects.filter(pk=user.pk), self.EXPORT_EXCLUDED["User"]),
            "user_profile": export_rows(UserProfile.objects.filter(user=user)),
            "user_sessions": export_rows(
                UserSession.objects.filter(user=user).order_by("created_at"),
                self.EXPORT_EXCLUDED["UserSession"],
            ),
            "security_events": (
                {"timestamp": entry.timestamp, **(entry.additional_data or {})}
                for entry in events.iterator()
            ),
        }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import User, UserProfile, UserSession

        # Excluded, not masked: secrets and personal request metadata never reach the audit log.
        auditlog.register(
            User,
            exclude_fields=[
                "password",
                "email_verification_token",
                "password_reset_token",
                "last_login",
                "updated_at",
            ],
        )
        auditlog.register(UserProfile, exclude_fields=["updated_at"])
        auditlog.register(
            UserSession,
            exclude_fields=[
                "refresh_jti",
                "previous_refresh_jti",
                "rotated_at",
                "session_key",
                "last_seen_at",
                "ip_address",
                "user_agent",
            ],
        )
