"""Goals API: set reduction goals and follow their progress."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsVerified
from carbon_site.openapi import PAGINATION_PARAMETERS, error_responses, paginated
from carbon_site.pagination import PageNumberPagination
from carbon_site.serializers import StrictInputSerializer

from . import selectors, services
from .models import UserGoal


class GoalProgressOutput(serializers.Serializer):
    current_emissions = serializers.FloatField(allow_null=True)
    percent_complete = serializers.FloatField(
        allow_null=True, help_text="How far from the baseline to the target, 0 to 100."
    )
    kg_to_cut = serializers.FloatField(allow_null=True)
    on_track = serializers.BooleanField(
        allow_null=True,
        help_text="At or below the straight line from the baseline to the target by its date.",
    )
    expected_emissions_now = serializers.FloatField(allow_null=True)
    days_left = serializers.IntegerField()


class GoalOutput(serializers.Serializer):
    uuid = serializers.UUIDField(source="goal.uuid")
    goal_type = serializers.CharField(source="goal.goal_type")
    category = serializers.CharField(source="goal.category")
    baseline_emissions = serializers.FloatField(source="goal.baseline_emissions", allow_null=True)
    target_emissions = serializers.FloatField(source="goal.target_emissions", allow_null=True)
    reduction_percentage = serializers.FloatField(
        source="goal.reduction_percentage", allow_null=True
    )
    target_date = serializers.DateField(source="goal.target_date")
    description = serializers.CharField(source="goal.description")
    status = serializers.CharField(source="goal.status")
    is_achieved = serializers.BooleanField(source="goal.is_achieved")
    achieved_at = serializers.DateTimeField(source="goal.achieved_at", allow_null=True)
    created_at = serializers.DateTimeField(source="goal.created_at")
    progress = GoalProgressOutput()


TARGET_FIELDS = ("reduction_percentage", "target_emissions")


class GoalCreateInput(StrictInputSerializer):
    goal_type = serializers.ChoiceField(choices=UserGoal.GoalType.choices)
    reduction_percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    target_emissions = serializers.DecimalField(
        max_digits=12,
        decimal_places=3,
        min_value=0,
        required=False,
        help_text="kg CO2e a year to reach.",
    )
    target_date = serializers.DateField()
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    category = serializers.ChoiceField(
        choices=UserGoal.Category.choices, required=False, default=UserGoal.Category.TOTAL
    )

    def validate(self, attrs):
        wanted = {
            UserGoal.GoalType.REDUCTION_PERCENTAGE: "reduction_percentage",
            UserGoal.GoalType.TARGET_EMISSIONS: "target_emissions",
        }[attrs["goal_type"]]
        other = next(field for field in TARGET_FIELDS if field != wanted)
        errors = {}
        if attrs.get(wanted) is None:
            errors[wanted] = [f"Required for a {attrs['goal_type']} goal."]
        if attrs.get(other) is not None:
            errors[other] = [f"Give either {wanted} or {other}, not both."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class GoalUpdateInput(StrictInputSerializer):
    reduction_percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    target_emissions = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=0, required=False
    )
    target_date = serializers.DateField(required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _answer(goal, user, code=status.HTTP_200_OK) -> Response:
    [item] = selectors.goals_with_progress(goals=[goal], user=user, today=timezone.now().date())
    return Response(GoalOutput(item).data, status=code)


class GoalListCreateApi(APIView):
    def get_permissions(self):
        return [IsVerified()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        operation_id="goals_list",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(GoalOutput), **error_responses(401, 404)},
    )
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.goal_list(user=request.user), request, self)
        items = selectors.goals_with_progress(
            goals=page, user=request.user, today=timezone.now().date()
        )
        return paginator.get_paginated_response(GoalOutput(items, many=True).data)

    @extend_schema(
        operation_id="goals_create",
        request=GoalCreateInput,
        responses={201: GoalOutput, **error_responses(400, 401, 403)},
        examples=[
            OpenApiExample(
                "A fifth less by the end of next year",
                value={
                    "goal_type": "reduction_percentage",
                    "reduction_percentage": 20,
                    "target_date": "2027-12-31",
                    "description": "Insulate the loft and drive less.",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        answers = GoalCreateInput(data=request.data)
        answers.is_valid(raise_exception=True)
        goal = services.goal_create(user=request.user, **answers.validated_data)
        return _answer(goal, request.user, status.HTTP_201_CREATED)


class GoalDetailApi(APIView):
    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "GET" else [IsVerified()]

    @extend_schema(
        operation_id="goals_retrieve", responses={200: GoalOutput, **error_responses(401, 404)}
    )
    def get(self, request, goal_uuid):
        goal = selectors.goal_get_own(user=request.user, goal_uuid=goal_uuid)
        return _answer(goal, request.user)

    @extend_schema(
        operation_id="goals_update",
        request=GoalUpdateInput,
        responses={200: GoalOutput, **error_responses(400, 401, 403, 404)},
        examples=[
            OpenApiExample("A later date", value={"target_date": "2028-06-30"}, request_only=True)
        ],
    )
    def patch(self, request, goal_uuid):
        goal = selectors.goal_get_own(user=request.user, goal_uuid=goal_uuid)
        answers = GoalUpdateInput(data=request.data)
        answers.is_valid(raise_exception=True)
        goal = services.goal_update(goal=goal, changes=answers.validated_data)
        return _answer(goal, request.user)

    @extend_schema(
        operation_id="goals_destroy",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(401, 403, 404)},
    )
    def delete(self, request, goal_uuid):
        goal = selectors.goal_get_own(user=request.user, goal_uuid=goal_uuid)
        services.goal_delete(goal=goal)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GoalStatsOutput(serializers.Serializer):
    active = serializers.IntegerField()
    achieved = serializers.IntegerField()
    missed = serializers.IntegerField()


class GoalStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="goals_stats", responses={200: GoalStatsOutput, **error_responses(401)}
    )
    def get(self, request):
        return Response(GoalStatsOutput(selectors.goal_stats(user=request.user)).data)
