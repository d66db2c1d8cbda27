"""Figures as a person reads them (the database and the API keep fen, ratios and ms), and
the one form of a time in everything a client reads."""

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


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


# The keys services put in an audit row's ``data``, as a person reads them; ``*_fen``
# values show in yuan under the key without the unit.
DATA_KEYS = {
    "amount": _("amount"),
    "total": _("total"),
    "lines": _("lines"),
    "cutoff": _("cutoff"),
    "accepted": _("accepted"),
    "rejected": _("rejected"),
    "rating": _("rating"),
    "reason": _("reason"),
    "quantity": _("quantity"),
    "offer_id": _("offer"),
    "line_id": _("settlement line"),
    "line": _("settlement line"),
    "returned_lines": _("lines returned"),
    "refund_id": _("refund"),
    "factory_id": _("factory"),
    "job_id": _("job"),
    "assignment_id": _("assignment"),
    "status": _("status"),
    "payment_id": _("payment"),
    "batch_id": _("settlement batch"),
    "via": _("taken via"),
    "distance_km": _("distance (km)"),
    "sent": _("sent"),
    "received": _("received"),
    "shortfall": _("shortfall"),
    "lost": _("lost"),
    "leftover": _("leftover material"),
    "delivered": _("delivered"),
    "quantity_done": _("done"),
    "reference": _("gateway reference"),
    "provider_ref": _("gateway reference"),
    "note": _("note"),
    "old": _("from"),
    "new": _("to"),
    "jobs": _("jobs"),
}
# Codes that appear as values in a trail's data.
DATA_VALUES = {
    "grab": _("the board"),
    "offer": _("a dispatch offer"),
    "return": _("returned to the SME"),
    "write_off": _("written off"),
}


def _moment(text: str):
    """An aware ISO timestamp in a trail's data (a batch's cutoff), else None."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def actor(label: str) -> str:
    """An audit row's actor: a username, or the platform itself."""
    return gettext("system") if label in ("", "system") else label


def audit_data(data, *, skip=()) -> str:
    """An audit row's ``data`` as ``amount ¥22.50 · lines 3`` instead of raw JSON (``skip``:
    keys the row shows elsewhere)."""
    if not data:
        return "-"
    if not isinstance(data, dict):
        return str(data)
    parts = []
    for key, value in data.items():
        if value in (None, "", [], {}) or key in skip:
            continue
        if isinstance(value, str) and value in DATA_VALUES:
            value = DATA_VALUES[value]
        if isinstance(value, float):
            value = f"{value:.1f}"
        if key.endswith("_fen"):
            key, value = key[: -len("_fen")], yuan(value)
        elif isinstance(value, str) and (moment := _moment(value)) is not None:
            value = localtime(moment).strftime("%Y-%m-%d %H:%M")
        parts.append(f"{DATA_KEYS.get(key, key)} {value}")
    return " · ".join(parts) or "-"
