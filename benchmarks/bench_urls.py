"""The project's URLs plus the baseline endpoint the calculation benchmark compares against."""

from django.urls import path

from carbon_site.urls import urlpatterns as project_urlpatterns

from .baseline import BaselineApi

urlpatterns = [
    *project_urlpatterns,
    path("bench/baseline/", BaselineApi.as_view(), name="bench-baseline"),
]
