"""Settlement services: daily batches per factory, four-eyes review, payouts.

A batch gathers a factory's payable ledger entries (the ``release`` transactions of its
completed assignments) up to a cutoff, one line per assignment. Its life:

    pending_review --approve--> approved --payout task--> paying --gateway webhook--> paid
    pending_review --reject--> rejected            (lines go back to the pool)
    paying --gateway refuses--> failed --retry--> paying | --return--> rejected

The account that built or last changed a batch may not approve it (the beat task and
``manage.py settle`` act as the system, ``built_by`` empty). Money: approval moves nothing;
the payout moves payable -> payouts in transit, and the gateway's confirmation in transit ->
paid out; a refused payout moves it back. Each movement's ledger key names the batch and
the attempt, and the gateway call carries the same key, so a payout task that crashed after
calling the gateway and runs again pays once.
"""

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from core.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from payments import ledger
from payments.gateway import GatewayError, gateway
from payments.models import LedgerAccount, LedgerLeg, SettlementBatch, SettlementEvent, SettlementLine

logger = logging.getLogger(__name__)

BUILD_LOCK = 8_402_212  # pg advisory lock id for "settlement batches are being built"


def default_cutoff(now=None) -> datetime:
    """Start of today in the platform's time zone: a daily batch holds everything earned before."""
    local = timezone.localtime(now or timezone.now())
    return timezone.make_aware(datetime.combine(local.date(), time.min), timezone.get_current_timezone())


def _event(batch, *, action, user=None, old="", new="", reason="", data=None) -> None:
    SettlementEvent.objects.create(
        batch=batch,
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        old_status=old,
        new_status=new,
        reason=reason,
        data=data or {},
    )


def _set_status(batch, to, *, user=None, action=None, reason="", data=None) -> SettlementBatch:
    old = batch.status
    batch.status = to
    batch.save()
    _event(batch, action=action or to, user=user, old=old, new=to, reason=reason, data=data)
    return batch


def _lock(batch_id) -> SettlementBatch:
    batch = SettlementBatch.objects.select_for_update().filter(id=batch_id).first()
    if batch is None:
        raise NotFoundError("No such settlement batch.")
    return batch


def _payable_releases(*, cutoff, factory_ids=None) -> dict[int, list[tuple[int, str, int]]]:
    """Per factory: (assignment id, ledger key, amount) of release legs into its payable
    before ``cutoff`` that no live batch holds yet."""
    legs = LedgerLeg.objects.filter(
        transaction__kind="release",
        transaction__created_at__lt=cutoff,
        account__kind=LedgerAccount.Kind.FACTORY_PAYABLE,
    )
    if factory_ids is not None:
        legs = legs.filter(account__company_id__in=factory_ids)
    held = set(SettlementLine.objects.filter(active=True).values_list("release_key", flat=True))
    pool: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for company_id, key, amount in legs.values_list("account__company_id", "transaction__key", "amount_fen").order_by(
        "transaction_id"
    ):
        if key not in held and amount > 0:
            pool[company_id].append((int(key.rsplit(":", 1)[1]), key, amount))
    return pool


def _ledger_total(lines) -> int:
    """What the ledger says these lines are worth (their release legs into payable)."""
    keys = [line.release_key for line in lines]
    return (
        LedgerLeg.objects.filter(transaction__key__in=keys, account__kind=LedgerAccount.Kind.FACTORY_PAYABLE).aggregate(
            total=Sum("amount_fen")
        )["total"]
        or 0
    )


def _check_against_ledger(batch: SettlementBatch) -> None:
    """The batch total equals its lines' ledger amounts and fits in the factory's payable
    together with every other batch not yet paid out."""
    lines = list(batch.lines.filter(active=True))
    from_ledger = _ledger_total(lines)
    if sum(line.amount_fen for line in lines) != batch.total_fen or from_ledger != batch.total_fen:
        raise ConflictError(
            f"Batch total {batch.total_fen} does not match the ledger ({from_ledger}).", code="batch_ledger_mismatch"
        )
    unpaid = (
        SettlementBatch.objects.filter(
            factory_id=batch.factory_id,
            status__in=[SettlementBatch.Status.PENDING_REVIEW, SettlementBatch.Status.APPROVED],
        ).aggregate(total=Sum("total_fen"))["total"]
        or 0
    )
    payable = ledger.account_balance(f"payable:factory:{batch.factory_id}")
    if unpaid > payable:
        raise ConflictError(
            f"Batches awaiting payout ({unpaid}) exceed the factory's payable ({payable}).",
            code="batch_exceeds_payable",
        )


