"""Gateway webhooks: verified over the raw body, stored once per provider event id, and
applied after commit in a worker (a beat task picks up any whose task was lost)."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInputError, NotFoundError
from core.queue import send_after_commit
from core.transitions import lock
from payments.gateway import SIGNATURE_HEADER, gateway
from payments.models import Payment, WebhookEvent
from payments.services.payments import payment_captured, payment_failed
from payments.services.payouts import payout_confirmed
from payments.services.refunds import refund_gateway_failed, refund_gateway_succeeded


def webhook_receive(
    *, provider: str, raw_body: bytes, headers=None, signature: str | None = None
) -> tuple[WebhookEvent, bool]:
    """Verify (by the provider's own protocol: the adapter's ``webhook_verify`` over the raw
    body and the request's headers), store once, and process after commit. Returns (event,
    created)."""
    if provider != settings.PAYMENT_PROVIDER:
        raise NotFoundError(_("Unknown payment provider."))
    if headers is None:
        headers = {SIGNATURE_HEADER: signature}
    body = gateway().webhook_verify(raw_body, headers)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                provider=provider, event_id=body["id"][:100], event_type=body["type"][:50], payload=body
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider=provider, event_id=body["id"][:100]), False
    from payments.tasks import webhook_process_task  # tasks import these services; same app

    send_after_commit(webhook_process_task, event.id)
    return event, True


def _apply(event_type: str, data: dict) -> str:
    """Apply one event's effect; returns an error note for an event we do not act on."""
    if event_type == "payment.succeeded":
        payment_id = int(data["payment_id"])
        if "amount_fen" in data:
            # A gateway that says how much it took (WeChat Pay does): anything but the
            # payment's amount is not this payment, and is not booked.
            expected = Payment.objects.filter(id=payment_id).values_list("amount_fen", flat=True).first()
            if expected is not None and int(data["amount_fen"]) != expected:
                return f"amount {data['amount_fen']} fen is not the payment's {expected} fen: not captured"
        payment_captured(payment_id=payment_id, provider_ref=str(data.get("charge_id", "")))
    elif event_type == "payment.failed":
        payment_failed(payment_id=int(data["payment_id"]), reason=str(data.get("reason", "declined")))
    elif event_type in ("payout.paid", "payout.failed"):
        payout_confirmed(
            batch_id=int(data["batch_id"]),
            attempt=int(data["attempt"]),
            ok=event_type == "payout.paid",
            reference=str(data.get("ref", "")),
            reason=str(data.get("reason", "")),
        )
    elif event_type == "refund.succeeded":
        refund_gateway_succeeded(key=str(data["refund_key"]), reference=str(data.get("ref", "")))
    elif event_type == "refund.failed":
        refund_gateway_failed(key=str(data["refund_key"]), reason=str(data.get("reason", "refused")))
    else:
        return f"ignored event type {event_type}"
    return ""


@transaction.atomic
def webhook_process(*, event_id: int) -> WebhookEvent:
    """Apply one stored event; a processed event is left alone (replays have no effect)."""
    event = lock(WebhookEvent, event_id, message=_("No such webhook event."))
    if event.processed_at is not None:
        return event
    try:
        event.error = _apply(event.event_type, event.payload.get("data") or {})
    except (KeyError, TypeError, ValueError, InvalidInputError, NotFoundError) as exc:
        event.error = f"unusable event: {exc}"[:500]
    event.processed_at = timezone.now()
    event.save(update_fields=["error", "processed_at"])
    return event


def webhook_events_pending(*, older_than_seconds: int = 30):
    """Stored events not yet processed a while after arrival (their task was lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff).values_list("id", flat=True)
