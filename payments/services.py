"""Writes for money: payments, webhooks, refunds, releases. Every movement is a ledger
transaction whose key says what it is, so a retried task, a replayed webhook or a repeated
request moves money once.

Money flows (accounts in payments.ledger):
- payment captured:     gateway clearing -> escrow:job
- assignment completed: escrow:job -> payable:factory (accepted pieces less commission)
                                   -> commission revenue (commission, rounded down)
                                   -> sme refunds (pieces not accepted)
- cancel / expiry:      escrow:job -> sme refunds (whatever is held)
- refund sent:          sme refunds -> gateway clearing
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ConflictError, InvalidInputError, NotFoundError
from payments import ledger
from payments.gateway import GatewayError, gateway
from payments.models import Payment, Refund, WebhookEvent

logger = logging.getLogger(__name__)


def payment_create_for_job(*, job) -> Payment:
    """The SME's payment of the job total, awaiting the gateway."""
    return Payment.objects.create(
        job=job,
        sme_id=job.sme_id,
        provider=settings.PAYMENT_PROVIDER,
        amount_fen=job.total_fen,
        currency=job.currency,
    )


def _lock_payment(payment_id) -> Payment:
    payment = Payment.objects.select_for_update().filter(id=payment_id).first()
    if payment is None:
        raise NotFoundError("No such payment.")
    return payment


@transaction.atomic
def payment_captured(*, payment_id: int, provider_ref: str = "") -> Payment:
    """The gateway says the money is in: hold it in escrow and open the job.

    Lock order as everywhere: the job first (through job_mark_paid's own lock), then the
    payment. A capture that arrives after the job was cancelled or expired is refunded.
    """
    from orders import services as order_services  # orders calls payments; import at call time

    job_id = Payment.objects.filter(id=payment_id).values_list("job_id", flat=True).first()
    if job_id is None:
        raise NotFoundError("No such payment.")
    job = order_services.job_lock(job_id)
    payment = _lock_payment(payment_id)
    if payment.status in (Payment.Status.REQUIRES_PAYMENT, Payment.Status.FAILED):
        payment.status = Payment.Status.SUCCEEDED
        payment.provider_ref = provider_ref or payment.provider_ref
        payment.succeeded_at = timezone.now()
        payment.failure_reason = ""
        payment.save()
    ledger.ledger_post(
        key=f"payment:{payment.id}:captured",
        kind="payment_captured",
        legs=[(ledger.clearing_account(), -payment.amount_fen), (ledger.escrow_account(job.id), payment.amount_fen)],
        memo=f"payment {payment.id} for job {job.id}",
        job_id=job.id,
    )
    if job.status == job.Status.AWAITING_PAYMENT:
        order_services.job_mark_paid(job_id=job.id, data={"payment_id": payment.id})
    elif job.status in (job.Status.CANCELLED, job.Status.EXPIRED):
        payment_refund_job_escrow(job=job, reason=f"paid after {job.status}")
    return payment


@transaction.atomic
def payment_failed(*, payment_id: int, reason: str = "declined") -> Payment:
    payment = _lock_payment(payment_id)
    if payment.status == Payment.Status.REQUIRES_PAYMENT:
        payment.status = Payment.Status.FAILED
        payment.failure_reason = reason[:200]
        payment.save()
    return payment


def _refund_create(*, payment: Payment, key: str, amount_fen: int, reason: str) -> Refund:
    refund, created = Refund.objects.get_or_create(
        key=key, defaults={"payment": payment, "amount_fen": amount_fen, "reason": reason[:200]}
    )
    if created:
        from payments.tasks import refund_execute_task

        transaction.on_commit(lambda: refund_execute_task.delay(refund.id))
    return refund


