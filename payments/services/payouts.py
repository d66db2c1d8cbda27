"""Payouts of approved settlement batches: one gateway transfer per settlement line, whose
idempotency key is the line's (``payout:line:<id>``).

Per line, in the ledger: payable -> payouts in transit when the transfer is sent, in transit
-> paid out when the gateway pays it, in transit -> payable when it comes back (refused,
cancelled, or not confirmed by the payee in time). A line that comes back leaves the pool of
its batch (``active`` cleared), so its assignment is paid in the next day's batch. Each
movement's ledger key names the line, so whichever of the transfer call, a notification, a
query or a rerun after a crash learns the outcome first, it is booked once.

A batch is ``paying`` while any line's transfer is open; then ``paid`` if at least one line
was paid, ``failed`` if every one came back.

Lock order: the batch, then its lines (``_payout_start`` and ``payout_apply`` alike).
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, NotFoundError
from core.transitions import lock
from payments import chart, ledger
from payments.gateways import (
    GatewayError,
    NotOffered,
    Payee,
    TransferRequest,
    TransferState,
    TransferStatus,
    gateway,
)
from payments.models import PayoutAccount, SettlementBatch, SettlementLine
from payments.services.batches import batch_lock
from payments.services.moves import batch_move, payout_move
from payments.transitions import LINE_PAYOUT, SETTLEMENT

logger = logging.getLogger(__name__)
B = SettlementBatch.Status
L = SettlementLine.Payout
OPEN = (L.SENDING, L.AWAITING_CONFIRMATION)
KEY_PREFIX = "payout:line:"


def line_of_key(key: str) -> int:
    if not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX) :].isdigit():
        raise NotFoundError(_("No payout %(key)s.") % {"key": key})
    return int(key[len(KEY_PREFIX) :])


def _move(line: SettlementLine, to: str, *, actor=None, reason: str = "", data=None, fields=()) -> None:
    line.payout_updated_at = timezone.now()
    payout_move(
        line,
        to,
        actor=actor,
        action=f"payout_{to}",
        reason=reason,
        data={"line": line.id, "amount_fen": line.amount_fen, **(data or {})},
        fields=["payout_updated_at", *fields],
    )


@transaction.atomic
def _payout_start(*, batch_id: int) -> list[int]:
    """approved -> paying, every line's money to payouts in transit; returns the lines
    whose transfer is to be asked for (all open ones, on a rerun too)."""
    batch = batch_lock(batch_id)
    if batch.status == B.APPROVED:
        lines = list(
            SettlementLine.objects.select_for_update().filter(batch=batch, active=True, payout_status=L.UNSENT)
        )
        for line in lines:
            ledger.ledger_post(
                key=f"{line.payout_key}:sent",
                kind=chart.TxKind.PAYOUT,
                legs=[
                    (ledger.payable_account(batch.factory_id), -line.amount_fen),
                    (ledger.in_transit_account(batch.factory_id), line.amount_fen),
                ],
                memo=f"settlement batch {batch.id} line {line.id}",
            )
            line.batch = batch
            _move(line, L.SENDING)
        batch_move(batch, B.PAYING, action="payout_sent", data={"lines": len(lines)})
    if batch.status != B.PAYING:
        return []
    return list(batch.lines.filter(active=True, payout_status=L.SENDING).values_list("id", flat=True))


def _payee(factory_id: int) -> Payee | None:
    account = PayoutAccount.objects.filter(company_id=factory_id).first()
    if account is None:
        return None
    return Payee(account=account.wechat_openid, real_name=account.real_name, app_id=account.wechat_appid)


def payout_send(*, line_id: int) -> SettlementLine:
    """Ask the gateway for a sending line's transfer (idempotent by the line's key; outside
    any transaction) and book what it answers. A final refusal returns the line."""
    line = SettlementLine.objects.select_related("batch").filter(id=line_id).first()
    if line is None:
        raise NotFoundError(_("No such settlement line."))
    if line.payout_status != L.SENDING:
        return line
    request = TransferRequest(
        key=line.payout_key,
        factory_id=line.batch.factory_id,
        amount_fen=line.amount_fen,
        remark=f"结算 settlement {line.batch_id}-{line.id}",
        payee=_payee(line.batch.factory_id),
    )
    try:
        status = gateway().transfer(request)
    except GatewayError as exc:
        if exc.transient:
            raise
        status = TransferStatus(TransferState.RETURNED, reason=str(exc))
    return payout_apply(line_id=line.id, status=status)


def settlement_payout(*, batch_id: int) -> SettlementBatch | None:
    """The payout task: start the batch, then ask for each line's transfer. Safe to run
    again at any point; a transient failure raises (the task retries, the keys keep it
    once)."""
    for line_id in _payout_start(batch_id=batch_id):
        payout_send(line_id=line_id)
    return SettlementBatch.objects.filter(id=batch_id).first()


def _book_paid(batch, line, status: TransferStatus) -> None:
    ledger.ledger_post(
        key=f"{line.payout_key}:paid",
        kind=chart.TxKind.PAYOUT_PAID,
        legs=[
            (ledger.in_transit_account(batch.factory_id), -line.amount_fen),
            (ledger.paid_out_account(batch.factory_id), line.amount_fen),
        ],
        memo=f"settlement batch {batch.id} line {line.id}: paid ({status.reference})",
    )
    line.payout_reference = status.reference or line.payout_reference
    _move(line, L.PAID, data={"reference": status.reference}, fields=["payout_reference"])


def _book_returned(batch, line, status: TransferStatus, *, actor=None) -> None:
    ledger.ledger_post(
        key=f"{line.payout_key}:returned",
        kind=chart.TxKind.PAYOUT_RETURNED,
        legs=[
            (ledger.in_transit_account(batch.factory_id), -line.amount_fen),
            (ledger.payable_account(batch.factory_id), line.amount_fen),
        ],
        memo=f"settlement batch {batch.id} line {line.id}: {status.reason}"[:500],
    )
    line.active = False  # the assignment goes back to the pool: the next batch pays it
    line.payout_reason = (status.reason or _("returned by the gateway"))[:300]
    line.payout_reference = status.reference or line.payout_reference
    _move(
        line,
        L.RETURNED,
        actor=actor,
        reason=line.payout_reason,
        fields=["active", "payout_reason", "payout_reference"],
    )


def _finish_if_done(batch) -> None:
    if batch.status != B.PAYING or batch.lines.filter(payout_status__in=OPEN).exists():
        return
    lines = list(batch.lines.exclude(payout_status=L.UNSENT))
    returned = [line for line in lines if line.payout_status == L.RETURNED]
    if len(returned) < len(lines):
        batch.paid_at = timezone.now()
        batch.reason = (
            _("%(n)s line(s) came back to payable and go in the next batch.") % {"n": len(returned)} if returned else ""
        )
        batch_move(batch, B.PAID, action="paid", data={"returned_lines": len(returned)}, fields=["paid_at", "reason"])
    else:
        batch.reason = (returned[0].payout_reason if returned else "")[:500]
        batch_move(batch, B.FAILED, action="payout_failed", reason=batch.reason, fields=["reason"])


@transaction.atomic
def payout_apply(*, line_id: int, status: TransferStatus, actor=None) -> SettlementLine:
    """Book what the gateway says of a line's transfer (its answer, a notification or a
    query). Final outcomes are booked once; news of money paid for a line already returned
    is not booked but written to the batch's trail and the error log for an admin (the
    assignment may be paid again in a later batch)."""
    line_batch = SettlementLine.objects.filter(id=line_id).values_list("batch_id", flat=True).first()
    if line_batch is None:
        raise NotFoundError(_("No such settlement line."))
    batch = batch_lock(line_batch)
    line = lock(SettlementLine, line_id)
    line.batch = batch
    if status.state == TransferState.PAID:
        if line.payout_status in OPEN:
            _book_paid(batch, line, status)
        elif line.payout_status == L.RETURNED:
            logger.error("settlement line %s was returned but the gateway reports it paid", line.id)
            SETTLEMENT.record(
                batch,
                action="duplicate_payout_risk",
                reason=f"line {line.id} paid after it was returned",
                data={"line": line.id, "reference": status.reference},
            )
    elif status.state == TransferState.RETURNED:
        if line.payout_status in OPEN:
            _book_returned(batch, line, status, actor=actor)
    elif status.state == TransferState.AWAITING_CONFIRMATION and status.confirmation is not None:
        confirmation = {
            "package_info": status.confirmation.package_info,
            "mch_id": status.confirmation.mch_id,
            "app_id": status.confirmation.app_id,
        }
        line.payout_reference = status.reference or line.payout_reference
        line.confirm_by = status.confirmation.confirm_by
        if line.payout_status == L.SENDING:
            line.confirmation = confirmation
            _move(line, L.AWAITING_CONFIRMATION, fields=["confirmation", "confirm_by", "payout_reference"])
        elif line.payout_status == L.AWAITING_CONFIRMATION and line.confirmation != confirmation:
            line.confirmation = confirmation
            line.save(update_fields=["confirmation", "confirm_by", "payout_reference"])
    elif status.reference and line.payout_status in OPEN and not line.payout_reference:
        line.payout_reference = status.reference
        line.save(update_fields=["payout_reference"])
    _finish_if_done(batch)
    return line


def payout_transfer_changed(*, key: str, state: str, reference: str = "", reason: str = "") -> SettlementLine:
    """The gateway's notification of a transfer's outcome."""
    return payout_apply(
        line_id=line_of_key(key), status=TransferStatus(TransferState(state), reference=reference, reason=reason)
    )


def payout_reconcile(*, line_id: int) -> SettlementLine:
    """For the money sweep and a factory's "I confirmed": ask the gateway about a line's
    transfer and book what it says; a sending line it has never heard of is sent (its task
    was lost before the call)."""
    line = SettlementLine.objects.filter(id=line_id).first()
    if line is None:
        raise NotFoundError(_("No such settlement line."))
    if line.payout_status not in OPEN:
        return line
    status = gateway().transfer_status(line.payout_key)
    if status.state == TransferState.UNKNOWN and line.payout_status == L.SENDING:
        return payout_send(line_id=line.id)
    line = payout_apply(line_id=line.id, status=status)
    if line.payout_status in OPEN:  # asked: the sweep waits its period before asking again
        SettlementLine.objects.filter(id=line.id).update(payout_updated_at=timezone.now())
    return line


def payout_refresh(*, line_id: int, factory_id: int) -> SettlementLine:
    """The factory's app: the payee has just confirmed in WeChat; ask now rather than wait
    for the notification. Another factory's line is 404."""
    if not SettlementLine.objects.filter(id=line_id, batch__factory_id=factory_id).exists():
        raise NotFoundError(_("No such settlement line."))
    return payout_reconcile(line_id=line_id)


