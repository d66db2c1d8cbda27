"""Taking a job and the steps of a share: board accept (the grab race), materials sent,
progress, delivery, acceptance (manual or automatic) and withdrawal.

Every step locks the job, then the assignment (``locking.assignment_lock``), is guarded by
``orders.transitions.ASSIGNMENT`` and writes one ``JobHistory``; a repeat of the step just
taken is a harmless retry. The job's status then follows its shares (``job_sync_status``).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, InvalidInputError, NotFoundError
from factories import services as factory_services
from factories.models import FactoryProfile
from orders import events
from orders.matching.eligibility import Eligibility, eligibility_for, split_floor
from orders.models import Assignment, Job, MaterialMovement
from orders.services import materials
from orders.services.board import board_job_publish
from orders.services.jobs import assignment_move, job_coverage_total, job_sync_status
from orders.services.locking import assignment_lock, job_lock, require_party
from orders.transitions import ASSIGNMENT, JOB
from payments import services as payment_services

A = Assignment.Status


def _eligible_pair(*, job: Job, factory, offer_id, as_of) -> Eligibility:
    """The factory's eligibility for the job with live numbers; caller holds its profile lock."""
    profile = factory_services.factory_profile_lock(company_id=factory.id)
    pair = eligibility_for([job], [profile], now=as_of, ignore_offer_id=offer_id).get((job.id, factory.id))
    if pair is not None:
        return pair
    if eligibility_for([job], [profile], now=as_of, check_capacity=False, ignore_offer_id=offer_id):
        raise ConflictError(
            _("Your free capacity before the deadline no longer covers this job."), code="insufficient_capacity"
        )
    raise NotFoundError(_("No such job on your board."))


def _checked_share(*, job: Job, pair: Eligibility, quantity: int | None) -> int:
    share = pair.max_share if quantity is None else quantity
    if not job.allow_split and quantity is not None and quantity != pair.max_share:
        raise InvalidInputError(
            _("This job cannot be split; accept it whole."), fields={"quantity": [_("Only with allow_split.")]}
        )
    if share < pair.min_share or share > pair.max_share:
        raise InvalidInputError(
            _("Take between %(min)d and %(max)d pieces.") % {"min": pair.min_share, "max": pair.max_share},
            code="invalid_share",
            fields={"quantity": [_("Between %(min)d and %(max)d.") % {"min": pair.min_share, "max": pair.max_share}]},
        )
    if job.allow_split:
        remainder = job.quantity - job_coverage_total(job) - share
        if 0 < remainder < split_floor(job):
            raise InvalidInputError(
                _("That would leave a remainder too small to place; take all of it or less."),
                code="invalid_share",
                fields={"quantity": [_("Leave 0 or at least %(floor)d pieces.") % {"floor": split_floor(job)}]},
            )
    return share


def _could_see(job: Job, factory) -> bool:
    """Could ``job`` have been on this factory's board: does it hold a share of it, or do its
    rules (capability, price, minimum, radius, verified and online) admit the job as posted,
    whoever took it since? The losers of a grab race get their 409 ``already_taken``."""
    if Assignment.objects.filter(job_id=job.id, factory_id=factory.id).exists():
        return True
    profile = FactoryProfile.objects.filter(company_id=factory.id).first()
    if profile is None:
        return False
    as_posted = eligibility_for([job], [profile], now=job.created_at, check_capacity=False, coverage=({}, {}))
    return (job.id, factory.id) in as_posted


def assignment_create(
    *, job: Job, factory, user, quantity: int | None, via: str, offer_id: int | None = None, as_of=None
) -> Assignment:
    """Give ``factory`` a share of ``job`` (caller holds the job lock and has checked it is open).

    Locks the factory profile so one factory's capacity is checked and booked by one
    request at a time, then re-checks eligibility with the live numbers (an offer being
    accepted does not count against itself).
    """
    pair = _eligible_pair(job=job, factory=factory, offer_id=offer_id, as_of=as_of)
    share = _checked_share(job=job, pair=pair, quantity=quantity)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                job=job, factory=factory, quantity=share, unit_price_fen=job.unit_price_fen, via=via
            )
    except IntegrityError:
        # The schema's last word (one share per factory and job): never a 500.
        raise ConflictError(_("This factory already holds a share of this job."), code="already_holding") from None
    ASSIGNMENT.record(
        assignment,
        action="accepted",
        actor=user,
        new=assignment.status,
        data={"factory_id": factory.id, "quantity": share, "via": via, "distance_km": pair.distance_km},
    )
    factory_services.factory_record_taken(company_id=factory.id)
    events.assignment_status_changed(assignment, old=None, new=assignment.status)
    job_sync_status(job, user=user)
    if job.status == Job.Status.OPEN:
        board_job_publish(job)  # what is left of a split job is for the others
    return assignment


