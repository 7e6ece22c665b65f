"""Account pages under /accounts/ (see DESIGN.md)."""

from django.urls import path

from . import privacy_views, views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.signin, name="login"),
    path("logout/", views.signout, name="logout"),
    # Token-free pages first: "confirm", "resend" and "set-password" are never tokens.
    path("verify-email/confirm/", views.verify_email_confirm, name="verify-email-confirm"),
    path("verify-email/resend/", views.verify_email_resend, name="verify-email-resend"),
    path("verify-email/<str:token>/", views.verify_email_link, name="verify-email"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/set-password/", views.password_reset_set, name="password-reset-set"),
    path("password-reset/<str:token>/", views.password_reset_link, name="password-reset-link"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password-change"),
    path("devices/", views.devices, name="devices"),
    path("export/", privacy_views.export, name="export"),
    path("delete/", privacy_views.delete_account, name="delete"),
    path("devices/revoke-others/", views.devices_revoke_others, name="devices-revoke-others"),
    path("devices/<uuid:session_uuid>/revoke/", views.device_revoke, name="device-revoke"),
]
