"""Figures as a person reads them (the database and the API keep fen, ratios and ms)."""


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
