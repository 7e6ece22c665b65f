from django.urls import path

from . import api, privacy_api

urlpatterns = [
    path("auth/register/", api.RegisterApi.as_view(), name="api-register"),
    path("auth/verify-email/", api.VerifyEmailApi.as_view(), name="api-verify-email"),
    path(
        "auth/verify-email/resend/",
        api.VerifyEmailResendApi.as_view(),
        name="api-verify-email-resend",
    ),
    path("auth/token/", api.TokenObtainApi.as_view(), name="api-token"),
    path("auth/token/refresh/", api.TokenRefreshApi.as_view(), name="api-token-refresh"),
    path("auth/logout/", api.LogoutApi.as_view(), name="api-logout"),
    path("auth/password-reset/", api.PasswordResetApi.as_view(), name="api-password-reset"),
    path(
        "auth/password-reset/confirm/",
        api.PasswordResetConfirmApi.as_view(),
        name="api-password-reset-confirm",
    ),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("me/export/", privacy_api.ExportApi.as_view(), name="api-export"),
    path("me/delete/", privacy_api.AccountDeleteApi.as_view(), name="api-account-delete"),
    path("me/password/", api.PasswordChangeApi.as_view(), name="api-password-change"),
    path("me/sessions/", api.SessionListApi.as_view(), name="api-sessions"),
    path(
        "me/sessions/revoke-others/",
        api.SessionRevokeOthersApi.as_view(),
        name="api-sessions-revoke-others",
    ),
    path(
        "me/sessions/<uuid:session_uuid>/",
        api.SessionRevokeApi.as_view(),
        name="api-session-revoke",
    ),
]
