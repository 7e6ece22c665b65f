"""Reads about accounts."""

from django.db.models import QuerySet
from django.utils import timezone

from carbon_site.errors import NotFoundError

from .models import User, UserProfile, UserSession


def session_list_active(*, user: User) -> QuerySet[UserSession]:
    """The user's signed-in devices, most recently seen first."""
    return UserSession.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_seen_at", "-id")


def session_get_own(*, user: User, session_uuid) -> UserSession:
    """One of the user's sessions; anyone else's is simply not found."""
    session = UserSession.objects.filter(user=user, uuid=session_uuid).first()
    if session is None:
        raise NotFoundError("No such session.")
    return session


def profile_of(*, user: User) -> UserProfile:
    profile, _ = UserProfile.objects.get_or_create(user=user)
    return profile