@transaction.atomic
def board_accept(*, job_id: int, factory, user, quantity: int | None = None) -> Assignment:
    """First accept wins: the job row lock serialises racing factories; losers get 409."""
    job = Job.objects.select_for_update().filter(id=job_id).first()
    if job is None or not (job.mode == Job.Mode.GRAB or job.on_board):
        raise NotFoundError(_("No such job on your board."))
    if job.status == Job.Status.AWAITING_PAYMENT:
        raise NotFoundError(_("No such job on your board."))
    if job.status != Job.Status.OPEN and not _could_see(job, factory):
        # No more than an unknown id would tell: whether a job the factory could never see
        # exists, or was taken, is none of its business.
        raise NotFoundError(_("No such job on your board."))
    if job.status in (Job.Status.CANCELLED, Job.Status.EXPIRED):
        raise JOB.conflict(job.status, [Job.Status.OPEN])
    if job.status != Job.Status.OPEN:
        raise ConflictError(_("Another factory has taken this job."), code="already_taken")
    return assignment_create(job=job, factory=factory, user=user, quantity=quantity, via="grab")


@transaction.atomic
def assignment_materials_sent(*, assignment_id, company, user, quantity_sent=None, note="") -> Assignment:
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "sme")
    sent = assignment.quantity if quantity_sent is None else quantity_sent
    if not 0 < sent <= assignment.quantity * 2:
        raise InvalidInputError(
            _("Send between 1 piece and twice the share."), fields={"quantity_sent": [_("Out of range.")]}
        )
    if assignment.status == A.MATERIALS_SENT:
        return assignment  # a retry
    assignment.quantity_sent = sent
    assignment_move(
        assignment, A.MATERIALS_SENT, actor=user, data={"sent": sent, "note": note}, fields=["quantity_sent"]
    )
    materials.movement(assignment, MaterialMovement.Kind.SENT, sent, user=user, note=note)
    job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def assignment_materials_received(*, assignment_id, company, user, quantity_received: int) -> Assignment:
    """The factory counts what arrived; a shortfall caps what it can deliver."""
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "factory")
    if assignment.status == A.MATERIALS_SENT:
        materials.check_received(assignment, quantity_received)
    shortfall = max(0, (assignment.quantity_sent or assignment.quantity) - quantity_received)
    if assignment.status == A.IN_PRODUCTION:
        return assignment  # a retry
    if assignment.status != A.MATERIALS_SENT:
        raise ASSIGNMENT.conflict(assignment.status, [A.MATERIALS_SENT])
    assignment.quantity_received = quantity_received
    assignment_move(
        assignment,
        A.IN_PRODUCTION,
        actor=user,
        action="materials_received",
        data={"received": quantity_received, "shortfall": shortfall},
        fields=["quantity_received"],
    )
    materials.movement(
        assignment,
        MaterialMovement.Kind.RECEIVED,
        quantity_received,
        user=user,
        note=f"shortfall {shortfall}" if shortfall else "",
    )
    job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def assignment_progress(*, assignment_id, company, user, quantity_done: int) -> Assignment:
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "factory")
    ASSIGNMENT.require(assignment, A.IN_PRODUCTION)
    limit = min(assignment.quantity, assignment.quantity_received or 0)
    if not assignment.quantity_done <= quantity_done <= limit:
        raise InvalidInputError(
            _("Progress only grows, up to %(limit)d (the share or the material received).") % {"limit": limit},
            fields={
                "quantity_done": [_("Between %(min)d and %(max)d.") % {"min": assignment.quantity_done, "max": limit}]
            },
        )
    if quantity_done != assignment.quantity_done:
        assignment.quantity_done = quantity_done
        assignment.save(update_fields=["quantity_done", "updated_at"])
        ASSIGNMENT.record(assignment, action="progress", actor=user, data={"quantity_done": quantity_done})
    return assignment


@transaction.atomic
def assignment_deliver(
    *, assignment_id, company, user, quantity_delivered: int, quantity_lost: int = 0, leftover: str = "return"
) -> Assignment:
    """Deliver the pieces and account for every piece of material received: consumed,
    process loss (up to the process's tolerance), and the rest returned or written off."""
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "factory")
    if assignment.status != A.IN_PRODUCTION:
        assignment_move(assignment, A.DELIVERED)  # a retry returns quietly, anything else is 409
        return assignment
    if assignment.quantity_delivered is not None:
        return _redeliver(job, assignment, user=user, quantity_delivered=quantity_delivered)
    materials.check_delivery(assignment, quantity_delivered, quantity_lost, leftover)
    assignment.quantity_delivered = quantity_delivered
    assignment.quantity_done = quantity_delivered
    assignment.delivered_at = timezone.now()
    assignment_move(
        assignment,
        A.DELIVERED,
        actor=user,
        data={"delivered": quantity_delivered, "lost": quantity_lost, "leftover": leftover},
        fields=["quantity_delivered", "quantity_done", "delivered_at"],
    )
    materials.account_for_delivery(assignment, quantity_delivered, quantity_lost, leftover, user=user)
    job_sync_status(job, user=user)
    return assignment


