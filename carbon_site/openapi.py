"""Error answers for the OpenAPI schema, so every operation documents what can go wrong."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .serializers import ErrorOutput

_DESCRIPTIONS = {
    400: "Invalid input: each field named with its messages; object-level rules under "
    "`non_field_errors`.",
    401: "No credentials, or expired or revoked ones.",
    403: "Not allowed (for example `email_not_verified`).",
    404: "Absent, or not yours.",
    409: "A named state conflict.",
    429: "Too many requests: wait for the seconds in Retry-After.",
    413: "The request body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).",
    415: "The body is not JSON: send `Content-Type: application/json`.",
    503: "Temporarily unavailable: retry after the seconds in Retry-After.",
}
# One illustrative body per status; the `code` values are the stable ones of docs/api.md.
_EXAMPLES = {
    401: {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"},
    403: {
        "detail": "Confirm your email address first: we have sent you a link.",
        "code": "email_not_verified",
    },
    404: {"detail": "Not found.", "code": "not_found"},
    409: {"detail": "That cannot be done in the current state.", "code": "conflict"},
    413: {"detail": "The request body is too large.", "code": "request_too_large"},
    415: {
        "detail": 'Unsupported media type "text/plain" in request.',
        "code": "unsupported_media_type",
    },
    429: {
        "detail": "Too many requests. Please wait a little and try again.",
        "code": "rate_limited",
    },
    503: {"detail": "Down for maintenance; back shortly.", "code": "maintenance"},
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    responses = {}
    for status in statuses:
        if status == 400:
            responses[status] = OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=_DESCRIPTIONS[400],
                examples=[
                    OpenApiExample(
                        "Field errors",
                        value={"email": ["Enter a valid email address."]},
                        status_codes=["400"],
                    )
                ],
            )
        else:
            responses[status] = OpenApiResponse(
                response=ErrorOutput,
                description=_DESCRIPTIONS[status],
                examples=[
                    OpenApiExample(
                        _EXAMPLES[status]["code"],
                        value=_EXAMPLES[status],
                        status_codes=[str(status)],
                    )
                ],
            )
    return responses


def _error_answer(status: int, description: str | None = None) -> dict:
    code = _EXAMPLES[status]["code"]
    return {
        "description": description or _DESCRIPTIONS[status],
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorOutput"},
                "examples": {code: {"value": _EXAMPLES[status], "summary": code}},
            }
        },
    }


def complete_error_answers(result, generator, request, public):
    """A spectacular postprocessing hook for what can happen on every operation, whatever its
    view says: 503 (database outage, maintenance), 413 and 415 where a body is read, 404 for a
    page past the end of a list; Retry-After on 429 and 503; an explicit `security` (`[]`: public).
    """
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("503", _error_answer(503))
            if "requestBody" in operation:
                responses.setdefault("413", _error_answer(413))
                responses.setdefault("415", _error_answer(415))
            if any(param.get("name") == "page" for param in operation.get("parameters", [])):
                responses.setdefault("404", _error_answer(404, "No such page (past the end)."))
            for status in ("429", "503"):
                if status in responses:
                    responses[status].setdefault("headers", {}).update(_RETRY_AFTER)
            operation.setdefault("security", [])
    return result


PAGINATION_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="A page number within the results."),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description="Results per page (20 by default, 100 at most)."
    ),
]


def paginated(item_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The page shape of PageNumberPagination around `item_serializer`, for views that paginate
    by hand (drf-spectacular wraps only generic list views itself)."""
    name = item_serializer.__name__.removesuffix("Output")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer(many=True),
        },
    )
