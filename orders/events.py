"""What orders tells each company's event stream (API.md "Real-time events"), always in the
transaction of the change (``core.outbox``): job and share status changes, offers made,
closed and expired, and jobs appearing on or leaving a factory's board.

Who hears what: a job's status goes to its SME and to each factory holding a live or
completed share; a share's status to the SME and that share's factory; an offer only to
its factory; an inspection's verdict to the share's SME and factory; a board entry to each
factory whose rules admit the job (``orders.services.board``), and its removal to every
factory that had it.
"""

from django.utils import timezone

from core.admin import yuan
from core.events import EventType, field, register
from core.outbox import events_emit_select
from orders.cards import JobCard, OfferCard
from orders.models import Assignment, Job, Offer
from orders.quality_models import Inspection

# The SME must act when a share is assigned (send material) or delivered (inspect).
_SME_ACTS_ON = {"assigned": "已接单 assigned", "delivered": "已交付 delivered", "expired": "已过期 expired"}


@register
class OfferCreated(OfferCard, EventType):
    """The fields and the example are the offer card's (``orders.cards.OfferCard``)."""

    type = "offer.created"
    audience = "the factory offered the job"
    description = "A dispatch batch offers the factory a job or a share of one (built in SQL: _OFFERS_MADE_SQL)."
    example = OfferCard.example

    @classmethod
    def push(cls, data):
        job = data["job"]
        return (
            "新派单邀约 New job offer",
            f"{data['quantity']} × {job['process_name_zh']} {job['process_name']} · {yuan(data['amount_fen'])} · "
            f"{data['distance_km']} km",
        )


class _OfferClosed(EventType):
    audience = "the factory offered the job"
    offer_id: int = field("The offer.")
    job_id: int = field("The job.")
    status: str = field("The offer's new status.", enum=Offer.Status.values)
    reason: str = field("Why, for a person (may be empty).")


@register
class OfferWithdrawn(_OfferClosed):
    type = "offer.withdrawn"
    description = "The job was taken, cancelled or expired, or the factory went offline."


@register
class OfferExpired(_OfferClosed):
    type = "offer.expired"
    description = "Nobody answered the offer in time."


@register
class OfferAccepted(_OfferClosed):
    type = "offer.accepted"
    description = "The factory accepted the offer (its other phones hear of it)."


@register
class OfferDeclined(_OfferClosed):
    type = "offer.declined"
    description = "The factory declined the offer (its other phones hear of it)."


@register
class BoardJobAdded(EventType):
    type = "board.job_added"
    audience = "each factory whose rules admit the job"
    description = "A grab job opens (paid, or a share given back) or joins the board after its dispatch misses."
    job: JobCard = field("The job now on the factory's board.")


@register
class BoardJobRemoved(EventType):
    type = "board.job_removed"
    audience = "every factory that was told of the job"
    description = "The job was taken, cancelled or expired, or the factory's rules no longer admit it."
    job_id: int = field("The job.")
    status: str = field("The job's status.", enum=Job.Status.values)


@register
class BoardRefreshed(EventType):
    type = "board.refreshed"
    audience = "the factory"
    description = "The factory's board was rebuilt from its changed rules: read it again."
    jobs: int = field("How many jobs are on the board now.")


@register
class JobStatusChanged(EventType):
    type = "job.status_changed"
    audience = "the SME and each factory holding a share"
    description = "Every move of the job."
    job_id: int = field("The job.")
    old: str = field("The status before.", enum=Job.Status.values)
    new: str = field("The status now.", enum=Job.Status.values)
    example = {"job_id": 7, "old": "open", "new": "assigned"}

    @classmethod
    def push(cls, data):
        if data["new"] not in _SME_ACTS_ON:
            return None
        return ("订单状态更新 Job update", f"#{data['job_id']} {_SME_ACTS_ON[data['new']]}")


@register
class AssignmentStatusChanged(EventType):
    type = "assignment.status_changed"
    audience = "the SME and that share's factory"
    description = "A share is taken (old null), and every step after."
    assignment_id: int = field("The share.")
    job_id: int = field("Its job.")
    old: str | None = field("The status before (null: the share was just taken).", enum=Assignment.Status.values)
    new: str = field("The status now.", enum=Assignment.Status.values)
    example = {"assignment_id": 12, "job_id": 7, "old": "in_production", "new": "delivered"}


@register
class InspectionRecorded(EventType):
    type = "inspection.recorded"
    audience = "the share's SME and factory"
    description = "The SME judged a delivered lot by its sampling plan (the record: GET /assignments/{id}/inspection)."
    inspection_id: int = field("The inspection.")
    assignment_id: int = field("The share inspected.")
    job_id: int = field("Its job.")
    round: int = field("1 for the first inspection of the share, 2 after a rework, ...")
    accepted: bool = field("Whether the lot passed.")
    next: str = field("The step that follows.", enum=Inspection.Next.values)
    found: dict = field("Defects found per class.")


