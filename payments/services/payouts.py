"""Payouts of approved settlement batches: payable -> payouts in transit when the payout is
sent, in transit -> paid out when the gateway confirms, back to payable when it refuses.

Each movement's ledger key names the batch and the attempt, and the gateway call carries the
attempt's key, so a payout task that crashed after calling the gateway and runs again pays
once. News of money that really left is never dropped (``payout_confirmed``).
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError
from payments import chart, ledger
from payments.gateway import GatewayError, gateway
from payments.models import SettlementBatch
from payments.services.batches import attempt_key, batch_lock, payout_after_commit
from payments.transitions import SETTLEMENT

logger = logging.getLogger(__name__)
B = SettlementBatch.Status


@transaction.atomic
def _payout_start(*, batch_id: int) -> SettlementBatch | None:
    """approved -> paying, moving the money to payouts in transit. None if there is nothing to pay."""
    batch = batch_lock(batch_id)
    if batch.status == B.APPROVED:
        batch.payout_sends += 1
        ledger.ledger_post(
            key=f"{attempt_key(batch)}:sent:{batch.payout_sends}",
            kind=chart.TxKind.PAYOUT,
            legs=[
                (ledger.payable_account(batch.factory_id), -batch.total_fen),
                (ledger.in_transit_account(batch.factory_id), batch.total_fen),
            ],
            memo=f"settlement batch {batch.id}",
        )
        SETTLEMENT.move(
            batch,
            B.PAYING,
            action="payout_sent",
            data={"attempt": batch.payout_attempt, "send": batch.payout_sends},
            fields=["payout_sends"],
        )
    return batch if batch.status == B.PAYING else None


def _payout_call_gateway(batch: SettlementBatch):
    """Outside any transaction: the gateway is idempotent by the attempt's key."""
    return gateway().payout(
        company_id=batch.factory_id,
        amount_fen=batch.total_fen,
        key=attempt_key(batch),
        batch_id=batch.id,
        attempt=batch.payout_attempt,
    )


@transaction.atomic
def _payout_record(*, batch_id: int, reference: str) -> SettlementBatch:
    batch = batch_lock(batch_id)
    if not batch.payout_reference:
        batch.payout_reference = reference
        batch.save(update_fields=["payout_reference", "updated_at"])
    return batch


@transaction.atomic
def _payout_refused(*, batch_id: int, reason: str) -> SettlementBatch:
    """The gateway refused: the money goes back to payable and the batch waits for an admin."""
    batch = batch_lock(batch_id)
    if batch.status != B.PAYING:
        return batch
    ledger.ledger_post(
        key=f"{attempt_key(batch)}:returned:{batch.payout_sends}",
        kind=chart.TxKind.PAYOUT_RETURNED,
        legs=[
            (ledger.in_transit_account(batch.factory_id), -batch.total_fen),
            (ledger.payable_account(batch.factory_id), batch.total_fen),
        ],
        memo=f"settlement batch {batch.id}: {reason}"[:500],
    )
    batch.reason = reason[:500]
    SETTLEMENT.move(batch, B.FAILED, action="payout_failed", reason=reason, fields=["reason"])
    return batch


def settlement_payout(*, batch_id: int) -> SettlementBatch | None:
    """The payout task: start, call the gateway, record its reference. Safe to run again at
    any point; the paid/failed outcome arrives by webhook (or at once if the gateway refuses)."""
    batch = _payout_start(batch_id=batch_id)
    if batch is None:
        return None
    try:
        result = _payout_call_gateway(batch)
    except GatewayError as exc:
        if exc.transient:
            raise
        return _payout_refused(batch_id=batch.id, reason=str(exc))
    return _payout_record(batch_id=batch.id, reference=result.reference)


