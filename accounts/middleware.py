"""Browser sessions stay tied to their row in user_sessions: a revoked device is signed out."""

from django.contrib import messages
from django.contrib.auth import logout

from . import services
from .security_events import SESSION_UUID_KEY


class BrowserSessionMiddleware:
    """For a signed-in browser, check its user_sessions row is still open, at one query a request.

    Revoking a device deletes its Django session, so this is the second lock: it also covers a
    session store that could not be reached at that moment. last_seen_at is written at most
    every few minutes (services.BROWSER_LAST_SEEN_EVERY).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session first: a visitor without our key never costs the user query.
        session_uuid = request.session.get(SESSION_UUID_KEY)
        if session_uuid and request.user.is_authenticated:
            still_open = services.browser_session_seen(user=request.user, session_uuid=session_uuid)
            if not still_open:
                logout(request)
                messages.info(request, "This device was signed out. Sign in again to continue.")
        return self.get_response(request)
