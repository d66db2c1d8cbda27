"""Thin Celery entry points for the platform's own pages."""

from celery import shared_task

from marketplace import charts, dashboard_cache


@shared_task(ignore_result=True)
def dashboard_chart_redraw_task(name: str) -> None:
    """A stale dashboard chart, read and drawn again for the next reader."""
    if name in charts.CHARTS:
        dashboard_cache.chart_draw(name)
