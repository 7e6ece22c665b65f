from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

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