def payment_refund_job_escrow(*, job, reason: str) -> Refund | None:
    """Refund whatever the job's escrow holds (cancel, expiry, late payment). Caller holds
    the job lock; the ledger movement commits with the job's own change."""
    payment = Payment.objects.filter(job_id=job.id).first()
    held = ledger.account_balance(f"escrow:job:{job.id}")
    if payment is None or held <= 0:
        return None
    key = f"refund:job:{job.id}"
    ledger.ledger_post(
        key=key,
        kind="refund",
        legs=[(ledger.escrow_account(job.id), -held), (ledger.refunds_account(), held)],
        memo=f"job {job.id} {reason}",
        job_id=job.id,
    )
    return _refund_create(payment=payment, key=key, amount_fen=held, reason=reason)


def commission_split(amount_fen: int, bps: int | None = None) -> tuple[int, int]:
    """(factory's share, commission): the commission rounds down, the factory gets the rest."""
    bps = settings.PLATFORM_COMMISSION_BPS if bps is None else bps
    commission = amount_fen * bps // 10000
    return amount_fen - commission, commission


def payment_release_assignment(*, assignment) -> None:
    """Move an accepted assignment's escrow: to the factory less commission, and back to
    the SME for the pieces not accepted. Caller holds the job lock."""
    share = assignment.quantity * assignment.unit_price_fen
    accepted = (assignment.quantity_accepted or 0) * assignment.unit_price_fen
    to_factory, commission = commission_split(accepted)
    refund = share - accepted
    legs = [(ledger.escrow_account(assignment.job_id), -share)]
    if to_factory:
        legs.append((ledger.payable_account(assignment.factory_id), to_factory))
    if commission:
        legs.append((ledger.commission_account(), commission))
    if refund:
        legs.append((ledger.refunds_account(), refund))
    key = f"release:assignment:{assignment.id}"
    ledger.ledger_post(key=key, kind="release", legs=legs, memo=f"assignment {assignment.id}", job_id=assignment.job_id)
    if refund:
        payment = Payment.objects.get(job_id=assignment.job_id)
        _refund_create(
            payment=payment,
            key=f"refund:assignment:{assignment.id}",
            amount_fen=refund,
            reason=f"{assignment.quantity - (assignment.quantity_accepted or 0)} pieces not accepted",
        )


def refund_execute(*, refund_id: int) -> Refund:
    """Send a pending refund through the gateway, then book it out of SME refunds.

    The gateway call is idempotent by the refund's key, so a task that crashed after the
    call and runs again gets the same gateway reference and books the refund once.
    """
    refund = Refund.objects.select_related("payment").filter(id=refund_id).first()
    if refund is None:
        raise NotFoundError("No such refund.")
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    try:
        result = gateway().refund(payment=refund.payment, amount_fen=refund.amount_fen, key=refund.key)
    except GatewayError as exc:
        if exc.transient:
            raise
        Refund.objects.filter(id=refund.id, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, failure_reason=str(exc)[:200]
        )
        refund.refresh_from_db()
        return refund
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(id=refund.id)
        if refund.status == Refund.Status.SUCCEEDED:
            return refund
        ledger.ledger_post(
            key=f"{refund.key}:sent",
            kind="refund_sent",
            legs=[(ledger.refunds_account(), -refund.amount_fen), (ledger.clearing_account(), refund.amount_fen)],
            memo=f"gateway {result.reference}",
            job_id=refund.payment.job_id,
        )
        refund.status = Refund.Status.SUCCEEDED
        refund.provider_ref = result.reference
        refund.completed_at = timezone.now()
        refund.save()
        payment = _lock_payment(refund.payment_id)
        payment.refunded_fen += refund.amount_fen
        payment.status = (
            Payment.Status.REFUNDED if payment.refunded_fen >= payment.amount_fen else Payment.Status.PARTIALLY_REFUNDED
        )
        payment.save()
    return refund


@transaction.atomic
def refund_retry(*, refund_id: int) -> Refund:
    """An admin sends a failed refund again."""
    refund = Refund.objects.select_for_update().filter(id=refund_id).first()
    if refund is None:
        raise NotFoundError("No such refund.")
    if refund.status != Refund.Status.FAILED:
        raise ConflictError("Only a failed refund can be retried.", code="refund_not_failed")
    refund.status = Refund.Status.PENDING
    refund.failure_reason = ""
    refund.save()
    from payments.tasks import refund_execute_task

    transaction.on_commit(lambda: refund_execute_task.delay(refund.id))
    return refund