def settlement_build(*, cutoff=None, user=None) -> list[SettlementBatch]:
    """Build (or find) one batch per factory for ``cutoff``; returns them.

    Building twice for the same cutoff returns the same batches: a factory that already has
    a live batch for the cutoff gets nothing new until the next cutoff.
    """
    cutoff = cutoff or default_cutoff()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BUILD_LOCK])
        existing = {b.factory_id: b for b in SettlementBatch.objects.filter(cutoff=cutoff).exclude(status="rejected")}
        batches = list(existing.values())
        for factory_id, entries in sorted(_payable_releases(cutoff=cutoff).items()):
            if factory_id in existing:
                continue
            batch = SettlementBatch.objects.create(
                factory_id=factory_id,
                cutoff=cutoff,
                total_fen=sum(e[2] for e in entries),
                built_by=user,
                last_changed_by=user,
            )
            SettlementLine.objects.bulk_create(
                SettlementLine(batch=batch, assignment_id=assignment_id, release_key=key, amount_fen=amount)
                for assignment_id, key, amount in entries
            )
            _check_against_ledger(batch)
            _event(
                batch,
                action="built",
                user=user,
                new=batch.status,
                data={"lines": len(entries), "total_fen": batch.total_fen, "cutoff": cutoff.isoformat()},
            )
            batches.append(batch)
    return sorted(batches, key=lambda b: (b.factory_id, b.id))


@transaction.atomic
def settlement_approve(*, batch_id: int, admin) -> SettlementBatch:
    batch = _lock(batch_id)
    if batch.status in (SettlementBatch.Status.APPROVED, SettlementBatch.Status.PAYING, SettlementBatch.Status.PAID):
        return batch  # a retry; a payout whose task was lost is picked up by the money sweep
    if batch.status != SettlementBatch.Status.PENDING_REVIEW:
        raise ConflictError(f"The batch is {batch.status}.", code="batch_not_pending_review")
    if admin.id in (batch.built_by_id, batch.last_changed_by_id):
        raise ForbiddenError(
            "Four eyes: the account that built or last changed a batch cannot approve it.", code="four_eyes"
        )
    _check_against_ledger(batch)
    batch.approved_by = admin
    _set_status(batch, SettlementBatch.Status.APPROVED, user=admin, action="approved")
    from payments.tasks import settlement_payout_task

    transaction.on_commit(lambda: settlement_payout_task.delay(batch.id))
    return batch


@transaction.atomic
def settlement_reject(*, batch_id: int, admin, reason: str) -> SettlementBatch:
    if not reason or not reason.strip():
        raise InvalidInputError("Say why the batch is rejected.", fields={"reason": ["Required."]})
    batch = _lock(batch_id)
    if batch.status == SettlementBatch.Status.REJECTED:
        return batch
    if batch.status != SettlementBatch.Status.PENDING_REVIEW:
        raise ConflictError(f"The batch is {batch.status}.", code="batch_not_pending_review")
    batch.reason = reason
    batch.last_changed_by = admin
    batch.lines.update(active=False)
    return _set_status(batch, SettlementBatch.Status.REJECTED, user=admin, action="rejected", reason=reason)


def _attempt_key(batch) -> str:
    return f"payout:batch:{batch.id}:{batch.payout_attempt}"