def _redeliver(job, assignment, *, user, quantity_delivered: int) -> Assignment:
    """The lot rejected at inspection comes back reworked: the same pieces, delivered again
    and inspected again. Its material was accounted for at the first delivery."""
    if quantity_delivered != assignment.quantity_delivered:
        raise InvalidInputError(
            _("A reworked lot is delivered whole: %(quantity)d pieces.") % {"quantity": assignment.quantity_delivered},
            fields={"quantity_delivered": [_("Exactly %(quantity)d.") % {"quantity": assignment.quantity_delivered}]},
        )
    assignment.delivered_at = timezone.now()
    assignment_move(
        assignment,
        A.DELIVERED,
        actor=user,
        action="redelivered",
        data={"delivered": quantity_delivered},
        fields=["delivered_at"],
    )
    job_sync_status(job, user=user)
    return assignment


def complete(job, assignment, *, user, quantity_accepted, rating, comment, action, reason="") -> Assignment:
    """Caller holds the locks; moves the assignment to completed and releases its money.
    ``reason`` goes on the trail's row (an admin's note on a resolved dispute)."""
    if assignment.status == A.COMPLETED:
        return assignment  # a retry
    if assignment.status not in ASSIGNMENT.allowed[A.COMPLETED]:
        raise ASSIGNMENT.conflict(assignment.status, [A.DELIVERED])
    delivered = assignment.quantity_delivered or 0
    if not 0 <= quantity_accepted <= delivered:
        raise InvalidInputError(
            _("Accept between 0 and the %(delivered)d pieces delivered.") % {"delivered": delivered},
            fields={"quantity_accepted": [_("Out of range.")]},
        )
    rejected = delivered - quantity_accepted
    assignment.quantity_accepted = quantity_accepted
    assignment.quantity_rejected = rejected
    assignment.rating = rating
    assignment.comment = comment or ""
    assignment.completed_at = timezone.now()
    assignment_move(
        assignment,
        A.COMPLETED,
        actor=user,
        action=action,
        reason=reason,
        data={"accepted": quantity_accepted, "rejected": rejected, "rating": rating},
        fields=["quantity_accepted", "quantity_rejected", "rating", "comment", "completed_at"],
    )
    on_time = assignment.delivered_at is not None and assignment.delivered_at <= job.deadline
    factory_services.factory_record_completion(company_id=assignment.factory_id, rating=rating, on_time=on_time)
    payment_release(assignment)
    job_sync_status(job, user=user)
    return assignment


def payment_release(assignment: Assignment) -> None:
    """The accepted share's escrow goes to the factory (less commission) and back to the SME."""
    payment_services.payment_release_share(
        assignment_id=assignment.id,
        job_id=assignment.job_id,
        factory_id=assignment.factory_id,
        quantity=assignment.quantity,
        quantity_accepted=assignment.quantity_accepted or 0,
        unit_price_fen=assignment.unit_price_fen,
    )


@transaction.atomic
def assignment_accept(*, assignment_id, company, user, quantity_accepted: int, rating: int, comment="") -> Assignment:
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "sme")
    if not (isinstance(rating, int) and 1 <= rating <= 5):
        raise InvalidInputError(_("Rate from 1 to 5."), fields={"rating": [_("From 1 to 5.")]})
    if assignment.status == A.DISPUTED:
        raise ASSIGNMENT.conflict(assignment.status, [A.DELIVERED])
    return complete(
        job,
        assignment,
        user=user,
        quantity_accepted=quantity_accepted,
        rating=rating,
        comment=comment,
        action="accepted_delivery",
    )


@transaction.atomic
def assignment_auto_accept(*, assignment_id) -> Assignment:
    """The inspection window passed: accept everything delivered, as a manual accept would."""
    assignment = Assignment.objects.filter(id=assignment_id).select_related("job").first()
    if assignment is None:
        raise NotFoundError(_("No such assignment."))
    job = job_lock(assignment.job_id)
    assignment = Assignment.objects.select_for_update().get(id=assignment_id)
    if assignment.status != A.DELIVERED:
        return assignment
    return complete(
        job,
        assignment,
        user=None,
        quantity_accepted=assignment.quantity_delivered or 0,
        rating=None,
        comment="",
        action="auto_accepted",
    )


@transaction.atomic
def assignment_withdraw(*, assignment_id, company, user, reason: str = "") -> Assignment:
    """The factory gives the share back before production (API.md); the job is matched
    again without it. Every withdrawal counts against the factory's record, and material it
    was sent goes back to the SME, who confirms receiving it."""
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "factory")
    if assignment_move(assignment, A.WITHDRAWN, actor=user, action="withdrawn", data={"reason": reason}):
        materials.account_for_withdrawal(assignment, user=user)
        factory_services.factory_record_withdrawal(company_id=assignment.factory_id)
        job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def assignment_materials_returned(*, assignment_id, company, user) -> Assignment:
    """The SME confirms it has back the material a factory returned (after a withdrawal, or
    the leftover of a delivery)."""
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "sme")
    if materials.confirm_returned(assignment, user=user):
        ASSIGNMENT.record(assignment, action="materials_returned", actor=user)
    return assignment
