"""JWT authentication for the API: the token's session must still be open, and the audit log
learns who the actor is."""

from django.utils import timezone
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from carbon_site.audit import audit_actor_set

from .jwt import SESSION_CLAIM
from .models import User


class SessionJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token) -> User:
        """Load the user only if the token's session is open: one query, no cache to go stale.

        A revoked session's access token is refused at once, not when it expires.
        """
        try:
            user_uuid = validated_token[api_settings.USER_ID_CLAIM]
            session_uuid = validated_token[SESSION_CLAIM]
        except KeyError as error:
            raise InvalidToken("The token does not name a user session.") from error
        user = User.objects.filter(
            uuid=user_uuid,
            is_active=True,
            sessions__uuid=session_uuid,
            sessions__revoked_at__isnull=True,
            sessions__expires_at__gt=timezone.now(),
        ).first()
        if user is None:
            raise AuthenticationFailed(
                "This session has been signed out. Sign in again.", code="session_revoked"
            )
        return user

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            audit_actor_set(result[0])
        return result
