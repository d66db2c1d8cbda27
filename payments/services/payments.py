"""Writes for an SME's payment of a job: created with the job, captured into escrow,
released to the factory on accepted work, refunded on cancel or expiry. Every movement is a
ledger transaction whose key says what it is (``payments.chart`` lists the flows), so a
retried task, a replayed webhook or a repeated request moves money once.

Payments knows jobs by id only. A capture reaches the job's owner through the
``job_payment_captured`` seam, whose handler (in orders) takes the job's lock first and
then calls ``payment_capture_book`` here: the lock order stays job, then payment.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFoundError
from core.transitions import lock
from payments import chart, ledger, seams
from payments.models import Payment
from payments.services.moves import payment_move
from payments.services.refunds import refund_create
from payments.transitions import PAYMENT


def payment_create(*, job_id: int, sme_id: int, amount_fen: int, currency: str) -> Payment:
    """The SME's payment of a job's total, awaiting the gateway (in the job's transaction)."""
    payment = Payment.objects.create(
        job_id=job_id, sme_id=sme_id, provider=settings.PAYMENT_PROVIDER, amount_fen=amount_fen, currency=currency
    )
    PAYMENT.record(payment, action="created", new=payment.status, data={"amount_fen": amount_fen})
    return payment


def payment_captured(*, payment_id: int, provider_ref: str = "") -> None:
    """The gateway says the money is in (webhook, or seed data). The job's owner books it
    through the seam, under the job's lock."""
    job_id = Payment.objects.filter(id=payment_id).values_list("job_id", flat=True).first()
    if job_id is None:
        raise NotFoundError(_("No such payment."))
    seams.job_payment_captured(job_id=job_id, payment_id=payment_id, provider_ref=provider_ref)


def payment_capture_book(*, payment_id: int, provider_ref: str = "") -> Payment:
    """Hold the captured money in escrow. Caller holds the job's lock (the seam's handler);
    a replay moves nothing. Returns the payment."""
    payment = lock(Payment, payment_id, message=_("No such payment."))
    if payment.status in PAYMENT.allowed[Payment.Status.SUCCEEDED]:
        payment.provider_ref = provider_ref or payment.provider_ref
        payment.succeeded_at = timezone.now()
        payment.failure_reason = ""
        payment_move(
            payment,
            Payment.Status.SUCCEEDED,
            action="captured",
            data={"provider_ref": payment.provider_ref},
            fields=["provider_ref", "succeeded_at", "failure_reason"],
        )
    ledger.ledger_post(
        key=f"payment:{payment.id}:captured",
        kind=chart.TxKind.PAYMENT_CAPTURED,
        legs=[
            (ledger.clearing_account(), -payment.amount_fen),
            (ledger.escrow_account(payment.job_id), payment.amount_fen),
        ],
        memo=f"payment {payment.id} for job {payment.job_id}",
        job_id=payment.job_id,
    )
    return payment


@transaction.atomic
def payment_failed(*, payment_id: int, reason: str = "declined") -> Payment:
    payment = lock(Payment, payment_id, message=_("No such payment."))
    if payment.status == Payment.Status.REQUIRES_PAYMENT:
        payment.failure_reason = reason[:200]
        payment_move(payment, Payment.Status.FAILED, reason=reason, fields=["failure_reason"])
    return payment


def payment_void(*, job_id: int, reason: str) -> Payment | None:
    """The job was cancelled before it was paid: its payment is closed (failed), so the pay
    link refuses it. Caller holds the job lock. Should the gateway have charged after all,
    the capture still arrives and is refunded (the job is cancelled)."""
    payment = Payment.objects.select_for_update().filter(job_id=job_id).first()
    if payment is not None and payment.status == Payment.Status.REQUIRES_PAYMENT:
        payment.failure_reason = reason[:200]
        payment_move(payment, Payment.Status.FAILED, action="voided", reason=reason, fields=["failure_reason"])
    return payment


def payment_refund_job_escrow(*, job_id: int, reason: str):
    """Refund whatever the job's escrow holds (cancel, expiry, late payment). Caller holds
    the job lock; the ledger movement commits with the job's own change. Returns the
    refund, or None when nothing is held."""
    payment = Payment.objects.filter(job_id=job_id).first()
    held = ledger.account_balance(chart.escrow(job_id))
    if payment is None or held <= 0:
        return None
    key = f"refund:job:{job_id}"
    ledger.ledger_post(
        key=key,
        kind=chart.TxKind.REFUND,
        legs=[(ledger.escrow_account(job_id), -held), (ledger.refunds_account(), held)],
        memo=f"job {job_id} {reason}",
        job_id=job_id,
    )
    return refund_create(payment=payment, key=key, amount_fen=held, reason=reason)


def commission_split(amount_fen: int, bps: int | None = None) -> tuple[int, int]:
    """(factory's share, commission): the commission rounds down, the factory gets the rest."""
    bps = settings.PLATFORM_COMMISSION_BPS if bps is None else bps
    commission = amount_fen * bps // 10000
    return amount_fen - commission, commission


def payment_release_share(
    *, assignment_id: int, job_id: int, factory_id: int, quantity: int, quantity_accepted: int, unit_price_fen: int
) -> None:
    """Move an accepted share's escrow: to the factory less commission, and back to the SME
    for the pieces not accepted. Caller holds the job lock."""
    share = quantity * unit_price_fen
    accepted = quantity_accepted * unit_price_fen
    to_factory, commission = commission_split(accepted)
    refund = share - accepted
    legs = [(ledger.escrow_account(job_id), -share)]
    if to_factory:
        legs.append((ledger.payable_account(factory_id), to_factory))
    if commission:
        legs.append((ledger.commission_account(), commission))
    if refund:
        legs.append((ledger.refunds_account(), refund))
    key = f"release:assignment:{assignment_id}"
    ledger.ledger_post(key=key, kind=chart.TxKind.RELEASE, legs=legs, memo=f"assignment {assignment_id}", job_id=job_id)
    if refund:
        refund_create(
            payment=Payment.objects.get(job_id=job_id),
            key=f"refund:assignment:{assignment_id}",
            amount_fen=refund,
            reason=f"{quantity - quantity_accepted} pieces not accepted",
        )
