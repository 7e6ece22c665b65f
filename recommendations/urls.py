"""Action buttons under /recommendations/ (see DESIGN.md)."""

from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("<uuid:recommendation_uuid>/implement/", views.implement, name="implement"),
    path("<uuid:recommendation_uuid>/unimplement/", views.unimplement, name="unimplement"),
]
