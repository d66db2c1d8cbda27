"""Disputes: an SME holds its delivered shares for an admin, who settles them with the
agreed quantity; money then moves as for an accept with rejects."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInputError, NotFoundError
from factories import services as factory_services
from orders.models import Assignment, Job
from orders.services.assignments import complete
from orders.services.jobs import assignment_move, job_sync_status
from orders.services.locking import job_lock
from orders.transitions import JOB

A = Assignment.Status


@transaction.atomic
def job_dispute(*, job_id: int, sme, user, reason: str) -> Job:
    """The SME disputes the delivery: every delivered share is held for an admin (and kept
    from auto-accept). A split job's delivered shares can be disputed while others are
    still in production."""
    job = job_lock(job_id)
    if job.sme_id != sme.id:
        raise NotFoundError(_("No such job."))
    delivered = list(job.assignments.select_for_update().filter(status=A.DELIVERED))
    if not delivered:
        if job.status == Job.Status.DISPUTED:
            return job  # a retry
        raise JOB.conflict(job.status, [Job.Status.DELIVERED])
    for assignment in delivered:
        assignment_move(assignment, A.DISPUTED, actor=user, reason=reason, data={"reason": reason})
    job_sync_status(job, user=user)
    return job


@transaction.atomic
def dispute_resolve(
    *, job_id: int, admin, quantity_accepted: int | None = None, note: str = "", shares: dict[int, int] | None = None
) -> Job:
    """An admin settles a disputed job with the agreed quantity, spread over its disputed
    shares in order, or with ``shares`` (assignment id -> pieces accepted, one for each
    disputed share: the admin's page agrees them per factory); money moves as for an accept
    with rejects. The note is the reason on each share's row of the job's trail."""
    job = job_lock(job_id)
    disputed = list(job.assignments.select_for_update().filter(status=A.DISPUTED).order_by("id"))
    if not disputed:
        raise JOB.conflict(job.status, [Job.Status.DISPUTED])
    # Lock every factory profile involved, in id order, before the first ledger post: the
    # order stays job -> assignments -> profiles -> ledger accounts for the whole loop.
    factory_services.factory_profiles_lock(company_ids={a.factory_id for a in disputed})
    if shares is not None:
        return _resolve_per_share(job, disputed, admin=admin, shares=shares, note=note)
    delivered = sum(a.quantity_delivered or 0 for a in disputed)
    if quantity_accepted is None or not 0 <= quantity_accepted <= delivered:
        raise InvalidInputError(
            _("Accept between 0 and the %(delivered)d pieces delivered.") % {"delivered": delivered},
            fields={"quantity_accepted": [_("Out of range.")]},
        )
    left = quantity_accepted
    for assignment in disputed:
        share = min(left, assignment.quantity_delivered or 0)
        left -= share
        complete(
            job,
            assignment,
            user=admin,
            quantity_accepted=share,
            rating=None,
            comment=note,
            action="dispute_resolved",
            reason=note,
        )
    return job


def _resolve_per_share(job, disputed, *, admin, shares: dict[int, int], note: str) -> Job:
    """Caller holds the locks. Every disputed share needs its quantity; nothing moves unless
    all of them are in range."""
    if set(shares) != {a.id for a in disputed}:
        raise InvalidInputError(
            _("Give an accepted quantity for each disputed share."), fields={"shares": [_("One per disputed share.")]}
        )
    for assignment in disputed:
        accepted, delivered = shares[assignment.id], assignment.quantity_delivered or 0
        if not (isinstance(accepted, int) and 0 <= accepted <= delivered):
            raise InvalidInputError(
                _("Accept between 0 and the %(delivered)d pieces delivered.") % {"delivered": delivered},
                fields={"shares": [_("Out of range.")]},
            )
    for assignment in disputed:
        complete(
            job,
            assignment,
            user=admin,
            quantity_accepted=shares[assignment.id],
            rating=None,
            comment=note,
            action="dispute_resolved",
            reason=note,
        )
    return job
