from django.urls import path

from . import api

urlpatterns = [
    path("recommendations/", api.RecommendationListApi.as_view(), name="api-recommendations"),
    path(
        "recommendations/stats/",
        api.RecommendationStatsApi.as_view(),
        name="api-recommendations-stats",
    ),
    path(
        "recommendations/<uuid:recommendation_uuid>/",
        api.RecommendationDetailApi.as_view(),
        name="api-recommendation",
    ),
    path(
        "recommendations/<uuid:recommendation_uuid>/implement/",
        api.RecommendationImplementApi.as_view(),
        name="api-recommendation-implement",
    ),
    path(
        "recommendations/<uuid:recommendation_uuid>/unimplement/",
        api.RecommendationUnimplementApi.as_view(),
        name="api-recommendation-unimplement",
    ),
]
