"""What the platform asks of a payment gateway and what it gets back, as typed values.

One implementation per provider, each in its own package (``payments.gateways.sandbox``,
``payments.gateways.wechatpay``), chosen by ``PAYMENT_PROVIDER`` through
``settings.PAYMENT_GATEWAYS``. The services call ``payments.gateways.gateway()`` and use only
what this module declares: they never ask which provider is configured. A provider that
does not offer something (a channel, a daily bill) says so with ``NotOffered``.

Amounts are fen everywhere. Every movement a request asks for carries our idempotency key
(``RefundRequest.key``, ``TransferRequest.key``): asking again with the same key names the
same movement, which the provider makes once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from core.errors import ApplicationError


class GatewayError(Exception):
    """A gateway call failed; ``transient`` failures are retried, the rest are final."""

    def __init__(self, message, *, transient=False):
        super().__init__(message)
        self.transient = transient


class NotOffered(GatewayError):
    """The configured gateway does not offer this (a channel, a bill, a cancel)."""


class WebhookSignatureError(ApplicationError):
    """A callback that is not the provider's, or not usable: refused with a 4xx."""

    code = "invalid_signature"


# --- charges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentInfo:
    """What a gateway knows of one of our payments."""

    id: int
    job_id: int
    amount_fen: int
    currency: str
    reference: str = ""  # the gateway's charge reference, once captured

    @classmethod
    def of(cls, payment) -> PaymentInfo:
        return cls(
            id=payment.id,
            job_id=payment.job_id,
            amount_fen=int(payment.amount_fen),
            currency=payment.currency,
            reference=payment.provider_ref,
        )


class Channel(StrEnum):
    """Where an SME pays: the gateway's own page (a link), a QR code scanned in WeChat
    (Native), the SME app's WeChat SDK (App), or a page inside WeChat (JSAPI)."""

    LINK = "link"
    NATIVE = "native"
    APP = "app"
    JSAPI = "jsapi"


@dataclass(frozen=True)
class Checkout:
    """How the payer pays: ``url`` (a page, or a QR code's content) or ``params`` (what an
    app's SDK needs), valid until ``expires_at`` (None: as long as the payment is open)."""

    channel: Channel
    url: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


class ChargeState(StrEnum):
    PAID = "paid"
    DECLINED = "declined"
    UNKNOWN = "unknown"  # nobody has paid yet, or the gateway has no order for it


@dataclass(frozen=True)
class ChargeStatus:
    state: ChargeState
    reference: str = ""  # the charge's reference when paid
    reason: str = ""  # why, when declined


# --- refunds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundRequest:
    key: str
    payment: PaymentInfo
    amount_fen: int


@dataclass(frozen=True)
class RefundResult:
    reference: str
    replayed: bool = False  # the key was seen before: this is the earlier refund


# --- transfers to factories ------------------------------------------------------------------


@dataclass(frozen=True)
class Payee:
    """Where a factory is paid: its payee's account at the gateway (WeChat Pay: an openid
    under ``app_id``) and real name (required from ¥2,000 by WeChat Pay)."""

    account: str
    real_name: str = ""
    app_id: str = ""


@dataclass(frozen=True)
class TransferRequest:
    key: str
    factory_id: int
    amount_fen: int
    remark: str
    payee: Payee | None


class TransferState(StrEnum):
    PROCESSING = "processing"  # accepted, outcome not known yet
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # the payee must confirm in WeChat
    PAID = "paid"  # final: the money reached the payee
    RETURNED = "returned"  # final: refused, cancelled, failed or expired; nothing was paid
    UNKNOWN = "unknown"  # the gateway has no transfer under this key


@dataclass(frozen=True)
class Confirmation:
    """What the payee's WeChat needs to confirm a transfer (WeChat Pay's
    ``wx.requestMerchantTransfer`` / ``requestMerchantTransfer`` business view: mchId,
    appId, package), until ``confirm_by``."""

    package_info: str
    mch_id: str
    app_id: str
    confirm_by: datetime | None = None


@dataclass(frozen=True)
class TransferStatus:
    state: TransferState
    reference: str = ""
    reason: str = ""
    confirmation: Confirmation | None = None


