"""A database that does not answer, or answers too slowly, is a 503 with Retry-After, never a 500.

Two ways in, one answer (`unavailable_response`):
- `DatabaseUnavailableMiddleware.process_exception` for errors raised by a view (pages and API);
- `carbon_site.views.server_error` (handler500) for errors raised anywhere else, such as the
  session or user lookup in a middleware.

Only errors that say "unavailable" count: the server cannot be reached or went away, refuses more
connections, is shutting down, the statement ran past its time limit, or a lock could not be had
in time. An SQL mistake (unknown column, syntax) stays a 500: retrying would not help.

A connection that broke is closed here, so the next request opens a fresh one; Django also drops
it at the end of the request (CONN_HEALTH_CHECKS), so the site serves again by itself as soon as
the database is back.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from .metrics import database_unavailable_count

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Please try again in a moment."

# MySQL/MariaDB error numbers (client 2xxx, server otherwise) that mean "not now".
CONNECTION_LOST = {
    2002,  # cannot connect through the socket
    2003,  # cannot connect over TCP
    2005,  # unknown server host
    2006,  # server has gone away
    2013,  # lost connection during a query
    2055,  # lost connection at a system call
    1053,  # server shutdown in progress
    1927,  # connection killed (MariaDB)
    4031,  # disconnected by the server for inactivity (MySQL 8)
}
TIMED_OUT = {
    1969,  # MariaDB: max_statement_time exceeded
    3024,  # MySQL: maximum statement execution time exceeded
    1205,  # lock wait timeout
    1213,  # deadlock: the transaction was rolled back
}
OVERLOADED = {1040, 1203}  # too many connections; too many for this user
UNAVAILABLE_CODES = CONNECTION_LOST | TIMED_OUT | OVERLOADED
# SQLite says "database is locked" when a writer held it for longer than its timeout.
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file")


def _mysql_code(error: BaseException) -> int | None:
    code = error.args[0] if error.args else None
    return code if isinstance(code, int) else None


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether this error means the database cannot serve now (so retrying later will help)."""
    if isinstance(error, InterfaceError):
        return True  # the connection object itself is unusable
    if not isinstance(error, OperationalError):
        return False
    code = _mysql_code(error)
    if code is not None:
        return code in UNAVAILABLE_CODES
    return any(text in str(error) for text in SQLITE_UNAVAILABLE)


def _discard_broken_connections(error: BaseException) -> None:
    """Close connections that cannot be used again; a timed-out statement leaves its own fine."""
    if _mysql_code(error) in TIMED_OUT | OVERLOADED:
        return
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


def is_api_request(request) -> bool:
    return request.path_info.startswith("/api/")


def unavailable_response(request, error: BaseException) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, the friendly page elsewhere.

    The page is rendered without the request, so no context processor reads the session or the
    user from the database that has just failed.
    """
    logger.warning(
        "database unavailable: %s %s", type(error).__name__, _mysql_code(error) or str(error)[:200]
    )
    _discard_broken_connections(error)
    database_unavailable_count()
    if is_api_request(request):
        response = JsonResponse({"detail": UNAVAILABLE_MESSAGE, "code": "unavailable"}, status=503)
    else:
        try:
            page = loader.render_to_string(
                "503.html", {"message": UNAVAILABLE_MESSAGE, "retry_after": RETRY_AFTER_SECONDS}
            )
        except Exception:
            logger.exception("503 page failed to render; answering plain text")
            page = UNAVAILABLE_MESSAGE
            response = HttpResponse(page, content_type="text/plain; charset=utf-8", status=503)
        else:
            response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is unavailable answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return unavailable_response(request, exception)
        return None
