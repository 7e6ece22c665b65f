from django.urls import path

from . import dashboard_views, views

urlpatterns = [
    path("calculate/", views.calculate, name="calculate"),
    path("calculate/quick/", views.calculate_quick, name="calculate-quick"),
    path("results/<uuid:calculation_uuid>/", views.result, name="result"),
    path("methodology/", views.methodology, name="methodology"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("history/", dashboard_views.history, name="history"),
]
