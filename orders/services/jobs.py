"""A job's own moves: paid (through the payment seam), cancelled, expired, and the status it
takes from its shares. Each is one transaction under the job's lock, guarded by
``orders.transitions.JOB``, with one ``JobHistory``; where money moves, the ledger posting
commits with it."""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.errors import ConflictError, NotFoundError
from orders import events
from orders.models import Assignment, Job
from orders.services.board import board_job_publish, board_job_withdraw
from orders.services.locking import job_lock
from orders.transitions import ASSIGNMENT, ASSIGNMENT_ORDER, JOB
from payments import services as payment_services

J = Job.Status


def job_move(job: Job, to: str, *, user=None, action=None, data=None, fields=()) -> bool:
    """Move the job (caller holds its lock) and tell its SME and share holders
    (``job.status_changed``). A job that stops being open takes back any dispatch offer
    still out and leaves the boards; one that opens (paid, or a share given back) goes on
    the boards (``orders.services.board``). Returns False for a retry.

    Every move of a job goes through here (tests/test_architecture.py holds it), so no
    status change skips the stream."""
    was = job.status
    moved = JOB.move(job, to, actor=user, action=action, data=data, fields=fields)
    if moved:
        events.job_status_changed(job, old=was, new=to)
    if moved and to != J.OPEN:
        events.offers_withdraw_pending(job, reason=f"job {to}")
        if was == J.OPEN:
            board_job_withdraw(job)
    elif moved:
        board_job_publish(job)
    return moved


def assignment_move(
    assignment: Assignment, to: str, *, actor=None, action=None, data=None, reason="", fields=()
) -> bool:
    """Move a share (caller holds its lock) and tell the SME and the share's factory
    (``assignment.status_changed``); the job's own status is the caller's to sync
    (``job_sync_status``). Returns False for a retry. Every move of a share goes through
    here (tests/test_architecture.py holds it)."""
    was = assignment.status
    moved = ASSIGNMENT.move(assignment, to, actor=actor, action=action, data=data, reason=reason, fields=fields)
    if moved:
        events.assignment_status_changed(assignment, old=was, new=to)
    return moved


@transaction.atomic
def job_payment_captured(*, job_id: int, payment_id: int, provider_ref: str = "") -> Job:
    """The ``payments.seams.job_payment_captured`` handler: under the job's lock, book the
    money into escrow and open the job; a payment that arrives after the job was cancelled
    or expired is refunded at once."""
    job = job_lock(job_id)
    payment_services.payment_capture_book(payment_id=payment_id, provider_ref=provider_ref)
    if job.status == J.AWAITING_PAYMENT:
        job_move(job, J.OPEN, action="paid", data={"payment_id": payment_id})
    elif job.status in (J.CANCELLED, J.EXPIRED):
        payment_services.payment_refund_job_escrow(job_id=job.id, reason=f"paid after {job.status}")
    return job


@transaction.atomic
def job_cancel(*, job_id: int, sme, user, reason: str = "") -> Job:
    job = job_lock(job_id)
    if job.sme_id != sme.id:
        raise NotFoundError(_("No such job."))
    if job.status == J.CANCELLED:
        return job
    if job.status == J.OPEN and job.assignments.filter(status__in=Assignment.LIVE).exists():
        raise ConflictError(
            _("Part of this job is already assigned; it can no longer be cancelled."), code="job_partially_assigned"
        )
    unpaid = job.status == J.AWAITING_PAYMENT
    job.cancel_reason = reason
    job_move(job, J.CANCELLED, user=user, action="cancelled", data={"reason": reason}, fields=["cancel_reason"])
    if unpaid:
        payment_services.payment_void(job_id=job.id, reason="job cancelled before payment")
    payment_services.payment_refund_job_escrow(job_id=job.id, reason="cancelled")
    return job


@transaction.atomic
def job_expire(*, job_id: int) -> Job:
    """open -> expired when the deadline can no longer be met; the escrow is refunded.
    A job still awaiting payment by then is cancelled by the system instead (nothing was
    paid; a payment that still arrives is refunded when it is captured)."""
    job = job_lock(job_id)
    if job.status in (J.EXPIRED, J.CANCELLED):
        return job
    if job.status == J.AWAITING_PAYMENT:
        job.cancel_reason = "not paid before the deadline"
        job_move(job, J.CANCELLED, action="unpaid_cancelled", fields=["cancel_reason"])
        payment_services.payment_void(job_id=job.id, reason="not paid before the deadline")
        return job
    if job.assignments.filter(status__in=Assignment.LIVE).exists():
        raise ConflictError(_("Part of this job is assigned."), code="job_partially_assigned")
    job_move(job, J.EXPIRED, action="expired")
    payment_services.payment_refund_job_escrow(job_id=job.id, reason="expired")
    return job


def job_sync_status(job: Job, *, user=None) -> Job:
    """Derive the job's status from its shares (caller holds the lock): open until its whole
    quantity is covered, then the least advanced covering share's status."""
    if job.status in (J.AWAITING_PAYMENT, J.CANCELLED, J.EXPIRED):
        return job
    # Statuses and quantities in one read (was the shares as models, then their sum).
    covering = list(job.assignments.filter(status__in=Assignment.COVERING).values_list("status", "quantity"))
    live = [status for status, _quantity in covering]
    covered = sum(quantity for _status, quantity in covering)
    target = J.OPEN if covered < job.quantity else min(live, key=ASSIGNMENT_ORDER.index)
    job_move(job, target, user=user, action="status")
    return job


def job_coverage_total(job: Job) -> int:
    """Pieces of the job covered by live or completed shares."""
    return job.assignments.filter(status__in=Assignment.COVERING).aggregate(t=Sum("quantity"))["t"] or 0
