from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.api.tokens import throttled_admin_login
from core.routing import route
from marketplace.health import HealthView
from marketplace.views import dashboard_chart_view, dashboard_view
from orders.admin import materials_view
from payments.admin import reconciliation_view
from payments.api.views import SandboxPayView
from realtime.api.views import asyncapi_view

# The admin is the platform's operator desk, titled as such in the reader's language.
admin.site.site_header = _("Jiaozhou shared-factory platform")
admin.site.site_title = _("Shared-factory operations")
admin.site.index_title = _("Operator's desk")

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("catalogue.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("evidence.api.urls")),
    path("", include("factories.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("realtime.api.urls")),
]

urlpatterns = [
    path(
        f"{settings.ADMIN_URL}reconciliation/", admin.site.admin_view(reconciliation_view), name="admin-reconciliation"
    ),
    path(f"{settings.ADMIN_URL}dashboard/", admin.site.admin_view(dashboard_view), name="admin-dashboard"),
    path(f"{settings.ADMIN_URL}materials/", admin.site.admin_view(materials_view), name="admin-materials"),
    path(
        f"{settings.ADMIN_URL}dashboard/<slug:name>.png",
        admin.site.admin_view(dashboard_chart_view),
        name="admin-dashboard-chart",
    ),
    path(f"{settings.ADMIN_URL}login/", throttled_admin_login(admin.site.login), name="admin-login"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include(api_v1)),
    route("api/schema", SpectacularAPIView.as_view(), "schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    route("api/docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), "docs"),
    route("api/asyncapi.json", asyncapi_view, "asyncapi"),
    route("api/redoc", SpectacularRedocView.as_view(url_name="schema"), "redoc"),
    route("healthz", HealthView.as_view(), "healthz"),
    route("", TemplateView.as_view(template_name="landing.html"), "landing"),
    path("", include("marketplace.webapp")),
    route(r"sandbox/pay/(?P<payment_id>\d+)/(?P<token>[0-9a-f]{32})", SandboxPayView.as_view(), "sandbox-pay"),
]

handler400 = "core.errors.handler400"
handler403 = "core.errors.handler403"
handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"
