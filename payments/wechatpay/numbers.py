"""Our identifiers as WeChat Pay's merchant numbers, and back.

WeChat Pay limits the characters of its merchant numbers: ``out_trade_no`` 6-32 of
``[A-Za-z0-9_-|*]``, ``out_refund_no`` up to 64 of ``[A-Za-z0-9_-|*@]``, ``out_batch_no``
letters and digits only. Our idempotency keys are lowercase ``[a-z0-9:]`` (``refund:job:7``,
``payout:batch:12:1``), so the mapping is a reversible swap of ``:`` for a character our
keys never contain: ``refund-job-7``, ``payoutZbatchZ12Z1``. The number *is* our key, so a
retry after a crash sends the same number and WeChat Pay does the movement once.
"""

import re

KEY = re.compile(r"[a-z0-9:]+")
TRADE_NO = re.compile(r"payment(\d{1,20})([NAJ])")
CHANNELS = {"native": "N", "app": "A", "jsapi": "J"}
BATCH_KEY = re.compile(r"payout:batch:(\d+):(\d+)")


class NumberError(ValueError):
    pass


def out_trade_no(payment_id: int, channel: str) -> str:
    """One order per payment and channel (a QR code, the app, a WeChat web page)."""
    return f"payment{int(payment_id)}{CHANNELS[channel]}"


def payment_id_of(trade_no: str) -> int:
    match = TRADE_NO.fullmatch(trade_no or "")
    if match is None:
        raise NumberError(f"not one of our order numbers: {trade_no!r}")
    return int(match.group(1))


def _checked(key: str, limit: int) -> str:
    if not KEY.fullmatch(key or "") or len(key) > limit:
        raise NumberError(f"key {key!r} cannot be a WeChat Pay merchant number")
    return key


def out_refund_no(key: str) -> str:
    return _checked(key, 64).replace(":", "-")


def refund_key_of(refund_no: str) -> str:
    return _checked((refund_no or "").replace("-", ":"), 64)


def out_batch_no(key: str) -> str:
    return _checked(key, 32).replace(":", "Z")


def batch_of(batch_no: str) -> tuple[int, int]:
    """(settlement batch id, payout attempt) named by an ``out_batch_no``."""
    match = BATCH_KEY.fullmatch((batch_no or "").replace("Z", ":"))
    if match is None:
        raise NumberError(f"not one of our payout numbers: {batch_no!r}")
    return int(match.group(1)), int(match.group(2))