# --- webhooks --------------------------------------------------------------------------


def webhook_receive(*, provider: str, raw_body: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Verify, store once, and process after commit. Returns (event, created)."""
    from payments.gateway import webhook_verify

    if provider != settings.PAYMENT_PROVIDER:
        raise NotFoundError("Unknown payment provider.")
    body = webhook_verify(raw_body, signature)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                provider=provider, event_id=body["id"][:100], event_type=body["type"][:50], payload=body
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider=provider, event_id=body["id"][:100]), False
    from payments.tasks import webhook_process_task

    transaction.on_commit(lambda: webhook_process_task.delay(event.id))
    return event, True


@transaction.atomic
def webhook_process(*, event_id: int) -> WebhookEvent:
    """Apply one stored event; a processed event is left alone (replays have no effect)."""
    event = WebhookEvent.objects.select_for_update().filter(id=event_id).first()
    if event is None:
        raise NotFoundError("No such webhook event.")
    if event.processed_at is not None:
        return event
    data = event.payload.get("data") or {}
    try:
        if event.event_type == "payment.succeeded":
            payment_captured(payment_id=int(data["payment_id"]), provider_ref=str(data.get("charge_id", "")))
        elif event.event_type == "payment.failed":
            payment_failed(payment_id=int(data["payment_id"]), reason=str(data.get("reason", "declined")))
        elif event.event_type in ("payout.paid", "payout.failed"):
            from payments.settlement import payout_confirmed

            payout_confirmed(
                batch_id=int(data["batch_id"]),
                attempt=int(data["attempt"]),
                ok=event.event_type == "payout.paid",
                reference=str(data.get("ref", "")),
                reason=str(data.get("reason", "")),
            )
        else:
            event.error = f"ignored event type {event.event_type}"
    except (KeyError, TypeError, ValueError, InvalidInputError, NotFoundError) as exc:
        event.error = f"unusable event: {exc}"[:500]
    event.processed_at = timezone.now()
    event.save()
    return event


def webhook_events_pending(*, older_than_seconds: int = 30):
    """Stored events not yet processed a while after arrival (their task was lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff).values_list("id", flat=True)


# --- the sandbox gateway's pay page ------------------------------------------------------


@transaction.atomic
def sandbox_pay(*, payment_id: int, fail: bool = False, copies: int = 1, delay_seconds: int = 0) -> dict:
    """Stand in for the gateway's pay page: charge (or decline), then send the signed
    webhook from a task after commit. The platform's own Payment changes only when that
    webhook arrives, exactly as with a real gateway."""
    from payments.gateway import SandboxGateway
    from payments.tasks import sandbox_send

    if settings.PAYMENT_PROVIDER != "sandbox":
        raise NotFoundError("The sandbox gateway is not enabled.")
    payment = Payment.objects.filter(id=payment_id).first()
    if payment is None:
        raise NotFoundError("No such payment.")
    if payment.status not in (Payment.Status.REQUIRES_PAYMENT, Payment.Status.FAILED):
        raise ConflictError(f"This payment is {payment.status}.", code="payment_not_payable")
    if fail:
        data, event_type = {"payment_id": payment.id, "reason": "declined by the sandbox"}, "payment.failed"
    else:
        charge = SandboxGateway().charge(payment=payment, key=f"charge:{payment.id}")
        data, event_type = {"payment_id": payment.id, "charge_id": charge.reference}, "payment.succeeded"
    transaction.on_commit(lambda: sandbox_send(event_type, data, copies=copies, delay_seconds=delay_seconds))
    return {
        "payment_id": payment.id,
        "result": "declined" if fail else "paid",
        "webhook": event_type,
        "copies": copies,
        "delay_seconds": delay_seconds,
    }


def refunds_stuck(*, older_than_minutes: int = 5):
    """Refunds still pending a while after they were created: their task may have been lost."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=cutoff).values_list("id", flat=True)
