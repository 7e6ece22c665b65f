"""JWT pairs tied to a device session: every refresh token belongs to one user_sessions row."""

from dataclasses import dataclass
from datetime import datetime

from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from carbon_site.errors import ApplicationError

SESSION_CLAIM = "session_uuid"


class TokenRefused(ApplicationError):
    """A refresh or access token that does not let anyone in (401)."""

    status_code = 401
    default_code = "token_not_valid"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    refresh_jti: str
    refresh_expires_at: datetime


@dataclass(frozen=True)
class RefreshClaims:
    user_uuid: str
    session_uuid: str
    jti: str


def token_pair_build(*, user_uuid: str, session_uuid: str) -> TokenPair:
    """A fresh refresh token and its access token, both carrying the user's and session's uuid."""
    refresh = RefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = user_uuid
    refresh[SESSION_CLAIM] = session_uuid
    return TokenPair(
        access=str(refresh.access_token),
        refresh=str(refresh),
        refresh_jti=refresh[api_settings.JTI_CLAIM],
        refresh_expires_at=datetime_from_epoch(refresh["exp"]),
    )


def refresh_claims_read(raw_token: str) -> RefreshClaims:
    """Check the signature, expiry and type of a refresh token and return who and what it is for.

    The blacklist is not consulted here: the session row decides, so that a retried refresh can
    be told apart from a stolen one.
    """
    try:
        payload = token_backend.decode(raw_token, verify=True)
    except TokenBackendError as error:
        raise TokenRefused("The refresh token is invalid or has expired.") from error
    if payload.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh":
        raise TokenRefused("This is not a refresh token.")
    try:
        return RefreshClaims(
            user_uuid=str(payload[api_settings.USER_ID_CLAIM]),
            session_uuid=str(payload[SESSION_CLAIM]),
            jti=str(payload[api_settings.JTI_CLAIM]),
        )
    except KeyError as error:
        raise TokenRefused("The refresh token is missing a claim.") from error
