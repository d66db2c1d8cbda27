"""Writes for the job lifecycle (DOMAIN.md). Every status change is one transaction that
locks the job, checks the expected current state, writes one job event and, where money
moves, posts the ledger transaction in the same transaction.

Lock order, everywhere: job, then its assignments, then the factory profile. Keeping one
order means two requests never wait on each other in a circle.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from catalogue.models import Process
from catalogue.selectors import process_get_by_code
from catalogue.specs import spec_validate
from core.errors import ApplicationError, ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from factories import services as factory_services
from factories.models import FactoryProfile
from orders.models import Assignment, Job, JobEvent, MaterialMovement, Offer
from orders.selectors import eligibility_for, split_floor
from payments import services as payment_services

logger = logging.getLogger(__name__)

MAX_QUANTITY = 10_000_000
MAX_UNIT_PRICE_FEN = 100_000_00  # 100,000 yuan a piece is far beyond any sub-process
MAX_DEADLINE_DAYS = 365
MIN_LEAD_MINUTES = 60

# Least to most advanced; a split job reports the least advanced of its live shares.
ASSIGNMENT_ORDER = [
    Assignment.Status.ASSIGNED,
    Assignment.Status.MATERIALS_SENT,
    Assignment.Status.IN_PRODUCTION,
    Assignment.Status.DELIVERED,
    Assignment.Status.DISPUTED,
    Assignment.Status.COMPLETED,
]

# Which assignment step may follow which (the target's allowed current states).
ASSIGNMENT_FROM = {
    Assignment.Status.MATERIALS_SENT: {Assignment.Status.ASSIGNED},
    Assignment.Status.IN_PRODUCTION: {Assignment.Status.MATERIALS_SENT},
    Assignment.Status.DELIVERED: {Assignment.Status.IN_PRODUCTION},
    Assignment.Status.COMPLETED: {Assignment.Status.DELIVERED, Assignment.Status.DISPUTED},
    Assignment.Status.DISPUTED: {Assignment.Status.DELIVERED},
    # From in_production only when no material arrived (lost in transit): see assignment_withdraw.
    Assignment.Status.WITHDRAWN: {
        Assignment.Status.ASSIGNED,
        Assignment.Status.MATERIALS_SENT,
        Assignment.Status.IN_PRODUCTION,
    },
}

# Job-level transitions that are not derived from assignments.
JOB_FROM = {
    Job.Status.OPEN: {Job.Status.AWAITING_PAYMENT},
    Job.Status.CANCELLED: {Job.Status.AWAITING_PAYMENT, Job.Status.OPEN},
    Job.Status.EXPIRED: {Job.Status.OPEN},
}


def _actor_label(user) -> str:
    return user.get_username() if user is not None else "system"


def job_event(job, *, action, user=None, assignment=None, old="", new="", data=None) -> JobEvent:
    return JobEvent.objects.create(
        job=job,
        assignment=assignment,
        actor=user,
        actor_label=_actor_label(user),
        action=action,
        old_status=old,
        new_status=new,
        data=data or {},
    )


def job_lock(job_id) -> Job:
    """Lock and return the job (404 if absent). Every writer of a job takes this lock first."""
    job = Job.objects.select_for_update().filter(id=job_id).first()
    if job is None:
        raise NotFoundError("No such job.")
    return job


def _state_conflict(kind: str, required: set, current: str) -> ConflictError:
    wanted = sorted(required)[0] if len(required) == 1 else "in_a_state_that_allows_this"
    return ConflictError(
        f"The {kind} is {current}; this needs it to be {' or '.join(sorted(required))}.",
        code=f"{kind}_not_{wanted}",
        fields={"status": [current]},
    )


# --- quoting and posting -------------------------------------------------------------


def _validate_job_terms(*, quantity, deadline, unit_price_fen=None, now=None) -> None:
    now = now or timezone.now()
    fields = {}
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
        fields["quantity"] = [f"A whole number from 1 to {MAX_QUANTITY}."]
    if deadline is None or deadline < now + timedelta(minutes=MIN_LEAD_MINUTES):
        fields["deadline"] = [f"Must be at least {MIN_LEAD_MINUTES} minutes in the future."]
    elif deadline > now + timedelta(days=MAX_DEADLINE_DAYS):
        fields["deadline"] = [f"Must be within {MAX_DEADLINE_DAYS} days."]
    if unit_price_fen is not None and not 0 < unit_price_fen <= MAX_UNIT_PRICE_FEN:
        fields["unit_price_fen"] = [f"From 1 to {MAX_UNIT_PRICE_FEN} fen."]
    if fields:
        raise InvalidInputError("The job's terms are not valid.", fields=fields)


def _process_or_400(code) -> Process:
    process = process_get_by_code(code) if isinstance(code, str) else None
    if process is None:
        raise InvalidInputError("Unknown process.", code="unknown_process", fields={"process": ["Unknown process."]})
    return process


def job_quote(*, process_code: str, quantity: int, spec: dict, deadline, now=None) -> dict:
    """A fair unit price: the larger of the catalogue's reference price and the median live
    price of verified factories for the process, plus an urgency surcharge when the
    deadline is near (URGENCY_SURCHARGE), rounded up to the fen."""
    now = now or timezone.now()
    process = _process_or_400(process_code)
    spec_validate(process.spec_schema, spec)
    _validate_job_terms(quantity=quantity, deadline=deadline, now=now)
    prices = sorted(
        process.capabilities.filter(factory__verification=FactoryProfile.Verification.VERIFIED).values_list(
            "unit_price_fen", flat=True
        )
    )
    median = prices[len(prices) // 2] if prices else 0
    base = max(process.reference_unit_price_fen, median)
    hours = (deadline - now).total_seconds() / 3600
    surcharge_bps = next((bps for limit, bps in settings.URGENCY_SURCHARGE if hours < limit), 0)
    unit_price = -(-base * (10000 + surcharge_bps) // 10000)
    return {
        "unit_price_fen": unit_price,
        "total_fen": unit_price * quantity,
        "currency": settings.CURRENCY,
        "reference_unit_price_fen": process.reference_unit_price_fen,
        "market_unit_price_fen": median or None,
        "urgency_surcharge_bps": surcharge_bps,
    }


@transaction.atomic
def job_post(
    *,
    sme,
    user,
    process_code: str,
    quantity: int,
    spec: dict,
    deadline,
    unit_price_fen: int,
    mode: str = Job.Mode.GRAB,
    allow_split: bool = False,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
) -> Job:
    """Create the job awaiting payment, and its payment. It opens when the payment succeeds."""
    process = _process_or_400(process_code)
    spec_validate(process.spec_schema, spec)
    _validate_job_terms(quantity=quantity, deadline=deadline, unit_price_fen=unit_price_fen)
    if mode not in Job.Mode.values:
        raise InvalidInputError("Unknown mode.", fields={"mode": ["grab or dispatch."]})
    lat = sme.lat if lat is None else lat
    lng = sme.lng if lng is None else lng
    if lat is None or lng is None:
        raise InvalidInputError(
            "Where is the material handed over? Give lat and lng (or set your company's location).",
            fields={"lat": ["Required."], "lng": ["Required."]},
        )
    job = Job.objects.create(
        sme=sme,
        created_by=user,
        process=process,
        spec=spec,
        quantity=quantity,
        unit_price_fen=unit_price_fen,
        total_fen=quantity * unit_price_fen,
        currency=settings.CURRENCY,
        deadline=deadline,
        lat=lat,
        lng=lng,
        address=address or sme.address,
        mode=mode,
        allow_split=allow_split,
    )
    job_event(job, action="posted", user=user, new=job.status, data={"total_fen": job.total_fen})
    payment_services.payment_create_for_job(job=job)
    return job


# --- job-level transitions -----------------------------------------------------------


def _job_set_status(job: Job, to: str, *, user=None, action=None, data=None) -> Job:
    """Caller holds the job lock and has checked the transition."""
    old = job.status
    job.status = to
    job.save(update_fields=["status", "updated_at"])
    job_event(job, action=action or to, user=user, old=old, new=to, data=data)
    if to != Job.Status.OPEN:
        # A job that is taken, cancelled or expired takes back any offer still out.
        Offer.objects.filter(job=job, status=Offer.Status.PENDING).update(
            status=Offer.Status.WITHDRAWN, responded_at=timezone.now()
        )
    return job


def _job_transition(job: Job, to: str, *, user=None, action=None, data=None) -> Job:
    if job.status == to:
        return job  # a retry, not an error
    if job.status not in JOB_FROM[to]:
        raise _state_conflict("job", JOB_FROM[to], job.status)
    return _job_set_status(job, to, user=user, action=action, data=data)


@transaction.atomic
def job_mark_paid(*, job_id: int, data=None) -> Job:
    """awaiting_payment -> open; called by the payment service when the money is in escrow."""
    job = job_lock(job_id)
    if job.status != Job.Status.AWAITING_PAYMENT:
        return job  # paid late (after a cancel) is the payment service's to refund
    return _job_transition(job, Job.Status.OPEN, action="paid", data=data)


@transaction.atomic
def job_cancel(*, job_id: int, sme, user, reason: str = "") -> Job:
    job = job_lock(job_id)
    if job.sme_id != sme.id:
        raise NotFoundError("No such job.")
    if job.status == Job.Status.CANCELLED:
        return job
    if job.status == Job.Status.OPEN and job.assignments.filter(status__in=Assignment.LIVE).exists():
        raise ConflictError(
            "Part of this job is already assigned; it can no longer be cancelled.", code="job_partially_assigned"
        )
    _job_transition(job, Job.Status.CANCELLED, user=user, action="cancelled", data={"reason": reason})
    job.cancel_reason = reason
    job.save(update_fields=["cancel_reason", "updated_at"])
    payment_services.payment_refund_job_escrow(job=job, reason="cancelled")
    return job


@transaction.atomic
def job_expire(*, job_id: int) -> Job:
    """open -> expired when the deadline can no longer be met; the escrow is refunded.
    A job still awaiting payment by then is cancelled by the system instead (nothing was
    paid; a payment that still arrives is refunded by the payment service)."""
    job = job_lock(job_id)
    if job.status in (Job.Status.EXPIRED, Job.Status.CANCELLED):
        return job
    if job.status == Job.Status.AWAITING_PAYMENT:
        job.cancel_reason = "not paid before the deadline"
        job.save(update_fields=["cancel_reason", "updated_at"])
        return _job_transition(job, Job.Status.CANCELLED, action="unpaid_cancelled")
    if job.assignments.filter(status__in=Assignment.LIVE).exists():
        raise ConflictError("Part of this job is assigned.", code="job_partially_assigned")
    _job_transition(job, Job.Status.EXPIRED, action="expired")
    payment_services.payment_refund_job_escrow(job=job, reason="expired")
    return job


def _job_sync_status(job: Job, *, user=None) -> Job:
    """Derive an assigned job's status from its live assignments (caller holds the lock).

    Uncovered -> open; covered -> the least advanced live share's status.
    """
    if job.status in (Job.Status.AWAITING_PAYMENT, Job.Status.CANCELLED, Job.Status.EXPIRED):
        return job
    live = [a.status for a in job.assignments.filter(status__in=Assignment.COVERING)]
    covered = job.assignments.filter(status__in=Assignment.COVERING).aggregate(total=Sum("quantity"))["total"] or 0
    target = Job.Status.OPEN if covered < job.quantity else min(live, key=ASSIGNMENT_ORDER.index)
    if target != job.status:
        _job_set_status(job, target, user=user, action="status")
    return job


# --- taking a job --------------------------------------------------------------------


def _lock_profile(company_id: int) -> FactoryProfile:
    return FactoryProfile.objects.select_for_update().get(company_id=company_id)


def assignment_create(
    *, job: Job, factory, user, quantity: int | None, via: str, offer_id: int | None = None, as_of=None
) -> Assignment:
    """Give ``factory`` a share of ``job`` (caller holds the job lock and has checked it is open).

    Locks the factory profile so one factory's capacity is checked and booked by one
    request at a time, then re-checks eligibility with the live numbers (an offer being
    accepted does not count against itself).
    """
    profile = _lock_profile(factory.id)
    pair = eligibility_for([job], [profile], now=as_of, ignore_offer_id=offer_id).get((job.id, factory.id))
    if pair is None:
        if eligibility_for([job], [profile], now=as_of, check_capacity=False, ignore_offer_id=offer_id):
            raise ConflictError(
                "Your free capacity before the deadline no longer covers this job.", code="insufficient_capacity"
            )
        raise NotFoundError("No such job on your board.")
    share = pair.max_share if quantity is None else quantity
    if not job.allow_split and quantity is not None and quantity != pair.max_share:
        raise InvalidInputError(
            "This job cannot be split; accept it whole.", fields={"quantity": ["Only with allow_split."]}
        )
    if share < pair.min_share or share > pair.max_share:
        raise InvalidInputError(
            f"Take between {pair.min_share} and {pair.max_share} pieces.",
            code="invalid_share",
            fields={"quantity": [f"Between {pair.min_share} and {pair.max_share}."]},
        )
    if job.allow_split:
        covered = job.assignments.filter(status__in=Assignment.COVERING).aggregate(t=Sum("quantity"))["t"] or 0
        remainder = job.quantity - covered - share
        if 0 < remainder < split_floor(job):
            raise InvalidInputError(
                "That would leave a remainder too small to place; take all of it or less.",
                code="invalid_share",
                fields={"quantity": [f"Leave 0 or at least {split_floor(job)} pieces."]},
            )
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                job=job, factory=factory, quantity=share, unit_price_fen=job.unit_price_fen, via=via
            )
    except IntegrityError:
        # The schema's last word (one share per factory and job): never a 500.
        raise ConflictError("This factory already holds a share of this job.", code="already_holding") from None
    job_event(
        job,
        action="accepted",
        user=user,
        assignment=assignment,
        new=assignment.status,
        data={"factory_id": factory.id, "quantity": share, "via": via, "distance_km": pair.distance_km},
    )
    factory_services.factory_record_taken(company_id=factory.id)
    _job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def board_accept(*, job_id: int, factory, user, quantity: int | None = None) -> Assignment:
    """First accept wins: the job row lock serialises racing factories; losers get 409."""
    job = Job.objects.select_for_update().filter(id=job_id).first()
    if job is None or not (job.mode == Job.Mode.GRAB or job.on_board):
        raise NotFoundError("No such job on your board.")
    if job.status == Job.Status.AWAITING_PAYMENT:
        raise NotFoundError("No such job on your board.")
    if job.status in (Job.Status.CANCELLED, Job.Status.EXPIRED):
        raise _state_conflict("job", {Job.Status.OPEN}, job.status)
    if job.status != Job.Status.OPEN:
        raise ConflictError("Another factory has taken this job.", code="already_taken")
    return assignment_create(job=job, factory=factory, user=user, quantity=quantity, via="grab")


# --- assignment steps ----------------------------------------------------------------


def _lock_assignment(assignment_id, *, company) -> tuple[Job, Assignment]:
    """Lock the job, then the assignment; 404 unless ``company`` is its SME or factory."""
    row = Assignment.objects.filter(id=assignment_id).values_list("job_id", "factory_id", "job__sme_id").first()
    if row is None or company is None or company.id not in (row[1], row[2]):
        raise NotFoundError("No such assignment.")
    job = job_lock(row[0])
    assignment = Assignment.objects.select_for_update().get(id=assignment_id)
    return job, assignment


def _require_party(assignment: Assignment, company, party: str) -> None:
    owner_id = assignment.factory_id if party == "factory" else assignment.job.sme_id
    if company.id != owner_id:
        raise ForbiddenError(f"Only the assignment's {party} may do this.")


def _assignment_move(job, assignment, to, *, user, action=None, data=None) -> bool:
    """Move one assignment; returns False for a retry of a step already done."""
    if assignment.status == to:
        return False
    if assignment.status not in ASSIGNMENT_FROM[to]:
        raise _state_conflict("assignment", ASSIGNMENT_FROM[to], assignment.status)
    old = assignment.status
    assignment.status = to
    assignment.save()
    job_event(job, action=action or to, user=user, assignment=assignment, old=old, new=to, data=data)
    return True


def _movement(assignment, kind, quantity, *, user, note="") -> None:
    if quantity > 0:
        MaterialMovement.objects.create(assignment=assignment, kind=kind, quantity=quantity, note=note, actor=user)


@transaction.atomic
def assignment_materials_sent(*, assignment_id, company, user, quantity_sent=None, note="") -> Assignment:
    job, assignment = _lock_assignment(assignment_id, company=company)
    _require_party(assignment, company, "sme")
    sent = assignment.quantity if quantity_sent is None else quantity_sent
    if not 0 < sent <= assignment.quantity * 2:
        raise InvalidInputError(
            "Send between 1 piece and twice the share.", fields={"quantity_sent": ["Out of range."]}
        )
    if _assignment_move(
        job, assignment, Assignment.Status.MATERIALS_SENT, user=user, data={"sent": sent, "note": note}
    ):
        assignment.quantity_sent = sent
        assignment.save(update_fields=["quantity_sent", "updated_at"])
        _movement(assignment, MaterialMovement.Kind.SENT, sent, user=user, note=note)
        _job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def assignment_materials_received(*, assignment_id, company, user, quantity_received: int) -> Assignment:
    """The factory counts what arrived; a shortfall caps what it can deliver."""
    job, assignment = _lock_assignment(assignment_id, company=company)
    _require_party(assignment, company, "factory")
    if assignment.status == Assignment.Status.MATERIALS_SENT:
        limit = assignment.quantity_sent or assignment.quantity
        if not 0 <= quantity_received <= limit:
            raise InvalidInputError(
                f"Received must be between 0 and the {limit} pieces' worth sent.",
                fields={"quantity_received": ["Out of range."]},
            )
    shortfall = max(0, (assignment.quantity_sent or assignment.quantity) - quantity_received)
    data = {"received": quantity_received, "shortfall": shortfall}
    if _assignment_move(
        job, assignment, Assignment.Status.IN_PRODUCTION, user=user, action="materials_received", data=data
    ):
        assignment.quantity_received = quantity_received
        assignment.save(update_fields=["quantity_received", "updated_at"])
        _movement(
            assignment,
            MaterialMovement.Kind.RECEIVED,
            quantity_received,
            user=user,
            note=f"shortfall {shortfall}" if shortfall else "",
        )
        _job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def assignment_progress(*, assignment_id, company, user, quantity_done: int) -> Assignment:
    job, assignment = _lock_assignment(assignment_id, company=company)
    _require_party(assignment, company, "factory")
    if assignment.status != Assignment.Status.IN_PRODUCTION:
        raise _state_conflict("assignment", {Assignment.Status.IN_PRODUCTION}, assignment.status)
    limit = min(assignment.quantity, assignment.quantity_received or 0)
    if not assignment.quantity_done <= quantity_done <= limit:
        raise InvalidInputError(
            f"Progress only grows, up to {limit} (the share or the material received).",
            fields={"quantity_done": [f"Between {assignment.quantity_done} and {limit}."]},
        )
    if quantity_done != assignment.quantity_done:
        assignment.quantity_done = quantity_done
        assignment.save(update_fields=["quantity_done", "updated_at"])
        job_event(job, action="progress", user=user, assignment=assignment, data={"quantity_done": quantity_done})
    return assignment


def material_loss_allowance(assignment: Assignment) -> int:
    received = assignment.quantity_received or 0
    return received * assignment.job.process.material_tolerance_bps // 10000


@transaction.atomic
def assignment_deliver(
    *, assignment_id, company, user, quantity_delivered: int, quantity_lost: int = 0, leftover: str = "return"
) -> Assignment:
    """Deliver the pieces and account for every piece of material received: consumed,
    process loss (up to the process's tolerance), and the rest returned or written off."""
    job, assignment = _lock_assignment(assignment_id, company=company)
    _require_party(assignment, company, "factory")
    if assignment.status == Assignment.Status.IN_PRODUCTION:
        received = assignment.quantity_received or 0
        limit = min(assignment.quantity, received)
        allowance = material_loss_allowance(assignment)
        fields = {}
        if not 0 < quantity_delivered <= limit:
            fields["quantity_delivered"] = [f"Between 1 and {limit} (the share or the material received)."]
        if not 0 <= quantity_lost <= allowance:
            fields["quantity_lost"] = [f"Process loss may be at most {allowance} of {received} received."]
        elif quantity_delivered + quantity_lost > received:
            fields["quantity_lost"] = ["Delivered plus lost exceeds the material received."]
        if leftover not in ("return", "write_off"):
            fields["leftover"] = ["return or write_off."]
        if fields:
            raise InvalidInputError("The delivery does not add up.", code="invalid_delivery", fields=fields)
    if _assignment_move(
        job,
        assignment,
        Assignment.Status.DELIVERED,
        user=user,
        data={"delivered": quantity_delivered, "lost": quantity_lost, "leftover": leftover},
    ):
        received = assignment.quantity_received or 0
        rest = received - quantity_delivered - quantity_lost
        assignment.quantity_delivered = quantity_delivered
        assignment.quantity_done = quantity_delivered
        assignment.delivered_at = timezone.now()
        assignment.save(update_fields=["quantity_delivered", "quantity_done", "delivered_at", "updated_at"])
        _movement(assignment, MaterialMovement.Kind.CONSUMED, quantity_delivered, user=user)
        _movement(assignment, MaterialMovement.Kind.LOSS, quantity_lost, user=user)
        kind = MaterialMovement.Kind.RETURNED if leftover == "return" else MaterialMovement.Kind.WRITTEN_OFF
        _movement(assignment, kind, rest, user=user)
        _job_sync_status(job, user=user)
    return assignment


def _complete(job, assignment, *, user, quantity_accepted, rating, comment, action) -> Assignment:
    """Caller holds the locks; moves the assignment to completed and releases its money."""
    if assignment.status == Assignment.Status.COMPLETED:
        return assignment  # a retry
    if assignment.status not in ASSIGNMENT_FROM[Assignment.Status.COMPLETED]:
        raise _state_conflict("assignment", {Assignment.Status.DELIVERED}, assignment.status)
    delivered = assignment.quantity_delivered or 0
    if not 0 <= quantity_accepted <= delivered:
        raise InvalidInputError(
            f"Accept between 0 and the {delivered} pieces delivered.", fields={"quantity_accepted": ["Out of range."]}
        )
    rejected = delivered - quantity_accepted
    data = {"accepted": quantity_accepted, "rejected": rejected, "rating": rating}
    if not _assignment_move(job, assignment, Assignment.Status.COMPLETED, user=user, action=action, data=data):
        return assignment
    assignment.quantity_accepted = quantity_accepted
    assignment.quantity_rejected = rejected
    assignment.rating = rating
    assignment.comment = comment or ""
    assignment.completed_at = timezone.now()
    assignment.save()
    on_time = assignment.delivered_at is not None and assignment.delivered_at <= job.deadline
    factory_services.factory_record_completion(company_id=assignment.factory_id, rating=rating, on_time=on_time)
    payment_services.payment_release_assignment(assignment=assignment)
    _job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def assignment_accept(*, assignment_id, company, user, quantity_accepted: int, rating: int, comment="") -> Assignment:
    job, assignment = _lock_assignment(assignment_id, company=company)
    _require_party(assignment, company, "sme")
    if not (isinstance(rating, int) and 1 <= rating <= 5):
        raise InvalidInputError("Rate from 1 to 5.", fields={"rating": ["From 1 to 5."]})
    if assignment.status == Assignment.Status.DISPUTED:
        raise _state_conflict("assignment", {Assignment.Status.DELIVERED}, assignment.status)
    return _complete(
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
        raise NotFoundError("No such assignment.")
    job = job_lock(assignment.job_id)
    assignment = Assignment.objects.select_for_update().get(id=assignment_id)
    if assignment.status != Assignment.Status.DELIVERED:
        return assignment
    return _complete(
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
    """The factory gives the share back before production; the job is matched again.

    Once production has started this is refused, except when no material arrived at all
    (lost in transit): then there is nothing to produce with, and it is not held against
    the factory's record.
    """
    job, assignment = _lock_assignment(assignment_id, company=company)
    _require_party(assignment, company, "factory")
    nothing_received = assignment.status == Assignment.Status.IN_PRODUCTION and not assignment.quantity_received
    if assignment.status == Assignment.Status.IN_PRODUCTION and not nothing_received:
        raise _state_conflict(
            "assignment", {Assignment.Status.ASSIGNED, Assignment.Status.MATERIALS_SENT}, assignment.status
        )
    if _assignment_move(
        job,
        assignment,
        Assignment.Status.WITHDRAWN,
        user=user,
        action="withdrawn",
        data={"reason": reason, "no_material": nothing_received},
    ):
        if assignment.quantity_sent and nothing_received:
            _movement(
                assignment,
                MaterialMovement.Kind.WRITTEN_OFF,
                assignment.quantity_sent,
                user=user,
                note="lost in transit: nothing arrived",
            )
        elif assignment.quantity_sent:
            _movement(
                assignment,
                MaterialMovement.Kind.RETURNED,
                assignment.quantity_sent,
                user=user,
                note="returned unprocessed after withdrawal",
            )
        if not nothing_received:
            factory_services.factory_record_withdrawal(company_id=assignment.factory_id)
        _job_sync_status(job, user=user)
    return assignment


@transaction.atomic
def job_dispute(*, job_id: int, sme, user, reason: str) -> Job:
    """The SME disputes the delivery: every delivered share is held for an admin (and kept
    from auto-accept). A split job's delivered shares can be disputed while others are
    still in production."""
    job = job_lock(job_id)
    if job.sme_id != sme.id:
        raise NotFoundError("No such job.")
    delivered = list(job.assignments.select_for_update().filter(status=Assignment.Status.DELIVERED))
    if not delivered:
        if job.status == Job.Status.DISPUTED:
            return job  # a retry
        raise _state_conflict("job", {Job.Status.DELIVERED}, job.status)
    for assignment in delivered:
        _assignment_move(job, assignment, Assignment.Status.DISPUTED, user=user, data={"reason": reason})
    _job_sync_status(job, user=user)
    return job


@transaction.atomic
def dispute_resolve(*, job_id: int, admin, quantity_accepted: int, note: str = "") -> Job:
    """An admin settles a disputed job with the agreed quantity, spread over its disputed
    shares in order; money moves as for an accept with rejects."""
    job = job_lock(job_id)
    disputed = list(job.assignments.select_for_update().filter(status=Assignment.Status.DISPUTED).order_by("id"))
    if not disputed:
        raise _state_conflict("job", {Job.Status.DISPUTED}, job.status)
    # Lock every factory profile involved, in id order, before the first ledger post: the
    # order stays job -> assignments -> profiles -> ledger accounts for the whole loop.
    list(
        FactoryProfile.objects.select_for_update()
        .filter(company_id__in={a.factory_id for a in disputed})
        .order_by("company_id")
        .values_list("company_id", flat=True)
    )
    delivered = sum(a.quantity_delivered or 0 for a in disputed)
    if not 0 <= quantity_accepted <= delivered:
        raise InvalidInputError(
            f"Accept between 0 and the {delivered} pieces delivered.", fields={"quantity_accepted": ["Out of range."]}
        )
    left = quantity_accepted
    for assignment in disputed:
        share = min(left, assignment.quantity_delivered or 0)
        left -= share
        _complete(
            job, assignment, user=admin, quantity_accepted=share, rating=None, comment=note, action="dispute_resolved"
        )
    return job


def assignments_auto_accept_due(*, now=None) -> int:
    """Beat: accept deliveries left uninspected past the inspection window, exactly as a
    manual accept of everything delivered would. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.INSPECTION_WINDOW_HOURS)
    due = Assignment.objects.filter(status=Assignment.Status.DELIVERED, delivered_at__lte=cutoff).values_list(
        "id", flat=True
    )
    done = 0
    for assignment_id in due:
        try:
            if assignment_auto_accept(assignment_id=assignment_id).status == Assignment.Status.COMPLETED:
                done += 1
        except ApplicationError:
            # One share that cannot be settled must not hold up everyone else's money.
            logger.exception("auto-accept of assignment %s refused", assignment_id)
    return done


def jobs_expire_due(*, now=None) -> int:
    """Beat: expire open jobs that nobody has taken and whose deadline can no longer be met
    (less than an hour left), refunding their escrow like a cancel; jobs never paid by then
    are cancelled. Returns how many."""
    now = now or timezone.now()
    due = (
        Job.objects.filter(
            status__in=[Job.Status.OPEN, Job.Status.AWAITING_PAYMENT],
            deadline__lte=now + timedelta(minutes=MIN_LEAD_MINUTES),
        )
        .exclude(assignments__status__in=Assignment.LIVE)
        .values_list("id", flat=True)
    )
    expired = 0
    for job_id in due:
        try:
            job_expire(job_id=job_id)
            expired += 1
        except ApplicationError:
            logger.info("job %s not expired (taken or changed meanwhile)", job_id)
    return expired
