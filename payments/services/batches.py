"""Settlement batches: a factory's payable up to a cutoff, built daily, reviewed by an admin
with four eyes, then paid out (``payments.services.payouts``).

A batch gathers a factory's payable ledger entries (the ``release`` transactions of its
completed assignments) up to a cutoff, one line per assignment. Its life
(``payments.transitions.SETTLEMENT``):

    pending_review --approve--> approved --payout task--> paying --every line's transfer ends--> paid | failed
    pending_review --reject--> rejected            (lines go back to the pool)

Each line is paid by its own transfer (``payments.services.payouts``); a line whose transfer
comes back goes back to the pool, so nothing waits for an admin to retry it.

The account that built or last changed a batch may not approve it (the beat task and
``manage.py settle`` act as the system, ``built_by`` empty). Approval moves no money.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, ForbiddenError, InvalidInputError
from core.readable import iso_time
from core.transitions import lock
from payments import chart, ledger, work
from payments.models import LedgerAccount, LedgerLeg, SettlementBatch, SettlementLine
from payments.services.moves import batch_move
from payments.transitions import SETTLEMENT

BUILD_LOCK = 8_402_212  # pg advisory lock id for "settlement batches are being built"
B = SettlementBatch.Status


def default_cutoff(now=None) -> datetime:
    """Start of today in the platform's time zone: a daily batch holds everything earned before."""
    local = timezone.localtime(now or timezone.now())
    return timezone.make_aware(datetime.combine(local.date(), time.min), timezone.get_current_timezone())


def batch_lock(batch_id) -> SettlementBatch:
    return lock(SettlementBatch, batch_id, message=_("No such settlement batch."))


def payout_after_commit(batch_id: int) -> None:
    work.settlement_payout.send_after_commit(batch_id)


def _payable_releases(*, cutoff, factory_ids=None) -> dict[int, list[tuple[int, str, int]]]:
    """Per factory: (assignment id, ledger key, amount) of release legs into its payable
    before ``cutoff`` that no live batch holds yet."""
    legs = LedgerLeg.objects.filter(
        transaction__kind=chart.TxKind.RELEASE,
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
            _("Batch total %(total)s does not match the ledger (%(ledger)s).")
            % {"total": batch.total_fen, "ledger": from_ledger},
            code="batch_ledger_mismatch",
        )
    unpaid = (
        SettlementBatch.objects.filter(
            factory_id=batch.factory_id,
            status__in=[SettlementBatch.Status.PENDING_REVIEW, SettlementBatch.Status.APPROVED],
        ).aggregate(total=Sum("total_fen"))["total"]
        or 0
    )
    payable = ledger.account_balance(chart.payable(batch.factory_id))
    if unpaid > payable:
        raise ConflictError(
            _("Batches awaiting payout (%(unpaid)s) exceed the factory's payable (%(payable)s).")
            % {"unpaid": unpaid, "payable": payable},
            code="batch_exceeds_payable",
        )


def settlement_build(*, cutoff=None, user=None) -> list[SettlementBatch]:
    """Build (or find) one batch per factory for ``cutoff``; returns them.

    Building twice for the same cutoff returns the same batches: a factory that already has
    a live batch for the cutoff gets nothing new until the next cutoff.
    """
    cutoff = cutoff or default_cutoff()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BUILD_LOCK])
        existing = {b.factory_id: b for b in SettlementBatch.objects.filter(cutoff=cutoff).exclude(status=B.REJECTED)}
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
            SETTLEMENT.record(
                batch,
                action="built",
                actor=user,
                new=batch.status,
                data={"lines": len(entries), "total_fen": batch.total_fen, "cutoff": iso_time(cutoff)},
            )
            batches.append(batch)
    return sorted(batches, key=lambda b: (b.factory_id, b.id))


@transaction.atomic
def settlement_approve(*, batch_id: int, admin) -> SettlementBatch:
    batch = batch_lock(batch_id)
    if batch.status in (B.APPROVED, B.PAYING, B.PAID):
        return batch  # a retry; a payout whose task was lost is picked up by the money sweep
    SETTLEMENT.require(batch, B.PENDING_REVIEW)
    if admin.id in (batch.built_by_id, batch.last_changed_by_id):
        raise ForbiddenError(
            _("Four eyes: the account that built or last changed a batch cannot approve it."), code="four_eyes"
        )
    _check_against_ledger(batch)
    batch.approved_by = admin
    batch_move(batch, B.APPROVED, actor=admin, action="approved", fields=["approved_by"])
    payout_after_commit(batch.id)
    return batch


@transaction.atomic
def settlement_reject(*, batch_id: int, admin, reason: str) -> SettlementBatch:
    if not reason or not reason.strip():
        raise InvalidInputError(_("Say why the batch is rejected."), fields={"reason": [_("Required.")]})
    batch = batch_lock(batch_id)
    if batch.status == B.REJECTED:
        return batch
    SETTLEMENT.require(batch, B.PENDING_REVIEW)
    batch.reason = reason
    batch.last_changed_by = admin
    batch.lines.update(active=False)
    batch_move(batch, B.REJECTED, actor=admin, action="rejected", reason=reason, fields=["reason", "last_changed_by"])
    return batch


def settlements_stuck(*, older_than_seconds: float = 300):
    """Batches approved a while ago and not paying yet: their payout task was lost."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return SettlementBatch.objects.filter(status=B.APPROVED, updated_at__lt=cutoff).values_list("id", flat=True)