@transaction.atomic
def _payout_start(*, batch_id: int) -> SettlementBatch | None:
    """approved -> paying, moving the money to payouts in transit. None if there is nothing to pay."""
    batch = _lock(batch_id)
    if batch.status == SettlementBatch.Status.APPROVED:
        batch.payout_sends += 1
        ledger.ledger_post(
            key=f"{_attempt_key(batch)}:sent:{batch.payout_sends}",
            kind="payout",
            legs=[
                (ledger.payable_account(batch.factory_id), -batch.total_fen),
                (ledger.in_transit_account(batch.factory_id), batch.total_fen),
            ],
            memo=f"settlement batch {batch.id}",
        )
        _set_status(
            batch,
            SettlementBatch.Status.PAYING,
            action="payout_sent",
            data={"attempt": batch.payout_attempt, "send": batch.payout_sends},
        )
    return batch if batch.status == SettlementBatch.Status.PAYING else None


def _payout_call_gateway(batch: SettlementBatch):
    """Outside any transaction: the gateway is idempotent by the attempt's key."""
    return gateway().payout(
        company_id=batch.factory_id,
        amount_fen=batch.total_fen,
        key=_attempt_key(batch),
        batch_id=batch.id,
        attempt=batch.payout_attempt,
    )


@transaction.atomic
def _payout_record(*, batch_id: int, reference: str) -> SettlementBatch:
    batch = _lock(batch_id)
    if not batch.payout_reference:
        batch.payout_reference = reference
        batch.save(update_fields=["payout_reference", "updated_at"])
    return batch


@transaction.atomic
def _payout_refused(*, batch_id: int, reason: str) -> SettlementBatch:
    """The gateway refused: the money goes back to payable and the batch waits for an admin."""
    batch = _lock(batch_id)
    if batch.status != SettlementBatch.Status.PAYING:
        return batch
    ledger.ledger_post(
        key=f"{_attempt_key(batch)}:returned:{batch.payout_sends}",
        kind="payout_returned",
        legs=[
            (ledger.in_transit_account(batch.factory_id), -batch.total_fen),
            (ledger.payable_account(batch.factory_id), batch.total_fen),
        ],
        memo=f"settlement batch {batch.id}: {reason}"[:500],
    )
    batch.reason = reason[:500]
    return _set_status(batch, SettlementBatch.Status.FAILED, action="payout_failed", reason=reason[:500])


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


def _book_paid_from_payable(batch, *, attempt: int, reference: str) -> None:
    """The gateway paid, but the money is back in payable (we had marked the payout failed,
    or a retry is approved and not yet sent): book payable -> paid out. Caller holds the lock."""
    ledger.ledger_post(
        key=f"payout:batch:{batch.id}:{attempt}:paid-late",
        kind="payout_paid",
        legs=[
            (ledger.payable_account(batch.factory_id), -batch.total_fen),
            (ledger.paid_out_account(batch.factory_id), batch.total_fen),
        ],
        memo=f"settlement batch {batch.id}: paid by attempt {attempt} ({reference})",
    )
    batch.paid_at = timezone.now()
    batch.payout_reference = reference
    _set_status(
        batch, SettlementBatch.Status.PAID, action="paid_late", data={"attempt": attempt, "reference": reference}
    )


@transaction.atomic
def payout_confirmed(*, batch_id: int, attempt: int, ok: bool, reference: str = "", reason: str = "") -> None:
    """The gateway's payout webhook: paying -> paid (in transit -> paid out), or failed.

    News of money that really left is never dropped: a ``paid`` for a batch we had marked
    failed, or whose retry is approved but not yet sent, is booked from payable.
    """
    batch = _lock(batch_id)
    current = attempt == batch.payout_attempt
    if batch.status == SettlementBatch.Status.PAYING and current:
        if not ok:
            _payout_refused(batch_id=batch.id, reason=reason or "refused by the gateway")
            return
        ledger.ledger_post(
            key=f"payout:batch:{batch.id}:{attempt}:paid",
            kind="payout_paid",
            legs=[
                (ledger.in_transit_account(batch.factory_id), -batch.total_fen),
                (ledger.paid_out_account(batch.factory_id), batch.total_fen),
            ],
            memo=f"settlement batch {batch.id} {reference}",
        )
        batch.paid_at = timezone.now()
        batch.payout_reference = batch.payout_reference or reference
        _set_status(batch, SettlementBatch.Status.PAID, action="paid", data={"reference": reference})
        return
    if not ok or batch.status == SettlementBatch.Status.PAID:
        return  # a replay, or a refusal of an attempt already settled
    if batch.status in (SettlementBatch.Status.FAILED, SettlementBatch.Status.APPROVED):
        _book_paid_from_payable(batch, attempt=attempt, reference=reference)
        return
    # A newer attempt is already with the gateway (or the batch was returned) and an
    # earlier one turns out to have paid: the factory may be paid twice. Tell an admin.
    logger.error("settlement batch %s: attempt %s paid while the batch is %s", batch.id, attempt, batch.status)
    _event(
        batch,
        action="duplicate_payout_risk",
        reason=f"attempt {attempt} paid while {batch.status}",
        data={"attempt": attempt, "reference": reference},
    )


