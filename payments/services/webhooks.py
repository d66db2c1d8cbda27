"""Gateway callbacks: verified over the raw body by the configured gateway
(``Gateway.verify_webhook``), stored once per provider message id, and applied after commit
in a worker (a beat task picks up any whose task was lost). What is stored is the platform's
own message (``payments.gateways.interface.Message.payload()``), never the provider's wire
format."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInputError, NotFoundError
from core.transitions import lock
from payments import work
from payments.gateways import (
    Message,
    PaymentFailed,
    PaymentSucceeded,
    RefundFailed,
    RefundSucceeded,
    TransferChanged,
    gateway,
    message_from_payload,
)
from payments.models import GatewayMessage, Payment
from payments.services.payments import payment_captured, payment_failed
from payments.services.payouts import payout_transfer_changed
from payments.services.refunds import refund_gateway_failed, refund_gateway_succeeded


def webhook_receive(*, provider: str, raw_body: bytes, headers) -> tuple[GatewayMessage, bool]:
    """Verify (by the provider's own protocol, over the raw body and the request's
    headers), store once, and process after commit. Returns (event, created)."""
    if provider != settings.PAYMENT_PROVIDER:
        raise NotFoundError(_("Unknown payment provider."))
    message = gateway().verify_webhook(raw_body, headers)
    payload = message.payload()
    try:
        with transaction.atomic():
            event = GatewayMessage.objects.create(
                provider=provider, event_id=message.id[:100], event_type=message.type[:50], payload=payload
            )
    except IntegrityError:
        return GatewayMessage.objects.get(provider=provider, event_id=message.id[:100]), False
    work.webhook_process.send_after_commit(event.id)
    return event, True


def _captured(message: PaymentSucceeded) -> str:
    payment = Payment.objects.filter(id=message.payment_id).first()
    if payment is None:
        raise NotFoundError(_("No such payment."))
    # A gateway that says what it took (WeChat Pay does): anything but the payment's amount
    # in the payment's currency is not this payment, and is not booked.
    if message.amount_fen is not None and message.amount_fen != payment.amount_fen:
        return f"amount {message.amount_fen} fen is not the payment's {payment.amount_fen} fen: not captured"
    if message.currency is not None and message.currency != payment.currency:
        return f"currency {message.currency!r} is not the payment's {payment.currency}: not captured"
    payment_captured(payment_id=payment.id, provider_ref=message.reference)
    return ""


def _apply(message: Message) -> str:
    """Apply one message's effect; returns an error note for a message we do not act on."""
    if isinstance(message, PaymentSucceeded):
        return _captured(message)
    if isinstance(message, PaymentFailed):
        payment_failed(payment_id=message.payment_id, reason=message.reason or "declined")
    elif isinstance(message, TransferChanged):
        payout_transfer_changed(
            key=message.key, state=message.state, reference=message.reference, reason=message.reason
        )
    elif isinstance(message, RefundSucceeded):
        refund_gateway_succeeded(key=message.key, reference=message.reference)
    elif isinstance(message, RefundFailed):
        refund_gateway_failed(key=message.key, reason=message.reason or "refused")
    else:
        return f"ignored message {message.type} {getattr(message, 'kind', '')}".strip()
    return ""


@transaction.atomic
def webhook_process(*, event_id: int) -> GatewayMessage:
    """Apply one stored event; a processed event is left alone (replays have no effect)."""
    event = lock(GatewayMessage, event_id, message=_("No such webhook event."))
    if event.processed_at is not None:
        return event
    try:
        event.error = _apply(message_from_payload(event.payload))
    except (KeyError, TypeError, ValueError, InvalidInputError, NotFoundError) as exc:
        event.error = f"unusable event: {exc}"[:500]
    event.processed_at = timezone.now()
    event.save(update_fields=["error", "processed_at"])
    return event


def webhook_events_pending(*, older_than_seconds: int = 30):
    """Stored events not yet processed a while after arrival (their task was lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return GatewayMessage.objects.filter(processed_at__isnull=True, received_at__lt=cutoff).values_list("id", flat=True)
