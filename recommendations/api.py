"""Recommendations API: the user's actions, marking them taken, and what they add up to."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from carbon_site.openapi import error_responses
from footprints.models import CATEGORIES

from . import selectors, services


class RecommendationOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    calculation_uuid = serializers.UUIDField(source="carbon_footprint.calculation_uuid")
    action_code = serializers.CharField()
    category = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    action_required = serializers.CharField()
    effort = serializers.CharField()
    potential_savings = serializers.FloatField(help_text="kg CO2e a year this action saves.")
    priority = serializers.IntegerField(help_text="Rank by savings per effort, 1 first.")
    estimated_impact = serializers.CharField()
    is_implemented = serializers.BooleanField()
    implemented_at = serializers.DateTimeField(allow_null=True)


class RecommendationFilterInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=CATEGORIES, required=False)
    implemented = serializers.BooleanField(required=False, allow_null=True, default=None)
    priority = serializers.IntegerField(required=False, min_value=1)


class RecommendationListApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = RecommendationOutput

    def get_queryset(self):
        filters = RecommendationFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.recommendation_list(
            user=self.request.user,
            category=filters.validated_data.get("category"),
            implemented=filters.validated_data.get("implemented"),
            priority_at_most=filters.validated_data.get("priority"),
        ).select_related("carbon_footprint")

    @extend_schema(
        operation_id="recommendations_list",
        parameters=[
            OpenApiParameter("category", OpenApiTypes.STR, enum=list(CATEGORIES)),
            OpenApiParameter("implemented", OpenApiTypes.BOOL),
            OpenApiParameter(
                "priority", OpenApiTypes.INT, description="Only the top N (rank at most N)."
            ),
        ],
        responses={200: RecommendationOutput(many=True), **error_responses(400, 401)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RecommendationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="recommendations_retrieve",
        responses={200: RecommendationOutput, **error_responses(401, 404)},
    )
    def get(self, request, recommendation_uuid):
        recommendation = selectors.recommendation_get_own(
            user=request.user, recommendation_uuid=recommendation_uuid
        )
        return Response(RecommendationOutput(recommendation).data)


class RecommendationImplementApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="recommendations_implement",
        request=None,
        responses={200: RecommendationOutput, **error_responses(401, 404)},
    )
    def post(self, request, recommendation_uuid):
        recommendation = selectors.recommendation_get_own(
            user=request.user, recommendation_uuid=recommendation_uuid
        )
        recommendation = services.recommendation_implement(
            user=request.user, recommendation=recommendation
        )
        return Response(RecommendationOutput(recommendation).data)


class RecommendationUnimplementApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="recommendations_unimplement",
        request=None,
        responses={200: RecommendationOutput, **error_responses(401, 404)},
    )
    def post(self, request, recommendation_uuid):
        recommendation = selectors.recommendation_get_own(
            user=request.user, recommendation_uuid=recommendation_uuid
        )
        recommendation = services.recommendation_unimplement(
            user=request.user, recommendation=recommendation
        )
        return Response(RecommendationOutput(recommendation).data)


class CategoryStatsOutput(serializers.Serializer):
    implemented = serializers.IntegerField()
    realised_savings = serializers.FloatField()


class RecommendationStatsOutput(serializers.Serializer):
    implemented = serializers.IntegerField(help_text="Actions taken, each counted once.")
    realised_savings = serializers.FloatField(help_text="kg CO2e a year the actions save.")
    open = serializers.IntegerField(help_text="Actions offered and not yet taken.")
    by_category = serializers.DictField(child=CategoryStatsOutput())


class RecommendationStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="recommendations_stats",
        responses={200: RecommendationStatsOutput, **error_responses(401)},
    )
    def get(self, request):
        stats = selectors.recommendation_stats(user=request.user)
        return Response(RecommendationStatsOutput(stats).data)
