from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketplace.api.views import HealthView
from marketplace.routing import route

api_v1 = [
    path("", include("marketplace.api.urls")),
    path("", include("orders.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    route("api/schema", SpectacularAPIView.as_view(), "schema"),
    route("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), "docs"),
    route("healthz", HealthView.as_view(), "healthz"),
]

handler400 = "marketplace.errors.handler400"
handler403 = "marketplace.errors.handler403"
handler404 = "marketplace.errors.handler404"
handler500 = "marketplace.errors.handler500"
