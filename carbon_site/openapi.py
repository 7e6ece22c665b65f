"""Error answers for the OpenAPI schema, so every operation documents what can go wrong."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
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
    503: "Temporarily unavailable: retry after the seconds in Retry-After.",
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
                response=ErrorOutput, description=_DESCRIPTIONS[status]
            )
    return responses


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
