"""The gateway is the source of truth for "was it paid". A webhook can be lost (a worker
killed mid-delivery, the broker lost with deliveries in flight, a delivery refused as too
late); this sweep asks the gateway about every payment that still looks unpaid a while
after it was made, and applies the answer through the same idempotent path as the webhook
would have: a charge the gateway made is captured (and refunded if the job was cancelled
meanwhile), a decline is recorded. A delayed webhook and the sweep end in the same state."""

import logging
from datetime import timedelta

from django.utils import timezone

from core.errors import ApplicationError
from payments.gateways import ChargeState, GatewayError, PaymentInfo, gateway
from payments.models import Payment
from payments.services.payments import payment_captured, payment_failed

logger = logging.getLogger(__name__)

# Payments closed as failed (declined, or voided by a cancel) are asked about this long: a
# charge that still went through is refunded, never kept.
LOOK_BACK = timedelta(days=7)


def payments_reconcile(*, older_than_seconds: float = 60, newer_than_seconds: float | None = None, now=None) -> int:
    """Ask the gateway about payments still requiring payment (or closed as failed) made at
    least ``older_than_seconds`` and at most ``newer_than_seconds`` (default: LOOK_BACK) ago;
    apply what it says. Returns how many payments changed."""
    now = now or timezone.now()
    newer_than = LOOK_BACK if newer_than_seconds is None else timedelta(seconds=newer_than_seconds)
    candidates = Payment.objects.filter(
        status__in=[Payment.Status.REQUIRES_PAYMENT, Payment.Status.FAILED],
        created_at__lte=now - timedelta(seconds=older_than_seconds),
        created_at__gte=now - newer_than,
    ).order_by("id")
    changed = 0
    for payment in candidates:
        try:
            status = gateway().charge_status(PaymentInfo.of(payment))
            if status.state == ChargeState.PAID:
                payment_captured(payment_id=payment.id, provider_ref=status.reference)
            elif status.state == ChargeState.DECLINED and payment.status == Payment.Status.REQUIRES_PAYMENT:
                payment_failed(payment_id=payment.id, reason=status.reason)
            else:
                continue
        except (GatewayError, ApplicationError):
            logger.exception("reconciling payment %s failed; the next sweep tries again", payment.id)
            continue
        changed += 1
    return changed
