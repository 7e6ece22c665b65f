"""The one DRF exception handler: every API error leaves in the shapes of DESIGN.md.

- 400: `{"field": ["message"]}` (nested for nested input; object-level rules under
  `non_field_errors`).
- anything else: `{"detail": "message", "code": "stable_code"}`.
"""

import re

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import ApplicationError, FieldErrors

NON_FIELD_ERRORS = "non_field_errors"

# SQLite: "UNIQUE constraint failed: users.email"; MySQL/MariaDB: "Duplicate entry 'x' for key
# 'users.email'" (MySQL 8) or "... for key 'email'" / "'users_email_key'" (MariaDB, older MySQL).
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: \w+\.(\w+)")
_MYSQL_UNIQUE = re.compile(r"Duplicate entry .* for key '(?:\w+\.)?(\w+)'")


def duplicate_field_name(error: IntegrityError) -> str | None:
    """Name the column a unique-constraint violation is about, when the database says it."""
    text = str(error)
    match = _SQLITE_UNIQUE.search(text) or _MYSQL_UNIQUE.search(text)
    if not match:
        return None
    return match.group(1)


def _validation_body(detail) -> dict:
    if isinstance(detail, dict):
        return detail
    if isinstance(detail, list):
        return {NON_FIELD_ERRORS: detail}
    return {NON_FIELD_ERRORS: [detail]}


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's own ValidationError so that forms and the API share them.
        if hasattr(exc, "error_dict"):
            errors = {
                (NON_FIELD_ERRORS if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
            return Response(errors, status=400)
        return Response({NON_FIELD_ERRORS: exc.messages}, status=400)

    if isinstance(exc, FieldErrors):
        return Response(exc.errors, status=400)
    if isinstance(exc, ApplicationError):
        if exc.status_code == status.HTTP_400_BAD_REQUEST:
            return Response({exc.field or NON_FIELD_ERRORS: [exc.message]}, status=400)
        response = Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    if isinstance(exc, RequestDataTooBig):
        # Past DATA_UPLOAD_MAX_MEMORY_SIZE: refused before parsing, in the API's error shape
        # (Django's default would be an HTML 400 and an error in the log).
        return Response(
            {"detail": "The request body is too large.", "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )

    if isinstance(exc, IntegrityError):
        field = duplicate_field_name(exc)
        if field is None:
            return None  # not a duplicate we can name: a real server error
        return Response({field: ["This value is already taken."]}, status=400)

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
        return response
    if isinstance(exc, exceptions.APIException):
        response.data = _detail_body(exc)
    return response


def _detail_body(exc: exceptions.APIException) -> dict:
    detail = exc.detail
    if isinstance(detail, dict):  # simplejwt nests its own {"detail", "code", "messages"}
        return {
            "detail": str(detail.get("detail", exc.default_detail)),
            "code": str(detail.get("code", exc.default_code)),
        }
    codes = exc.get_codes()
    return {"detail": str(detail), "code": codes if isinstance(codes, str) else exc.default_code}
