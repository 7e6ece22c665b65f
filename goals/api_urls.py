from django.urls import path

from . import api

urlpatterns = [
    path("goals/", api.GoalListCreateApi.as_view(), name="api-goals"),
    path("goals/stats/", api.GoalStatsApi.as_view(), name="api-goals-stats"),
    path("goals/<uuid:goal_uuid>/", api.GoalDetailApi.as_view(), name="api-goal"),
]
