from django.urls import path

from . import api

urlpatterns = [
    path("footprints/", api.FootprintListCreateApi.as_view(), name="api-footprints"),
    path("footprints/quick/", api.FootprintQuickApi.as_view(), name="api-footprints-quick"),
    path("footprints/claim/", api.FootprintClaimApi.as_view(), name="api-footprints-claim"),
    path("footprints/stats/", api.FootprintStatsApi.as_view(), name="api-footprints-stats"),
    path("footprints/trend/", api.FootprintTrendApi.as_view(), name="api-footprints-trend"),
    path(
        "footprints/<uuid:calculation_uuid>/",
        api.FootprintDetailApi.as_view(),
        name="api-footprint",
    ),
    path(
        "footprints/<uuid:calculation_uuid>/recalculate/",
        api.FootprintRecalculateApi.as_view(),
        name="api-footprint-recalculate",
    ),
]
