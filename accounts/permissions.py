"""API permissions about the account itself."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated


class IsVerified(IsAuthenticated):
    """Signed in with a verified email address; otherwise 403 `email_not_verified`.

    Used for actions that follow up by email or hand personal data out (goals, data export):
    see docs/api.md.
    """

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if not request.user.is_verified:
            raise PermissionDenied(
                "Confirm your email address first: we have sent you a link.",
                code="email_not_verified",
            )
        return True