# --- daily bill ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillRow:
    """A line of the gateway's daily bill: a payment or a refund, by the gateway's merchant
    number, and the ledger transaction it must match (``payment:<id>:captured``,
    ``<refund key>:sent``), or "" when the number is not one of ours."""

    kind: str  # "payment" or "refund"
    number: str  # out_trade_no or out_refund_no
    fen: int
    reference: str
    ledger_key: str = ""


# --- messages: verified callbacks ------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A verified callback, as the platform understands it. ``id`` is the provider's own
    id of the notification: the same news delivered again has the same id."""

    id: str

    type = "unhandled"

    def payload(self) -> dict:
        data = asdict(self)
        data.pop("id")
        return {"id": self.id, "type": self.type, "data": _jsonable(data)}


@dataclass(frozen=True)
class PaymentSucceeded(Message):
    payment_id: int
    reference: str
    amount_fen: int | None = None  # a gateway that says how much it took (WeChat Pay does)
    currency: str | None = None

    type = "payment.succeeded"


@dataclass(frozen=True)
class PaymentFailed(Message):
    payment_id: int
    reason: str = ""

    type = "payment.failed"


@dataclass(frozen=True)
class RefundSucceeded(Message):
    key: str
    reference: str = ""

    type = "refund.succeeded"


@dataclass(frozen=True)
class RefundFailed(Message):
    key: str
    reason: str = ""

    type = "refund.failed"


@dataclass(frozen=True)
class TransferChanged(Message):
    key: str
    state: TransferState
    reference: str = ""
    reason: str = ""

    type = "transfer.changed"


@dataclass(frozen=True)
class Unhandled(Message):
    """News the platform does not act on (stored, acknowledged, ignored)."""

    kind: str = ""
    summary: str = ""

    type = "unhandled"


MESSAGES: dict[str, type[Message]] = {
    cls.type: cls
    for cls in (PaymentSucceeded, PaymentFailed, RefundSucceeded, RefundFailed, TransferChanged, Unhandled)
}


def message_from_payload(payload: Mapping) -> Message:
    """The message a stored payload (``Message.payload()``) stands for; ValueError if none."""
    cls = MESSAGES.get(payload.get("type"))
    if cls is None:
        raise ValueError(f"unknown message type {payload.get('type')!r}")
    data = dict(payload.get("data") or {})
    if cls is TransferChanged:
        data["state"] = TransferState(data["state"])
    try:
        return cls(id=str(payload["id"]), **data)
    except TypeError as exc:
        raise ValueError(f"a {cls.type} message with other fields: {exc}") from None


def _jsonable(data: dict) -> dict:
    return {key: (str(value) if isinstance(value, StrEnum) else value) for key, value in data.items()}


# --- the gateway -----------------------------------------------------------------------------


@runtime_checkable
class Gateway(Protocol):
    """One payment provider. Calls raise ``GatewayError`` (``transient`` when worth retrying
    with the same key) or ``NotOffered``."""

    name: str
    real_money: bool  # False for a gateway that only pretends (the sandbox)

    def checkout(
        self, payment: PaymentInfo, *, channel: Channel | None = None, payer: str = "", request=None
    ) -> Checkout:
        """How to pay ``payment`` on ``channel`` (None: the gateway's default, whose ``url``
        is the job's ``pay_url``). ``payer`` is the payer's id where the channel needs it
        (JSAPI's openid). Asking again gives the same checkout while it is valid, and a
        fresh one for the same payment once it has expired; the payment is paid once."""

    def charge_status(self, payment: PaymentInfo) -> ChargeStatus:
        """What the gateway's book says of the payment (the truth for "was it paid")."""

    def refund(self, request: RefundRequest) -> RefundResult: ...

    def transfer(self, request: TransferRequest) -> TransferStatus:
        """Pay a factory; the outcome may come later (``transfer_status``, a message)."""

    def transfer_status(self, key: str) -> TransferStatus: ...

    def transfer_cancel(self, key: str) -> TransferStatus:
        """Take back a transfer the payee has not confirmed yet (``NotOffered`` if the
        gateway has no such step)."""

    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> Message:
        """The message of a callback whose signature checks out (``WebhookSignatureError``)."""

    def daily_bill(self, day: date) -> list[BillRow]:
        """The gateway's bill of ``day`` (``NotOffered`` if it has none)."""

    def keys_refresh(self) -> list[str]:
        """Fetch the gateway's signing keys again where it rotates them; the ids trusted."""
