from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import privacy_views

from . import metrics, views

admin.site.site_header = "carbon_site administration"
admin.site.site_title = "carbon_site admin"

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("footprints.api_urls")),
    path("", include("recommendations.api_urls")),
    path("", include("goals.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("footprints.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("goals/", include("goals.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("privacy/", privacy_views.privacy, name="privacy"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
]

handler400 = "carbon_site.views.bad_request"
handler403 = "carbon_site.views.permission_denied"
handler404 = "carbon_site.views.page_not_found"
handler500 = "carbon_site.views.server_error"
