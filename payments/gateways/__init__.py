"""Payment gateways: the typed interface (``interface``) and one package per provider.

``gateway()`` is the configured provider (``PAYMENT_PROVIDER``, looked up by name in
``settings.PAYMENT_GATEWAYS``, a dotted path per provider): the only way the rest of the
app reaches one. A provider's own pages and book-keeping ask ``active(TheirClass)`` to know
whether they are the one in use.
"""

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.errors import NotFoundError
from payments.gateways.interface import (
    BillRow,
    Channel,
    ChargeState,
    ChargeStatus,
    Checkout,
    Confirmation,
    Gateway,
    GatewayError,
    Message,
    NotOffered,
    Payee,
    PaymentFailed,
    PaymentInfo,
    PaymentSucceeded,
    RefundFailed,
    RefundRequest,
    RefundResult,
    RefundSucceeded,
    TransferChanged,
    TransferRequest,
    TransferState,
    TransferStatus,
    Unhandled,
    WebhookSignatureError,
    message_from_payload,
)

__all__ = [
    "BillRow",
    "ChargeState",
    "ChargeStatus",
    "Channel",
    "Checkout",
    "Confirmation",
    "Gateway",
    "GatewayError",
    "Message",
    "NotOffered",
    "Payee",
    "PaymentFailed",
    "PaymentInfo",
    "PaymentSucceeded",
    "RefundFailed",
    "RefundRequest",
    "RefundResult",
    "RefundSucceeded",
    "TransferChanged",
    "TransferRequest",
    "TransferState",
    "TransferStatus",
    "Unhandled",
    "WebhookSignatureError",
    "active",
    "gateway",
    "message_from_payload",
]


def gateway_class(name: str | None = None) -> type:
    name = settings.PAYMENT_PROVIDER if name is None else name
    path = settings.PAYMENT_GATEWAYS.get(name)
    if path is None:
        raise GatewayError(f"unknown PAYMENT_PROVIDER {name!r}")
    return import_string(path)


def gateway() -> Gateway:
    """The configured gateway (a new adapter object: cheap, its clients are cached)."""
    return gateway_class()()


def active(cls: type):
    """The configured gateway if it is a ``cls``; otherwise 404 (its pages do not exist)."""
    if gateway_class() is not cls:
        raise NotFoundError(_("This payment gateway is not enabled."))
    return cls()
