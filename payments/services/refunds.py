"""Refunds: money owed back to an SME (already moved to ``sme_refunds`` in the ledger)
going out through the gateway. Each refund has a key naming what it refunds; the gateway
call carries it, so a task rerun after a crash refunds once."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFoundError
from core.transitions import lock
from payments import chart, ledger, work
from payments.gateways import GatewayError, PaymentInfo, RefundRequest, gateway
from payments.models import Payment, Refund
from payments.services.moves import payment_move
from payments.transitions import PAYMENT, REFUND

logger = logging.getLogger(__name__)


def _execute_after_commit(refund_id: int) -> None:
    work.refund_execute.send_after_commit(refund_id)


def refund_create(*, payment: Payment, key: str, amount_fen: int, reason: str) -> Refund:
    """Owe ``amount_fen`` back on ``payment`` (once per key); it is sent after commit."""
    refund, created = Refund.objects.get_or_create(
        key=key, defaults={"payment": payment, "amount_fen": amount_fen, "reason": reason[:200]}
    )
    if created:
        REFUND.record(refund, action="refund_owed", new=refund.status, reason=reason, data={"amount_fen": amount_fen})
        _execute_after_commit(refund.id)
    return refund


def refund_execute(*, refund_id: int) -> Refund:
    """Send a pending refund through the gateway, then book it out of SME refunds.

    The gateway call is idempotent by the refund's key, so a task that crashed after the
    call and runs again gets the same gateway reference and books the refund once.
    """
    refund = Refund.objects.select_related("payment").filter(id=refund_id).first()
    if refund is None:
        raise NotFoundError(_("No such refund."))
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    try:
        result = gateway().refund(
            RefundRequest(key=refund.key, payment=PaymentInfo.of(refund.payment), amount_fen=refund.amount_fen)
        )
    except GatewayError as exc:
        if exc.transient:
            raise
        return _refund_refused(refund_id=refund.id, reason=str(exc))
    return _refund_book_sent(refund_id=refund.id, reference=result.reference)


@transaction.atomic
def _refund_refused(*, refund_id: int, reason: str) -> Refund:
    refund = lock(Refund, refund_id, message=_("No such refund."))
    if refund.status == Refund.Status.PENDING:
        refund.failure_reason = reason[:200]
        REFUND.move(refund, Refund.Status.FAILED, reason=reason, fields=["failure_reason"])
    return refund


@transaction.atomic
def _refund_book_sent(*, refund_id: int, reference: str) -> Refund:
    """The gateway sent it: SME refunds -> clearing, and the payment's refunded total grows.
    Lock order: refund, then payment (nothing takes them the other way round)."""
    refund = lock(Refund, refund_id, message=_("No such refund."))
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    ledger.ledger_post(
        key=f"{refund.key}:sent",
        kind=chart.TxKind.REFUND_SENT,
        legs=[(ledger.refunds_account(), -refund.amount_fen), (ledger.clearing_account(), refund.amount_fen)],
        memo=f"gateway {reference}",
        job_id=refund.payment.job_id,
    )
    refund.provider_ref = reference
    refund.completed_at = timezone.now()
    REFUND.move(
        refund,
        Refund.Status.SUCCEEDED,
        action="refund_sent",
        data={"reference": reference},
        fields=["provider_ref", "completed_at"],
    )
    payment = lock(Payment, refund.payment_id)
    payment.refunded_fen += refund.amount_fen
    to = Payment.Status.REFUNDED if payment.refunded_fen >= payment.amount_fen else Payment.Status.PARTIALLY_REFUNDED
    data = {"refund_id": refund.id, "refunded_fen": payment.refunded_fen}
    if not payment_move(payment, to, action="refunded", data=data, fields=["refunded_fen"]):
        # Already partially refunded: no status change, but the total still moves.
        payment.save(update_fields=["refunded_fen", "updated_at"])
        PAYMENT.record(payment, action="refunded", old=to, new=to, data=data)
    return refund


def _refund_by_key(key: str) -> Refund:
    refund = Refund.objects.filter(key=key).first()
    if refund is None:
        raise NotFoundError(_("No refund %(key)s.") % {"key": key})
    return refund


def refund_gateway_succeeded(*, key: str, reference: str) -> Refund:
    """The gateway's news that a refund reached the SME (WeChat Pay's REFUND.SUCCESS). A
    refund our task already booked is left alone; one whose task died after the gateway
    call is booked now, once."""
    return _refund_book_sent(refund_id=_refund_by_key(key).id, reference=reference)


@transaction.atomic
def refund_gateway_failed(*, key: str, reason: str) -> Refund:
    """The gateway could not pay a refund out (REFUND.ABNORMAL, REFUND.CLOSED). A pending one
    fails and stays owed in SME refunds for an admin to send again. One already booked as
    sent is money WeChat Pay still holds for the SME: the payment's trail says so and an
    admin settles it at WeChat Pay (its abnormal-refund procedure); nothing is booked twice."""
    refund = lock(Refund, _refund_by_key(key).id, message=_("No such refund."))
    if refund.status == Refund.Status.PENDING:
        refund.failure_reason = reason[:200]
        REFUND.move(refund, Refund.Status.FAILED, reason=reason, fields=["failure_reason"])
    elif refund.status == Refund.Status.SUCCEEDED:
        logger.error("refund %s was booked as sent but the gateway reports: %s", refund.key, reason)
        REFUND.record(refund, action="refund_abnormal", old=refund.status, new=refund.status, reason=reason)
    return refund


@transaction.atomic
def refund_retry(*, refund_id: int, admin=None) -> Refund:
    """An admin sends a failed refund again."""
    refund = lock(Refund, refund_id, message=_("No such refund."))
    if refund.status != Refund.Status.FAILED:
        raise REFUND.conflict(refund.status, [Refund.Status.FAILED], _("Only a failed refund can be retried."))
    refund.failure_reason = ""
    REFUND.move(refund, Refund.Status.PENDING, actor=admin, action="retried", fields=["failure_reason"])
    _execute_after_commit(refund.id)
    return refund


def refunds_stuck(*, older_than_minutes: int = 5):
    """Refunds still pending a while after they were created: their task may have been lost."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=cutoff).values_list("id", flat=True)
