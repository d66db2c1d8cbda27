"""The admin's dashboard: a page of the cluster's charts, and each chart as a PNG (staff only,
through ``admin.site.admin_view`` in ``marketplace.urls``). Reads in ``marketplace.dashboard``,
drawing in ``marketplace.charts``; both kept drawn by ``marketplace.dashboard_cache``."""

from datetime import UTC, datetime

from django.contrib import admin
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from marketplace import charts, dashboard_cache


def _drawn(entry) -> dict:
    return {"drawn_at": datetime.fromtimestamp(entry["drawn_at"], tz=UTC), "version": int(entry["drawn_at"])}


def dashboard_view(request):
    kept = dashboard_cache.charts_kept(list(charts.CHARTS))
    shown = [
        {"name": name, "title": f"{zh} {en}", "table": kept[name]["table"], **_drawn(kept[name])}
        for name, (zh, en, _draw) in charts.CHARTS.items()
    ]
    return TemplateResponse(
        request,
        "admin/dashboard.html",
        {**admin.site.each_context(request), "title": _("Dashboard"), "charts": shown},
    )


def dashboard_chart_view(request, name):
    if name not in charts.CHARTS:
        raise Http404(name)
    response = HttpResponse(dashboard_cache.chart_kept(name)["png"], content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response
