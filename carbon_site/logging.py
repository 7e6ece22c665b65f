"""Structured logs: one line per request, every line tagged with its request id.

- `logging_config()` builds settings.LOGGING: JSON lines (python-json-logger) in production,
  readable text in DEBUG. Every record carries `request_id` (RequestIdFilter).
- `RequestLogMiddleware` (outermost) takes a well-formed incoming X-Request-ID or makes one,
  echoes it in the response, and logs one line per request on `carbon_site.request`: request id,
  user uuid (never an email or a token), method, path with tokens redacted, status, duration ms
  and view.
- Errors keep their tracebacks: django.request's records of unhandled exceptions stay (ERROR,
  with exc_info). Its other records, a WARNING per 4xx ("Not Found: /x") and an ERROR per 5xx
  answered without an exception (a 503 in maintenance), are dropped: the request line already
  says it, with the request id and without the token a path may hold. django.security (bad
  hosts, CSRF failures) stays. Tokens in other loggers' messages are redacted too.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from urllib.parse import parse_qsl, urlencode

from django.db import DatabaseError

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a proxy or a client: short, and nothing that could forge a log line.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
REDACTED = "<redacted>"
# URL kwargs that carry a secret; their value is replaced wherever it appears in the path.
SECRET_URL_KWARGS = {"token", "raw_token", "uidb64", "claim_token"}
# Paths that hold a token even when they did not resolve (a 404 must not log one either).
SECRET_PATHS = re.compile(
    r"(/accounts/(?:verify-email|password-reset)/)(?!(?:confirm|resend|set-password)/)[^/]+"
)
# Query parameters whose values are secrets or personal data: the name stays, the value goes.
SECRET_PARAMETER_WORDS = (
    *("token", "code", "key", "secret", "password", "claim", "auth", "session", "signature"),
    "email",
)
UNRESOLVED_VIEW = "<unresolved>"

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
request_logger = logging.getLogger("carbon_site.request")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the request's, or "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class SecretRedactFilter(logging.Filter):
    """Takes tokens out of the paths other loggers put in their messages.

    django.request and django.server write the raw path ("Internal Server Error: /accounts/
    password-reset/<token>/"); the request line has its own redaction (`redacted_path`).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_text(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


class TracebackOnlyFilter(logging.Filter):
    """For django.request: keep the records that carry a traceback, drop the status-only ones.

    Django logs every 4xx/5xx answer there; ours says it once, in the request line. What only
    django.request has is the traceback of an unhandled exception.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return bool(record.exc_info)


def json_formatter():
    """JSON lines: time (UTC, ISO 8601), level, logger, message, then the record's extra fields.

    Django's `request` extra (the request object, whose repr shows the raw path) is left out.
    """
    from pythonjsonlogger.core import RESERVED_ATTRS
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        reserved_attrs=[*RESERVED_ATTRS, "request"],
        timestamp="time",
    )


def logging_config(*, json_lines: bool, level: str) -> dict:
    """settings.LOGGING: JSON lines or readable text on stderr, request ids on every line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "carbon_site.logging.RequestIdFilter"},
            "redact": {"()": "carbon_site.logging.SecretRedactFilter"},
            "tracebacks_only": {"()": "carbon_site.logging.TracebackOnlyFilter"},
        },
        "formatters": {
            "json": {"()": "carbon_site.logging.json_formatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json_lines else "text",
                "filters": ["request_id", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Answers are in the request line already; unhandled exceptions keep their traceback.
            "django.request": {"level": "ERROR", "filters": ["tracebacks_only"]},
            # runserver's own access line would repeat ours.
            "django.server": {"level": "WARNING"},
        },
    }


# --- What a request line may show ----------------------------------------------------------------


def view_label(request) -> str:
    """The request's view as logs and metrics name it: `namespace:url_name`, never the raw path."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else UNRESOLVED_VIEW


def request_id_from(request) -> str:
    """The incoming X-Request-ID when it is well formed, else a new one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if REQUEST_ID_PATTERN.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def redact_text(text: str) -> str:
    """`text` with the tokens of known token paths replaced by <redacted>."""
    return SECRET_PATHS.sub(rf"\g<1>{REDACTED}", text)


def _secret_parameter(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_PARAMETER_WORDS)


def redacted_path(request) -> str:
    """The path with secrets replaced by <redacted>: tokens in the URL and in the query string."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and value:
                path = path.replace(f"/{value}", f"/{REDACTED}")
    path = redact_text(path)
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return path
    parameters = [
        (name, REDACTED if _secret_parameter(name) else value)
        for name, value in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{path}?{urlencode(parameters, safe='<>')}" if parameters else path


def user_uuid(request) -> str | None:
    """The signed-in user's public uuid: never their email, never an integer id."""
    try:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return str(user.uuid)
    except DatabaseError:
        pass  # the session or user could not be read: the status already says why
    return None


class RequestLogMiddleware:
    """One line per request, and the request id on the answer (outermost middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            self._log(request, response.status_code, duration_ms)
        finally:
            _request_id.reset(token)
        return response

    @staticmethod
    def _log(request, status: int, duration_ms: float) -> None:
        path = redacted_path(request)
        if status < 500:
            level = logging.INFO
        else:  # 503 is a known state (database down, maintenance); other 5xx are bugs
            level = logging.WARNING if status == 503 else logging.ERROR
        request_logger.log(
            level,
            "%s %s %s %sms",
            request.method,
            path,
            status,
            duration_ms,
            extra={
                "request_id": request.request_id,
                "user": user_uuid(request),
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "view": view_label(request),
            },
        )