def payout_cancel(*, line_id: int, admin, reason: str) -> SettlementLine:
    """An admin takes back a transfer the payee has not confirmed (a wrong payee, a dispute
    after approval). The money comes back to payable once the gateway has cancelled it."""
    line = SettlementLine.objects.filter(id=line_id).first()
    if line is None:
        raise NotFoundError(_("No such settlement line."))
    if line.payout_status != L.AWAITING_CONFIRMATION:
        raise LINE_PAYOUT.conflict(line.payout_status, [L.AWAITING_CONFIRMATION])
    try:
        status = gateway().transfer_cancel(line.payout_key)
    except NotOffered:
        raise ConflictError(
            _("This payment gateway cannot take a transfer back."), code="payout_not_cancellable"
        ) from None
    except GatewayError as exc:
        raise ConflictError(
            _("The gateway did not cancel the transfer: %(error)s") % {"error": exc}, code="gateway_refused"
        ) from None
    with transaction.atomic():
        batch = batch_lock(line.batch_id)
        SETTLEMENT.record(batch, action="payout_cancel_asked", actor=admin, reason=reason, data={"line": line.id})
    return payout_apply(line_id=line.id, status=status, actor=admin)


def payouts_stuck(*, older_than_seconds: float, confirmation_poll_seconds: float = 1800.0):
    """Lines whose transfer is open and was last heard of a while ago: sending ones after
    ``older_than_seconds`` (a lost task or notification), ones waiting for the payee every
    ``confirmation_poll_seconds`` and once their confirmation deadline has passed."""
    now = timezone.now()
    return SettlementLine.objects.filter(
        Q(payout_status=L.SENDING, payout_updated_at__lt=now - timedelta(seconds=older_than_seconds))
        | Q(
            payout_status=L.AWAITING_CONFIRMATION,
            payout_updated_at__lt=now - timedelta(seconds=confirmation_poll_seconds),
        )
        | Q(payout_status=L.AWAITING_CONFIRMATION, confirm_by__lt=now, payout_updated_at__lt=now - timedelta(minutes=1))
    ).values_list("id", flat=True)
