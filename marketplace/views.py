"""The admin's dashboard: a page of the cluster's charts, and each chart as a PNG (staff only,
through ``admin.site.admin_view`` in ``marketplace.urls``). Reads in ``marketplace.dashboard``,
drawing in ``marketplace.charts``."""

from django.contrib import admin
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from marketplace import charts, dashboard


def dashboard_view(request):
    names = [(name, f"{zh} {en}") for name, (zh, en, _draw) in charts.CHARTS.items()]
    return TemplateResponse(
        request,
        "admin/dashboard.html",
        {**admin.site.each_context(request), "title": _("Dashboard"), "charts": names},
    )


def dashboard_chart_view(request, name):
    if name not in charts.CHARTS:
        raise Http404(name)
    png = charts.render(name, dashboard.figures(name))
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response
