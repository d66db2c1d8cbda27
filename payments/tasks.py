"""Thin Celery entry points for money. Money tasks ack late and are re-delivered if a
worker dies mid-task; every service they call is idempotent, so a rerun is harmless. The
tasks the services send are filled into their slots here (``payments.work``)."""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from core.errors import ApplicationError
from payments import services, work
from payments.gateways import GatewayError, NotOffered
from payments.gateways.sandbox import delivery  # noqa: F401 - registers the sandbox gateway's own delivery task
from payments.services import settlement

logger = logging.getLogger(__name__)

MONEY_TASK = {
    "acks_late": True,
    "task_reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "max_retries": 8,
}


@work.webhook_process.fill
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
    if pending:  # its tick is quiet on the console (core.logfilters.QuietTicks); the work is news
        logger.info("webhook sweep: %s stored webhook(s) applied", len(pending))
    return len(pending)


@work.refund_execute.fill
@shared_task(**MONEY_TASK)
def refund_execute_task(refund_id: int) -> None:
    services.refund_execute(refund_id=refund_id)


@shared_task
def payments_reconcile_task(older_than_seconds: float | None = None, newer_than_seconds: float | None = None) -> int:
    """Beat: ask the gateway about payments whose webhook has not come. Every
    PAYMENT_RECONCILE_SECONDS those made in the last PAYMENT_RECONCILE_RECENT_SECONDS and at
    least PAYMENT_RECONCILE_SECONDS ago (where a lost webhook keeps a job from opening);
    every PAYMENT_RECONCILE_ALL_SECONDS the older ones (a week back)."""
    if older_than_seconds is None:
        older_than_seconds = settings.PAYMENT_RECONCILE_SECONDS
    changed = services.payments_reconcile(older_than_seconds=older_than_seconds, newer_than_seconds=newer_than_seconds)
    if changed:
        logger.info("payment reconciliation: %s payment(s) settled from the gateway's book", changed)
    return changed


@shared_task
def bill_reconcile_task(bill_date: str | None = None) -> int:
    """Beat, daily (WECHATPAY_BILL_HOUR): yesterday's trade bill against the ledger; returns
    how many differences were found (listed in the admin). A failed check is recorded (the
    admin shows it) and logged."""
    day = date.fromisoformat(bill_date) if bill_date else timezone.localdate() - timedelta(days=1)
    try:
        return len(services.bill_reconcile(bill_date=day))
    except NotOffered:
        return 0
    except GatewayError:
        logger.exception("the bill check of %s failed; see Bill checks in the admin", day)
        return -1


@shared_task
def gateway_keys_refresh_task() -> int:
    """Beat (WECHATPAY_CERTIFICATES_REFRESH_HOURS): fetch the gateway's platform keys again."""
    try:
        return len(services.gateway_keys_refresh())
    except GatewayError:
        logger.exception("the gateway's keys could not be refreshed; the next run tries again")
        return 0


@work.settlement_payout.fill
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
    re-drive refunds, payouts and transfers that have waited that long (their task or
    notification was lost; each step is idempotent)."""
    swept = 0
    if older_than_seconds is None:
        older_than_seconds = settings.MONEY_SWEEP_SECONDS  # what waited a whole sweep period is stuck
    work_items = [
        (services.refund_execute, {"refund_id": i})
        for i in services.refunds_stuck(older_than_minutes=older_than_seconds / 60)
    ]
    work_items += [
        (settlement.settlement_payout, {"batch_id": i})
        for i in settlement.settlements_stuck(older_than_seconds=older_than_seconds)
    ]
    work_items += [
        (settlement.payout_reconcile, {"line_id": i})
        for i in settlement.payouts_stuck(older_than_seconds=older_than_seconds)
    ]
    for call, kwargs in work_items:
        try:
            call(**kwargs)
            swept += 1
        except (GatewayError, ApplicationError, OperationalError):
            logger.exception("money sweep: %s(%s) failed; next sweep tries again", call.__name__, kwargs)
    if swept:
        logger.info("money sweep: %s refund(s), batch(es) or transfer(s) re-driven", swept)
    return swept
