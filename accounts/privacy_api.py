"""Privacy API: download everything about me, and erase my account."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from carbon_site.export import user_export_json_chunks
from carbon_site.openapi import error_responses
from carbon_site.serializers import StrictInputSerializer

from .permissions import IsVerified
from .privacy import account_erase_confirmed


class ExportApi(APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        operation_id="me_export",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Every table about you: user, user_profile, user_sessions, "
                "security_events, footprints, recommendations, implemented_actions, goals; "
                "each a list of rows. Streamed.",
            ),
            **error_responses(401, 403),
        },
    )
    def get(self, request):
        response = StreamingHttpResponse(
            user_export_json_chunks(request.user), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="carbon_site-export.json"'
        response["Cache-Control"] = "no-store"
        return response


class AccountDeleteApi(APIView):
    permission_classes = [IsAuthenticated]

    class AccountDeleteInput(StrictInputSerializer):
        password = serializers.CharField(max_length=128, style={"input_type": "password"})

    @extend_schema(
        operation_id="me_delete",
        request=AccountDeleteInput,
        responses={
            204: OpenApiResponse(description="The account and all its data are deleted."),
            **error_responses(400, 401),
        },
        description="POST rather than DELETE: a DELETE with a body is handled badly by clients.",
        examples=[OpenApiExample("Confirm", value={"password": "a long pass"}, request_only=True)],
    )
    def post(self, request):
        answers = self.AccountDeleteInput(data=request.data)
        answers.is_valid(raise_exception=True)
        account_erase_confirmed(user=request.user, password=answers.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
