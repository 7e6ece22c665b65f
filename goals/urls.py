"""Goal pages under /goals/ (see DESIGN.md)."""

from django.urls import path

from . import views

app_name = "goals"

urlpatterns = [
    path("", views.goal_list, name="list"),
    path("new/", views.goal_create, name="create"),
    path("<uuid:goal_uuid>/", views.goal_detail, name="detail"),
    path("<uuid:goal_uuid>/delete/", views.goal_delete, name="delete"),
]