def _book_paid(batch, *, attempt: int, reference: str, late: bool = False) -> None:
    """The gateway paid the batch: -> paid out, from in transit (the attempt in flight) or,
    when ``late``, from payable (we had marked the payout failed, or a retry is approved and
    not yet sent). Caller holds the lock."""
    source = ledger.payable_account if late else ledger.in_transit_account
    ledger.ledger_post(
        key=f"payout:batch:{batch.id}:{attempt}:{'paid-late' if late else 'paid'}",
        kind=chart.TxKind.PAYOUT_PAID,
        legs=[
            (source(batch.factory_id), -batch.total_fen),
            (ledger.paid_out_account(batch.factory_id), batch.total_fen),
        ],
        memo=f"settlement batch {batch.id}: paid by attempt {attempt} ({reference})",
    )
    batch.paid_at = timezone.now()
    batch.payout_reference = reference if late else (batch.payout_reference or reference)
    SETTLEMENT.move(
        batch,
        B.PAID,
        action="paid_late" if late else "paid",
        data={"attempt": attempt, "reference": reference},
        fields=["paid_at", "payout_reference", "last_changed_by"],
    )


@transaction.atomic
def payout_confirmed(*, batch_id: int, attempt: int, ok: bool, reference: str = "", reason: str = "") -> None:
    """The gateway's payout webhook: paying -> paid (in transit -> paid out), or failed.

    News of money that really left is never dropped: a ``paid`` for a batch we had marked
    failed, or whose retry is approved but not yet sent, is booked from payable.
    """
    batch = batch_lock(batch_id)
    current = attempt == batch.payout_attempt
    if batch.status == B.PAYING and current:
        if not ok:
            _payout_refused(batch_id=batch.id, reason=reason or "refused by the gateway")
            return
        _book_paid(batch, attempt=attempt, reference=reference)
        return
    if not ok or batch.status == B.PAID:
        return  # a replay, or a refusal of an attempt already settled
    if batch.status in (B.FAILED, B.APPROVED):
        _book_paid(batch, attempt=attempt, reference=reference, late=True)
        return
    # A newer attempt is already with the gateway (or the batch was returned) and an
    # earlier one turns out to have paid: the factory may be paid twice. Tell an admin.
    logger.error("settlement batch %s: attempt %s paid while the batch is %s", batch.id, attempt, batch.status)
    SETTLEMENT.record(
        batch,
        action="duplicate_payout_risk",
        reason=f"attempt {attempt} paid while {batch.status}",
        data={"attempt": attempt, "reference": reference},
    )


@transaction.atomic
def settlement_retry_payout(*, batch_id: int, admin) -> SettlementBatch:
    """failed -> paid, if the gateway's book shows the attempt was paid after all;
    otherwise failed -> approved with a new attempt (a new key), paid out after commit."""
    batch = batch_lock(batch_id)
    SETTLEMENT.require(batch, B.FAILED)
    outcome, reference = gateway().payout_outcome(key=attempt_key(batch))
    batch.last_changed_by = admin
    if outcome == "paid":
        _book_paid(batch, attempt=batch.payout_attempt, reference=reference, late=True)
        return batch
    if outcome == "pending":
        raise ConflictError(_("The gateway is still working on this payout; try again later."), code="payout_pending")
    batch.payout_attempt += 1
    batch.reason = ""
    SETTLEMENT.move(
        batch,
        B.APPROVED,
        actor=admin,
        action="payout_retried",
        data={"attempt": batch.payout_attempt},
        fields=["payout_attempt", "reason", "last_changed_by"],
    )
    payout_after_commit(batch.id)
    return batch


def settlement_reconcile(*, batch_id: int) -> SettlementBatch | None:
    """For the money sweep: drive a batch whose payout task or webhook may have been lost.
    Approved, or paying without a gateway reference: run the payout (idempotent). Paying
    with a reference: ask the gateway's book and apply what it says."""
    batch = SettlementBatch.objects.filter(id=batch_id).first()
    if batch is None:
        return None
    if batch.status == B.APPROVED or (batch.status == B.PAYING and not batch.payout_reference):
        return settlement_payout(batch_id=batch.id)
    if batch.status == B.PAYING:
        outcome, reference = gateway().payout_outcome(key=attempt_key(batch))
        if outcome in ("paid", "failed"):
            payout_confirmed(
                batch_id=batch.id,
                attempt=batch.payout_attempt,
                ok=outcome == "paid",
                reference=reference,
                reason="the gateway reports it failed",
            )
    return batch
