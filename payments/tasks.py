"""Thin Celery entry points for money. Money tasks ack late and are re-delivered if a
worker dies mid-task; every service they call is idempotent, so a rerun is harmless."""

import logging
import time
import urllib.error
import urllib.request
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from core.errors import ApplicationError
from core.queue import send
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
def webhook_events_process_pending_task(older_than_seconds: float | None = None) -> int:
    """Beat (every WEBHOOK_SWEEP_SECONDS), and at worker start and broker reconnect with 0:
    process stored events still unprocessed that long after arrival (their task was lost;
    the stored event is the truth)."""
    if older_than_seconds is None:
        older_than_seconds = settings.WEBHOOK_SWEEP_SECONDS
    pending = list(services.webhook_events_pending(older_than_seconds=older_than_seconds))
    for event_id in pending:
        services.webhook_process(event_id=event_id)
    return len(pending)


@shared_task(**MONEY_TASK)
def refund_execute_task(refund_id: int) -> None:
    services.refund_execute(refund_id=refund_id)


# When the sandbox gateway calls again after a delivery that was not received (no 2xx, a
# refused connection or a timeout): WeChat Pay's schedule for its notifications, "15s/15s/
# 30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h - 总计 24h4m", and it stops only on a 2xx
# (API v3 支付通知, https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml).
# SANDBOX_NOTIFY_SCALE compresses it for tests (0.01: the first retries 0.15 s apart).
SANDBOX_NOTIFY_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
# A worker holds a countdown task as an unacknowledged message, which Redis hands to another
# worker after the visibility timeout (30 min): a longer wait is taken in hops of at most
# this, each a message of its own.
SANDBOX_NOTIFY_HOP_SECONDS = 600


@shared_task(acks_late=True)
def sandbox_webhook_deliver_task(
    event_type: str, data: dict, event_id: str, attempt: int = 0, due: float | None = None
) -> int | None:
    """The sandbox gateway calling our webhook over HTTP, as a real gateway would: each
    attempt is signed as it is sent; after one that was not received it calls again on
    WeChat Pay's schedule (``attempt`` retries made so far, the next one at ``due``, a Unix
    time) for about 24 hours. A delivery never received is not the end of a payment: the
    reconciliation sweep asks the gateway's book (payments.services.reconcile). Returns the
    endpoint's status, or None for no answer (or a hop towards the next attempt)."""
    if due is not None and due - time.time() > 0:
        _sandbox_notify_later(event_type, data, event_id, attempt, due)
        return None
    body, signature = SandboxGateway().event(event_type, data, event_id=event_id)
    url = settings.PAYMENT_WEBHOOK_BASE_URL.rstrip("/") + f"/api/v1/payments/webhooks/{settings.PAYMENT_PROVIDER}"
    request = urllib.request.Request(  # noqa: S310 - the URL is our own configured endpoint
        url, data=body, method="POST", headers={"Content-Type": "application/json", "X-Signature": signature}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:  # refused, reset, timed out: not received
        status = None
    if status is not None and 200 <= status < 300:
        return status
    if attempt >= len(SANDBOX_NOTIFY_SCHEDULE):
        logger.warning(
            "sandbox gateway: %s %s not received after %d attempts; no more", event_type, event_id, attempt + 1
        )
        return status
    wait = SANDBOX_NOTIFY_SCHEDULE[attempt] * settings.SANDBOX_NOTIFY_SCALE
    _sandbox_notify_later(event_type, data, event_id, attempt + 1, time.time() + wait)
    return status


def _sandbox_notify_later(event_type: str, data: dict, event_id: str, attempt: int, due: float) -> None:
    countdown = min(max(due - time.time(), 0.0), SANDBOX_NOTIFY_HOP_SECONDS)
    send(sandbox_webhook_deliver_task, event_type, data, event_id, attempt, due, countdown=countdown)


@shared_task
def payments_reconcile_task(older_than_seconds: float | None = None, newer_than_seconds: float | None = None) -> int:
    """Beat: ask the gateway about payments whose webhook has not come. Every
    PAYMENT_RECONCILE_SECONDS those made in the last PAYMENT_RECONCILE_RECENT_SECONDS and at
    least PAYMENT_RECONCILE_SECONDS ago (where a lost webhook keeps a job from opening);
    every PAYMENT_RECONCILE_ALL_SECONDS the older ones (a week back)."""
    if older_than_seconds is None:
        older_than_seconds = settings.PAYMENT_RECONCILE_SECONDS
    return services.payments_reconcile(older_than_seconds=older_than_seconds, newer_than_seconds=newer_than_seconds)


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
def money_sweep_task(older_than_seconds: float | None = None) -> int:
    """Beat (every MONEY_SWEEP_SECONDS), and at worker start and broker reconnect with 0:
    re-drive refunds and payouts that have waited that long (their task or webhook was
    lost; each step is idempotent)."""
    swept = 0
    if older_than_seconds is None:
        older_than_seconds = settings.MONEY_SWEEP_SECONDS  # what waited a whole sweep period is stuck
    minutes = older_than_seconds / 60
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
