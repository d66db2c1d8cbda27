"""The dashboard's charts, kept drawn in the cache: a chart costs 0.3-1.5 s to read and draw
with 10,000 jobs, so a reader is given the last drawing and never waits for one.

Each chart's entry holds its PNG, the figures it was drawn from as text (the table beside it:
the same numbers, the same moment) and when it was drawn. An entry younger than
``DASHBOARD_CHART_FRESH_SECONDS`` is served as it is; an older one is served too, and one
redraw is sent to a worker (``marketplace.tasks.dashboard_chart_redraw_task``; a lock in the
cache keeps it to one per chart at a time; with the broker away it is drawn in the request).
Only a chart with no entry at all (the cache lost, nobody looked for ``KEEP_SECONDS``) is
drawn in the request. An unreachable cache draws in the request every time: slower, never
wrong."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from core.queue import send
from marketplace import charts, dashboard

logger = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600


def chart_key(name: str) -> str:
    return f"dashboard:chart:{name}"


def chart_draw(name: str) -> dict:
    """Read and draw chart ``name`` now, and keep it: ``{"png", "table", "drawn_at"}``."""
    rows = dashboard.figures(name)
    entry = {"png": charts.render(name, rows), "table": charts.table(name, rows), "drawn_at": time.time()}
    try:
        cache.set(chart_key(name), entry, KEEP_SECONDS)
    except Exception:  # noqa: BLE001 - a figure for people: drawn, not kept
        logger.warning("dashboard chart %s not kept: the cache is unreachable", name, exc_info=True)
    return entry


def _refresh_if_stale(name: str, entry: dict) -> dict:
    """The entry to show: ``entry``, with one redraw sent when it is stale; drawn here when
    the broker cannot take the redraw (the reader waits once rather than see it age)."""
    fresh = settings.DASHBOARD_CHART_FRESH_SECONDS
    if time.time() - entry["drawn_at"] < fresh:
        return entry
    try:
        first = cache.add(f"{chart_key(name)}:redrawing", 1, fresh)
    except Exception:  # noqa: BLE001
        return entry
    if first:
        from marketplace.tasks import dashboard_chart_redraw_task

        if not send(dashboard_chart_redraw_task, name):
            return chart_draw(name)
    return entry


def charts_kept(names) -> dict[str, dict]:
    """name -> its entry, for each of ``names``: kept ones as they are (a stale one sends its
    redraw), missing ones drawn now."""
    try:
        kept = cache.get_many([chart_key(name) for name in names])
    except Exception:  # noqa: BLE001
        kept = {}
    entries = {}
    for name in names:
        entry = kept.get(chart_key(name))
        entries[name] = chart_draw(name) if entry is None else _refresh_if_stale(name, entry)
    return entries


def chart_kept(name: str) -> dict:
    return charts_kept([name])[name]
