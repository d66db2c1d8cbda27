"""Thin Celery entry points for money. Money tasks ack late and are re-delivered if a
worker dies mid-task; every service they call is idempotent, so a rerun is harmless."""

import logging
import urllib.error
import urllib.request
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from core.errors import ApplicationError
from payments import services
from payments.gateway import GatewayError, SandboxGateway
from payments.services import settlement

logger = logging.getLogger(__name__)

MONEY_TASK = {
    "acks_late": True,
    "task_reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "max_retries": 8,
}


@shared_task(**MONEY_TASK)
def webhook_process_task(event_id: int) -> None:
    services.webhook_process(event_id=event_id)


@shared_task
def webhook_events_process_pending_task() -> int:
    """Beat: process events whose task was lost (the stored event is the truth)."""
    pending = list(services.webhook_events_pending())
    for event_id in pending:
        services.webhook_process(event_id=event_id)
    return len(pending)


@shared_task(**MONEY_TASK)
def refund_execute_task(refund_id: int) -> None:
    services.refund_execute(refund_id=refund_id)


class WebhookDeliveryError(ConnectionError):
    """Our endpoint did not take the webhook (down or 5xx): the gateway tries again."""


@shared_task(
    autoretry_for=(WebhookDeliveryError, urllib.error.URLError, OSError),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=10,
    acks_late=True,
)
def sandbox_webhook_deliver_task(event_type: str, data: dict, event_id: str) -> int:
    """The sandbox gateway calling our webhook over HTTP, as a real gateway would: each
    attempt is signed as it is sent. A refused delivery is not the end of a payment: the
    reconciliation sweep asks the gateway's book (payments.services.reconcile)."""
    body, signature = SandboxGateway().event(event_type, data, event_id=event_id)
    body = body.decode()
    url = settings.PAYMENT_WEBHOOK_BASE_URL.rstrip("/") + f"/api/v1/payments/webhooks/{settings.PAYMENT_PROVIDER}"
    request = urllib.request.Request(  # noqa: S310 - the URL is our own configured endpoint
        url,
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise WebhookDeliveryError(f"webhook endpoint answered {exc.code}") from exc
        return exc.code  # a 4xx is final: a real gateway would stop and alert too


@shared_task
def payments_reconcile_task() -> int:
    """Beat: ask the gateway about payments whose webhook has not come (PAYMENT_RECONCILE_SECONDS)."""
    return services.payments_reconcile(older_than_seconds=settings.PAYMENT_RECONCILE_SECONDS)


@shared_task
def bill_reconcile_task(bill_date: str | None = None) -> int:
    """Beat, daily (WECHATPAY_BILL_HOUR): yesterday's trade bill against the ledger; returns
    how many differences were found (listed in the admin)."""
    day = date.fromisoformat(bill_date) if bill_date else timezone.localdate() - timedelta(days=1)
    return len(services.bill_reconcile(bill_date=day))


@shared_task(**MONEY_TASK)
def settlement_payout_task(batch_id: int) -> None:
    settlement.settlement_payout(batch_id=batch_id)


@shared_task
def settlement_build_task() -> int:
    """Beat, daily at SETTLEMENT_HOUR: build the batches due (as the system)."""
    return len(settlement.settlement_build())


@shared_task
def money_sweep_task() -> int:
    """Beat: re-drive refunds and payouts whose task was lost (each step is idempotent)."""
    swept = 0
    minutes = settings.MONEY_SWEEP_SECONDS / 60  # what waited a whole sweep period is stuck
    work = [(services.refund_execute, {"refund_id": i}) for i in services.refunds_stuck(older_than_minutes=minutes)]
    work += [
        (settlement.settlement_reconcile, {"batch_id": i})
        for i in settlement.settlements_stuck(older_than_minutes=minutes)
    ]
    for call, kwargs in work:
        try:
            call(**kwargs)
            swept += 1
        except (GatewayError, ApplicationError, OperationalError):
            logger.exception("money sweep: %s(%s) failed; next sweep tries again", call.__name__, kwargs)
    return swept