@transaction.atomic
def settlement_retry_payout(*, batch_id: int, admin) -> SettlementBatch:
    """failed -> paid, if the gateway's book shows the attempt was paid after all;
    otherwise failed -> approved with a new attempt (a new key), paid out after commit."""
    batch = _lock(batch_id)
    if batch.status != SettlementBatch.Status.FAILED:
        raise ConflictError(f"The batch is {batch.status}.", code="batch_not_failed")
    outcome, reference = gateway().payout_outcome(key=_attempt_key(batch))
    batch.last_changed_by = admin
    if outcome == "paid":
        _book_paid_from_payable(batch, attempt=batch.payout_attempt, reference=reference)
        return batch
    if outcome == "pending":
        raise ConflictError("The gateway is still working on this payout; try again later.", code="payout_pending")
    batch.payout_attempt += 1
    batch.reason = ""
    _set_status(
        batch,
        SettlementBatch.Status.APPROVED,
        user=admin,
        action="payout_retried",
        data={"attempt": batch.payout_attempt},
    )
    from payments.tasks import settlement_payout_task

    transaction.on_commit(lambda: settlement_payout_task.delay(batch.id))
    return batch


def settlement_reconcile(*, batch_id: int) -> SettlementBatch | None:
    """For the money sweep: drive a batch whose payout task or webhook may have been lost.
    Approved, or paying without a gateway reference: run the payout (idempotent). Paying
    with a reference: ask the gateway's book and apply what it says."""
    batch = SettlementBatch.objects.filter(id=batch_id).first()
    if batch is None:
        return None
    if batch.status == SettlementBatch.Status.APPROVED or (
        batch.status == SettlementBatch.Status.PAYING and not batch.payout_reference
    ):
        return settlement_payout(batch_id=batch.id)
    if batch.status == SettlementBatch.Status.PAYING:
        outcome, reference = gateway().payout_outcome(key=_attempt_key(batch))
        if outcome in ("paid", "failed"):
            payout_confirmed(
                batch_id=batch.id,
                attempt=batch.payout_attempt,
                ok=outcome == "paid",
                reference=reference,
                reason="the gateway reports it failed",
            )
    return batch


@transaction.atomic
def settlement_return(*, batch_id: int, admin, reason: str) -> SettlementBatch:
    """failed -> rejected: the lines go back to the pool for the next batch."""
    batch = _lock(batch_id)
    if batch.status != SettlementBatch.Status.FAILED:
        raise ConflictError(f"The batch is {batch.status}.", code="batch_not_failed")
    outcome, _ = gateway().payout_outcome(key=_attempt_key(batch))
    if outcome in ("paid", "pending"):
        # Its lines must not be paid again in another batch.
        raise ConflictError(
            f"The gateway's book shows this payout {outcome}; retry it to book the outcome.", code="payout_executed"
        )
    batch.lines.update(active=False)
    batch.last_changed_by = admin
    batch.reason = reason
    return _set_status(batch, SettlementBatch.Status.REJECTED, user=admin, action="returned", reason=reason)


def settlements_stuck(*, older_than_minutes: int = 5):
    """Batches approved or paying for a while: their payout task may have been lost."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return SettlementBatch.objects.filter(
        status__in=[SettlementBatch.Status.APPROVED, SettlementBatch.Status.PAYING], updated_at__lt=cutoff
    ).values_list("id", flat=True)