def _topic(job_id: int) -> str:
    return f"job:{job_id}"


def job_status_changed(job: Job, *, old: str, new: str) -> None:
    """``job.status_changed`` to the SME and the share holders (``orders.services.jobs.job_move``)."""
    holders = Assignment.objects.filter(job_id=job.id, status__in=Assignment.COVERING).values_list(
        "factory_id", flat=True
    )
    JobStatusChanged.emit([job.sme_id, *holders], {"job_id": job.id, "old": old, "new": new}, topic=_topic(job.id))


def assignment_status_changed(assignment: Assignment, *, old: str | None, new: str) -> None:
    """``assignment.status_changed`` to the SME and the share's factory: each move
    (``orders.services.jobs.assignment_move``) and a share's creation (old None)."""
    data = {"assignment_id": assignment.id, "job_id": assignment.job_id, "old": old, "new": new}
    if Assignment.job.is_cached(assignment):  # a job's SME never changes: the loaded one will do
        sme_id = assignment.job.sme_id
    else:
        sme_id = Job.objects.filter(id=assignment.job_id).values_list("sme_id", flat=True).get()
    AssignmentStatusChanged.emit([sme_id, assignment.factory_id], data, topic=_topic(assignment.job_id))


def inspection_recorded(assignment: Assignment, inspection) -> None:
    """``inspection.recorded`` to the share's SME and factory: the verdict on a delivered lot
    and the step that follows (the record itself: GET /assignments/{id}/inspection)."""
    data = {
        "inspection_id": inspection.id,
        "assignment_id": assignment.id,
        "job_id": assignment.job_id,
        "round": inspection.round,
        "accepted": inspection.accepted,
        "next": inspection.next,
        "found": inspection.found,
    }
    InspectionRecorded.emit([assignment.job.sme_id, assignment.factory_id], data, topic=_topic(assignment.job_id))


# ``offer.created`` for each offer of a batch, built by PostgreSQL from the batch's rows: the
# offer card's ``jsonb_build_object`` (``OfferCard.sql_object``), the same values as
# ``OfferCard.of`` (tests/orders/test_offer_events_sql.py; under EVENTS_VALIDATE the outbox
# checks each row against the class). Built from this module's constants only, no input.
_OFFER_CARD_SQL = OfferCard.sql_object({"": "o", "job": "j", "job.process": "p"})
_OFFERS_MADE_SQL = """
SELECT o.factory_id AS company_id, '{type}' AS type, {card} AS data, 'job:' || o.job_id AS topic
FROM orders_offer o JOIN orders_job j ON j.id = o.job_id JOIN orders_process p ON p.id = j.process_id
WHERE o.batch_id = %s ORDER BY o.id
""".replace("{type}", OfferCreated.type).replace("{card}", _OFFER_CARD_SQL)


def offers_made_in_batch(batch_id: int) -> int:
    """``offer.created`` to each factory offered something by a dispatch batch (thousands at
    once), written and numbered by one statement from the batch's offer rows."""
    return events_emit_select(_OFFERS_MADE_SQL, [batch_id])


def offer_closed(*, offer_id: int, job_id: int, factory_id: int, status: str, reason: str = "") -> None:
    """``offer.withdrawn`` / ``offer.expired`` (and the factory's own accept or decline)."""
    _OFFER_CLOSED[status].emit_one(
        factory_id, {"offer_id": offer_id, "job_id": job_id, "status": status, "reason": reason}, topic=_topic(job_id)
    )


_OFFER_CLOSED = {
    cls.type.removeprefix("offer."): cls for cls in (OfferWithdrawn, OfferExpired, OfferAccepted, OfferDeclined)
}


def offers_withdraw_pending(job: Job, *, reason: str) -> int:
    """Take back every pending offer of ``job`` (caller holds its lock), telling each factory."""
    pending = list(Offer.objects.filter(job=job, status=Offer.Status.PENDING).values_list("id", "factory_id"))
    if not pending:
        return 0
    Offer.objects.filter(id__in=[offer_id for offer_id, _ in pending], status=Offer.Status.PENDING).update(
        status=Offer.Status.WITHDRAWN, responded_at=timezone.now()
    )
    data = {"job_id": job.id, "status": Offer.Status.WITHDRAWN, "reason": reason}
    OfferWithdrawn.emit_each(
        (factory_id, {**data, "offer_id": offer_id}, _topic(job.id)) for offer_id, factory_id in pending
    )
    return len(pending)


def board_job_added(job: Job, factory_ids) -> None:
    payload = {"job": JobCard.of(job)}
    BoardJobAdded.emit(factory_ids, payload, topic=_topic(job.id))


def board_job_removed(job: Job, factory_ids) -> None:
    data = {"job_id": job.id, "status": job.status}
    BoardJobRemoved.emit(factory_ids, data, topic=_topic(job.id))
