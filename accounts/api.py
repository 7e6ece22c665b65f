"""Accounts API: sign-up, email verification, JWT device sessions, passwords and the profile.

Thin views: each reads its input shape, calls one service, and answers with its output shape.
"""

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from carbon_site.config import feature_check
from carbon_site.http import RequestMeta
from carbon_site.openapi import error_responses
from carbon_site.serializers import DetailOutput, StrictInputSerializer

from . import selectors, services
from .jwt import SESSION_CLAIM
from .models import UserProfile
from .security_events import (
    SecurityEvent,
    attempt_limit_hit,
    security_event_record,
    signin_attempt,
    signin_failures_forget,
)

PASSWORD_STYLE = {"input_type": "password"}
EMAIL_EXAMPLE = OpenApiExample("An address", value={"email": "sam@example.com"}, request_only=True)
REFRESH_EXAMPLE = OpenApiExample(
    "A refresh token",
    value={"refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."},
    request_only=True,
)


class SessionJWTScheme(SimpleJWTScheme):
    """Documents our session-checking JWT authentication as the Bearer scheme."""

    target_class = "accounts.authentication.SessionJWTAuthentication"
    name = "jwtAuth"


def current_session_uuid(request) -> str | None:
    token = getattr(request, "auth", None)
    return str(token[SESSION_CLAIM]) if token is not None and SESSION_CLAIM in token else None


class PublicProfileOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    email = serializers.EmailField()
    username = serializers.CharField()
    is_verified = serializers.BooleanField()


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`; 15 min.")
    refresh = serializers.CharField(help_text="Exchange for a new pair; 7 days, single use.")


class RefreshInput(StrictInputSerializer):
    refresh = serializers.CharField(max_length=1024)  # a refresh token is about 400 characters


# --- Registration and verification ------------------------------------------------------------


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class RegisterInput(StrictInputSerializer):
        email = serializers.EmailField(max_length=254)
        username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
        password = serializers.CharField(write_only=True, max_length=128, style=PASSWORD_STYLE)
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    @extend_schema(
        operation_id="auth_register",
        request=RegisterInput,
        responses={201: PublicProfileOutput, **error_responses(400, 403, 429)},
        examples=[
            OpenApiExample(
                "Sign up",
                value={"email": "sam@example.com", "username": "sam", "password": "a long pass"},
                request_only=True,
            )
        ],
        auth=[],
    )
    def post(self, request):
        feature_check("signups_open")
        attempt_limit_hit(request, "signup")
        answers = self.RegisterInput(data=request.data)
        answers.is_valid(raise_exception=True)
        user = services.user_register(**answers.validated_data)
        security_event_record(request, SecurityEvent.SIGNED_UP, user=user, actor=user)
        return Response(PublicProfileOutput(user).data, status=status.HTTP_201_CREATED)


class VerifyEmailApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class VerifyEmailInput(StrictInputSerializer):
        token = serializers.CharField(max_length=200)

    @extend_schema(
        operation_id="auth_verify_email",
        request=VerifyEmailInput,
        responses={200: PublicProfileOutput, **error_responses(400, 429)},
        examples=[
            OpenApiExample(
                "The token from the link",
                value={"token": "kq3Y0b6cVZ9XhR1t2n8mW4eLrJpA5sDfG7uHiO0yTcE"},
                request_only=True,
            )
        ],
        auth=[],
    )
    def post(self, request):
        answers = self.VerifyEmailInput(data=request.data)
        answers.is_valid(raise_exception=True)
        user = services.email_verify(raw_token=answers.validated_data["token"])
        security_event_record(request, SecurityEvent.EMAIL_VERIFIED, user=user, actor=user)
        return Response(PublicProfileOutput(user).data)


class EmailInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)


class VerifyEmailResendApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="auth_verify_email_resend",
        request=EmailInput,
        responses={202: DetailOutput, **error_responses(400, 429)},
        examples=[EMAIL_EXAMPLE],
        auth=[],
    )
    def post(self, request):
        attempt_limit_hit(request, "verification_resend")
        answers = EmailInput(data=request.data)
        answers.is_valid(raise_exception=True)
        services.email_verification_resend(email=answers.validated_data["email"])
        return Response(
            {"detail": "If that address needs verifying, a new link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


# --- Tokens -----------------------------------------------------------------------------------


class TokenObtainApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class TokenObtainInput(StrictInputSerializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, style=PASSWORD_STYLE)
        device_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    @extend_schema(
        operation_id="auth_token_obtain",
        request=TokenObtainInput,
        responses={200: TokenPairOutput, **error_responses(400, 401, 429)},
        examples=[
            OpenApiExample(
                "Sign in",
                value={
                    "email": "sam@example.com",
                    "password": "a long pass",
                    "device_name": "Pixel",
                },
                request_only=True,
            )
        ],
        auth=[],
    )
    def post(self, request):
        attempt_limit_hit(request, "signin")
        answers = self.TokenObtainInput(data=request.data)
        answers.is_valid(raise_exception=True)
        user = signin_attempt(
            request,
            email=answers.validated_data["email"],
            password=answers.validated_data["password"],
        )
        session, pair = services.api_session_open(
            user=user,
            device_name=answers.validated_data.get("device_name", ""),
            request_meta=RequestMeta.from_request(request),
        )
        # The request was anonymous until now: name the actor explicitly.
        security_event_record(
            request,
            SecurityEvent.SIGNIN_SUCCEEDED,
            user=user,
            actor=user,
            session_uuid=session.uuid,
        )
        return Response({"access": pair.access, "refresh": pair.refresh})


class TokenRefreshApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="auth_token_refresh",
        request=RefreshInput,
        responses={200: TokenPairOutput, **error_responses(400, 401, 429)},
        examples=[REFRESH_EXAMPLE],
        description=(
            "Rotates the refresh token: the old one stops working. A retry with the old token "
            "within the grace window gets 401 `token_rotated`; after it, the session is revoked."
        ),
        auth=[],
    )
    def post(self, request):
        answers = RefreshInput(data=request.data)
        answers.is_valid(raise_exception=True)
        pair = services.api_session_refresh(
            raw_refresh=answers.validated_data["refresh"],
            request_meta=RequestMeta.from_request(request),
        )
        return Response({"access": pair.access, "refresh": pair.refresh})


class LogoutApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="auth_logout",
        request=RefreshInput,
        examples=[REFRESH_EXAMPLE],
        responses={204: OpenApiResponse(description="Signed out."), **error_responses(400, 401)},
        auth=[],
    )
    def post(self, request):
        answers = RefreshInput(data=request.data)
        answers.is_valid(raise_exception=True)
        session = services.api_session_close(raw_refresh=answers.validated_data["refresh"])
        if session is not None:
            security_event_record(
                request,
                SecurityEvent.LOGOUT,
                user=session.user,
                actor=session.user,
                session_uuid=session.uuid,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Passwords --------------------------------------------------------------------------------


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="auth_password_reset",
        request=EmailInput,
        responses={202: DetailOutput, **error_responses(400, 429)},
        examples=[EMAIL_EXAMPLE],
        auth=[],
    )
    def post(self, request):
        attempt_limit_hit(request, "password_reset")
        answers = EmailInput(data=request.data)
        answers.is_valid(raise_exception=True)
        services.password_reset_request(email=answers.validated_data["email"])
        return Response(
            {
                "detail": "If an account uses that address, a link to reset the password is on "
                "its way."
            },
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class PasswordResetConfirmInput(StrictInputSerializer):
        token = serializers.CharField(max_length=200)
        new_password = serializers.CharField(max_length=128, style=PASSWORD_STYLE)

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        request=PasswordResetConfirmInput,
        responses={200: DetailOutput, **error_responses(400, 429)},
        examples=[
            OpenApiExample(
                "A new password",
                value={
                    "token": "kq3Y0b6cVZ9XhR1t2n8mW4eLrJpA5sDfG7uHiO0yTcE",
                    "new_password": "another long pass",
                },
                request_only=True,
            )
        ],
        auth=[],
    )
    def post(self, request):
        answers = self.PasswordResetConfirmInput(data=request.data)
        answers.is_valid(raise_exception=True)
        user = services.password_reset_confirm(
            raw_token=answers.validated_data["token"],
            new_password=answers.validated_data["new_password"],
        )
        signin_failures_forget(email=user.email)
        security_event_record(request, SecurityEvent.PASSWORD_RESET, user=user, actor=user)
        return Response({"detail": "Your password has been changed. Sign in again."})


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    class PasswordChangeInput(StrictInputSerializer):
        current_password = serializers.CharField(max_length=128, style=PASSWORD_STYLE)
        new_password = serializers.CharField(max_length=128, style=PASSWORD_STYLE)

    class PasswordChangeOutput(serializers.Serializer):
        revoked_sessions = serializers.IntegerField(help_text="Other devices signed out.")

    @extend_schema(
        operation_id="me_password_change",
        request=PasswordChangeInput,
        responses={200: PasswordChangeOutput, **error_responses(400, 401)},
        examples=[
            OpenApiExample(
                "Change it",
                value={"current_password": "a long pass", "new_password": "another long pass"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        answers = self.PasswordChangeInput(data=request.data)
        answers.is_valid(raise_exception=True)
        revoked = services.password_change(
            user=request.user,
            keep_session_uuid=current_session_uuid(request),
            **answers.validated_data,
        )
        security_event_record(
            request, SecurityEvent.PASSWORD_CHANGED, user=request.user, signed_out_devices=revoked
        )
        return Response({"revoked_sessions": revoked})


# --- Me ---------------------------------------------------------------------------------------


class MeOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    email = serializers.EmailField()
    pending_email = serializers.EmailField(
        allow_blank=True, help_text="A new address waiting for its verification link."
    )
    username = serializers.CharField()
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    is_verified = serializers.BooleanField()
    is_staff = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)
    country = serializers.CharField(source="profile.country", allow_blank=True)
    household_size = serializers.IntegerField(source="profile.household_size")
    units = serializers.CharField(source="profile.units")
    timezone = serializers.CharField(source="profile.timezone")
    phone = serializers.CharField(source="profile.phone", allow_blank=True)
    preferences = serializers.DictField(source="profile.preferences")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class MeUpdateInput(StrictInputSerializer):
        email = serializers.EmailField(
            max_length=254,
            required=False,
            help_text="A new address is used only after its verification link is clicked.",
        )
        username = serializers.CharField(
            max_length=150, required=False, validators=[UnicodeUsernameValidator()]
        )
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        country = serializers.RegexField(
            r"^([A-Z]{2}|WORLD)?$",
            max_length=5,
            required=False,
            allow_blank=True,
            help_text="ISO 3166-1 alpha-2 code, or WORLD.",
        )
        household_size = serializers.IntegerField(min_value=1, max_value=20, required=False)
        units = serializers.ChoiceField(choices=UserProfile.Units.choices, required=False)
        timezone = serializers.ChoiceField(choices=[], required=False)
        phone = serializers.RegexField(
            r"^\+?[0-9 ()-]{0,31}$", max_length=32, required=False, allow_blank=True
        )
        preferences = serializers.DictField(required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["timezone"].choices = timezone_choices()

        def validate_preferences(self, value: dict) -> dict:
            if len(str(value)) > 4000:
                raise serializers.ValidationError("Preferences are limited to 4000 characters.")
            return value

    def _answer(self, user) -> Response:
        user.profile = selectors.profile_of(user=user)
        return Response(MeOutput(user).data)

    @extend_schema(operation_id="me_retrieve", responses={200: MeOutput, **error_responses(401)})
    def get(self, request):
        return self._answer(request.user)

    @extend_schema(
        operation_id="me_update",
        request=MeUpdateInput,
        responses={200: MeOutput, **error_responses(400, 401)},
        examples=[
            OpenApiExample(
                "Home and household",
                value={"country": "GB", "household_size": 2, "units": "metric"},
                request_only=True,
            )
        ],
    )
    def patch(self, request):
        answers = self.MeUpdateInput(data=request.data, partial=True)
        answers.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, changes=answers.validated_data)
        return self._answer(user)


def timezone_choices() -> list[str]:
    import zoneinfo

    return sorted(zoneinfo.available_timezones())


# --- Sessions ---------------------------------------------------------------------------------


class SessionOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.CharField()
    device_name = serializers.CharField()
    user_agent = serializers.CharField()
    ip_address = serializers.IPAddressField(allow_null=True)
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    current = serializers.SerializerMethodField()

    def get_current(self, session) -> bool:
        return str(session.uuid) == self.context.get("current_session_uuid")


class SessionListApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SessionOutput

    def get_queryset(self):
        return selectors.session_list_active(user=self.request.user)

    def get_serializer_context(self) -> dict:
        return {
            **super().get_serializer_context(),
            "current_session_uuid": current_session_uuid(self.request),
        }

    @extend_schema(
        operation_id="me_sessions_list",
        responses={200: SessionOutput(many=True), **error_responses(401)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SessionRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_sessions_revoke",
        responses={204: OpenApiResponse(description="Signed out."), **error_responses(401, 404)},
    )
    def delete(self, request, session_uuid):
        session = selectors.session_get_own(user=request.user, session_uuid=session_uuid)
        services.session_revoke(session=session)
        security_event_record(
            request,
            SecurityEvent.SESSION_REVOKED,
            user=request.user,
            revoked_session=str(session.uuid),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionRevokeOthersApi(APIView):
    permission_classes = [IsAuthenticated]

    class RevokedOutput(serializers.Serializer):
        revoked = serializers.IntegerField()

    @extend_schema(
        operation_id="me_sessions_revoke_others",
        request=None,
        responses={200: RevokedOutput, **error_responses(401)},
    )
    def post(self, request):
        revoked = services.sessions_revoke_all(
            user=request.user, except_uuid=current_session_uuid(request)
        )
        security_event_record(
            request, SecurityEvent.SESSION_REVOKED, user=request.user, revoked_sessions=revoked
        )
        return Response({"revoked": revoked})
