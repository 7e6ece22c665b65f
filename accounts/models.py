"""People and their signed-in devices.

Tokens that arrive by email (verification, password reset) are stored only as SHA-256 hashes: a
leaked table does not let anyone in.
"""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


def normalise_email(email: str) -> str:
    """Emails are stored lower-case so that one address is one account on every database."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, username: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        if not username:
            raise ValueError("A username is required.")
        user = self.model(email=normalise_email(email), username=username, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, username: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, username, password, **extra_fields)

    def create_superuser(self, email: str, username: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_verified", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser.")
        return self._create_user(email, username, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email=normalise_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Signs in with their email; `uuid` is the only public id."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    username = models.CharField(max_length=150, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False)
    # An email change waits here until the new address is confirmed.
    pending_email = models.EmailField(blank=True)
    email_verification_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    email_verification_sent_at = models.DateTimeField(null=True, blank=True)
    password_reset_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    password_reset_expires = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        db_table = "users"
        ordering = ["-created_at"]
        # Expired verification links are found by it (carbon_site.retention).
        indexes = [
            models.Index(fields=["email_verification_sent_at"], name="users_verification_sent_at")
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username

    def get_short_name(self) -> str:
        return self.first_name or self.username


class UserProfile(models.Model):
    """Preferences that shape the calculator's defaults and how numbers are shown."""

    class Units(models.TextChoices):
        METRIC = "metric", "Metric (km, kWh, kg)"
        IMPERIAL = "imperial", "Imperial (miles, kWh, lb)"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    country = models.CharField(max_length=5, blank=True)
    household_size = models.PositiveSmallIntegerField(default=1)
    units = models.CharField(max_length=10, choices=Units.choices, default=Units.METRIC)
    preferences = models.JSONField(default=dict, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_profiles"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household_size__gte=1, household_size__lte=20),
                name="user_profiles_household_size_1_to_20",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class UserSession(models.Model):
    """One signed-in device: a refresh-token family (API) or a Django session (browser)."""

    class Kind(models.TextChoices):
        API = "api", "API"
        BROWSER = "browser", "Browser"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    refresh_jti = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The jti this session rotated away from, and when: a retry inside the grace window is
    # answered calmly, reuse after it is treated as theft.
    previous_refresh_jti = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    session_key = models.CharField(max_length=40, null=True, blank=True, db_index=True)
    device_name = models.CharField(max_length=150, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        db_table = "user_sessions"
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="user_sessions_user_revoked")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session of {self.user_id} ({self.device_name})"

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and self.expires_at > moment
