"""Our identifiers as WeChat Pay's merchant numbers, and back.

WeChat Pay limits the characters of its merchant numbers: ``out_trade_no`` 6-32 of
``[A-Za-z0-9_-|*]``, ``out_refund_no`` up to 64 of ``[A-Za-z0-9_-|*@]``, ``out_bill_no``
(商家转账) and the legacy ``out_batch_no`` letters and digits only, up to 32. Our
idempotency keys are lowercase ``[a-z0-9:]`` (``refund:job:7``, ``payout:line:12``), so the
mapping is a reversible swap of ``:`` for a character our keys never contain:
``refund-job-7``, ``payoutZlineZ12``. The number *is* our key, so a retry after a crash sends
the same number and WeChat Pay does the movement once.
"""

import re

KEY = re.compile(r"[a-z0-9:]+")
TRADE_NO = re.compile(r"payment(\d{1,20})([NAJ])(\d{0,4})")
CHANNELS = {"native": "N", "app": "A", "jsapi": "J"}
CHANNEL_OF = {letter: channel for channel, letter in CHANNELS.items()}


class NumberError(ValueError):
    pass


def out_trade_no(payment_id: int, channel: str, renewal: int = 1) -> str:
    """The ``renewal``-th order of a payment on a channel (a QR code, the app, a WeChat
    page): the first is ``payment12N``, the ones opened after it expired ``payment12N2``..."""
    suffix = "" if renewal <= 1 else str(int(renewal))
    number = f"payment{int(payment_id)}{CHANNELS[channel]}{suffix}"
    if len(number) > 32:
        raise NumberError(f"order number {number!r} is longer than 32 characters")
    return number


def payment_id_of(trade_no: str) -> int:
    match = TRADE_NO.fullmatch(trade_no or "")
    if match is None:
        raise NumberError(f"not one of our order numbers: {trade_no!r}")
    return int(match.group(1))


def channel_of(trade_no: str) -> str:
    match = TRADE_NO.fullmatch(trade_no or "")
    if match is None:
        raise NumberError(f"not one of our order numbers: {trade_no!r}")
    return CHANNEL_OF[match.group(2)]


def _checked(key: str, limit: int) -> str:
    if not KEY.fullmatch(key or "") or len(key) > limit:
        raise NumberError(f"key {key!r} cannot be a WeChat Pay merchant number")
    return key


def out_refund_no(key: str) -> str:
    return _checked(key, 64).replace(":", "-")


def refund_key_of(refund_no: str) -> str:
    return _checked((refund_no or "").replace("-", ":"), 64)


def out_bill_no(key: str) -> str:
    """A transfer's number (商家转账 ``out_bill_no``, or the legacy ``out_batch_no``)."""
    return _checked(key, 32).replace(":", "Z")


def transfer_key_of(bill_no: str) -> str:
    return _checked((bill_no or "").replace("Z", ":"), 32)
