"""Figures as a person reads them (the database and the API keep fen, ratios and ms), and
the one form of a time in everything a client reads."""

from django.conf import settings
from django.utils import timezone


def iso_time(moment) -> str | None:
    """A time as every client reads it (API.md "Times": HTTP bodies, event data, socket
    frames): ISO 8601 in the service's time zone, with its offset (``+08:00``), as DRF's
    ``DateTimeField`` renders HTTP bodies. ``iso_time_sql`` is the same in SQL."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat()


def iso_time_sql(column: str) -> str:
    """SQL rendering a ``timestamptz`` column as ``iso_time`` does: the wall time in the
    service's time zone, microseconds only when not 0, then the offset (``+08:00``). For a
    statement run with parameters (its ``%`` doubled)."""
    zone = settings.TIME_ZONE.replace("'", "''")
    local = f"({column} AT TIME ZONE '{zone}')"
    offset = f"extract(epoch FROM {local} - ({column} AT TIME ZONE 'UTC'))::int"
    return (
        f"(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN extract(microseconds FROM {column})::bigint %% 1000000 = 0 THEN ''"
        f" ELSE to_char({local}, '.US') END"
        f" || CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || lpad((abs({offset}) / 3600)::text, 2, '0') || ':' || lpad((abs({offset}) %% 3600 / 60)::text, 2, '0'))"
    )


def yuan(fen) -> str:
    """Money as a person reads it: ``¥1,474.88`` (the database and the API keep fen)."""
    if fen is None:
        return "-"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def percent(rate) -> str:
    """A rate from 0 to 1 as ``50%`` (one decimal under 10%)."""
    if rate is None:
        return "-"
    value = float(rate) * 100
    return f"{value:.1f}%" if 0 < value < 10 else f"{value:.0f}%"


def duration(ms) -> str:
    """A duration in milliseconds as ``531 ms`` or ``1.2 s``."""
    if ms is None:
        return "-"
    ms = float(ms)
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"
