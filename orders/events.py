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

from core.outbox import event_emit, events_emit, events_emit_select
from core.readable import iso_time, iso_time_sql
from orders.models import Assignment, Job, Offer

BOARD_ADDED = "board.job_added"
BOARD_REMOVED = "board.job_removed"


def _topic(job_id: int) -> str:
    return f"job:{job_id}"


_SUMMARY_FIELDS = ("id", "spec", "quantity", "unit_price_fen", "total_fen", "currency", "lat", "lng", "address")
_SUMMARY_ROW = (*_SUMMARY_FIELDS, "deadline", "allow_split", "process__code", "process__name", "process__name_zh")


def _summary(row: dict) -> dict:
    """The job as an offer or a board entry shows it, from its ``_SUMMARY_ROW`` values:
    enough to decide before accepting."""
    return {
        **{name: row[name] for name in _SUMMARY_FIELDS},
        "process": row["process__code"],
        "process_name": row["process__name"],
        "process_name_zh": row["process__name_zh"],
        "deadline": iso_time(row["deadline"]),
        "allow_split": row["allow_split"],
    }


def job_summary(job: Job) -> dict:
    process = job.process
    names = {"process__code": process.code, "process__name": process.name, "process__name_zh": process.name_zh}
    return _summary({**{name: getattr(job, name) for name in _SUMMARY_ROW if "__" not in name}, **names})


def job_moved(job: Job, old: str, new: str) -> None:
    """``orders.transitions.JOB``'s ``on_move``: the SME and the share holders hear of it."""
    holders = Assignment.objects.filter(job_id=job.id, status__in=Assignment.COVERING).values_list(
        "factory_id", flat=True
    )
    data = {"job_id": job.id, "old": old, "new": new}
    events_emit((company_id, "job.status_changed", data, _topic(job.id)) for company_id in {job.sme_id, *holders})


def assignment_moved(assignment: Assignment, old: str | None, new: str) -> None:
    """``orders.transitions.ASSIGNMENT``'s ``on_move`` (and a share's creation, old None)."""
    data = {"assignment_id": assignment.id, "job_id": assignment.job_id, "old": old, "new": new}
    if Assignment.job.is_cached(assignment):  # a job's SME never changes: the loaded one will do
        sme_id = assignment.job.sme_id
    else:
        sme_id = Job.objects.filter(id=assignment.job_id).values_list("sme_id", flat=True).get()
    events_emit(
        (company_id, "assignment.status_changed", data, _topic(assignment.job_id))
        for company_id in {sme_id, assignment.factory_id}
    )


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
    events_emit(
        (company_id, "inspection.recorded", data, _topic(assignment.job_id))
        for company_id in {assignment.job.sme_id, assignment.factory_id}
    )


# ``offer.created`` for each offer of a batch, built by PostgreSQL from the batch's rows (the
# job as ``_summary`` shows it; tests/orders/test_offer_events_sql.py checks every field).
_OFFERS_MADE_SQL = """
SELECT o.factory_id AS company_id, 'offer.created' AS type, jsonb_build_object(
    'id', o.id,
    'job', jsonb_build_object(
        'id', j.id, 'spec', j.spec, 'quantity', j.quantity, 'unit_price_fen', j.unit_price_fen,
        'total_fen', j.total_fen, 'currency', j.currency, 'lat', j.lat, 'lng', j.lng, 'address', j.address,
        'process', p.code, 'process_name', p.name, 'process_name_zh', p.name_zh,
        'deadline', {deadline}, 'allow_split', j.allow_split
    ),
    'quantity', o.quantity, 'amount_fen', o.quantity::bigint * j.unit_price_fen,
    'distance_km', o.distance_km, 'expires_at', {expires_at}, 'status', o.status
) AS data, 'job:' || o.job_id AS topic
FROM orders_offer o JOIN orders_job j ON j.id = o.job_id JOIN orders_process p ON p.id = j.process_id
WHERE o.batch_id = %s ORDER BY o.id
""".replace("{deadline}", iso_time_sql("j.deadline")).replace("{expires_at}", iso_time_sql("o.expires_at"))


def offers_made_in_batch(batch_id: int) -> int:
    """``offer.created`` to each factory offered something by a dispatch batch (thousands at
    once), written and numbered by one statement from the batch's offer rows."""
    return events_emit_select(_OFFERS_MADE_SQL, [batch_id])


def offer_closed(*, offer_id: int, job_id: int, factory_id: int, status: str, reason: str = "") -> None:
    """``offer.withdrawn`` / ``offer.expired`` (and the factory's own accept or decline)."""
    event_emit(
        company_id=factory_id,
        type=f"offer.{status}",
        data={"offer_id": offer_id, "job_id": job_id, "status": status, "reason": reason},
        topic=_topic(job_id),
    )


def offers_withdraw_pending(job: Job, *, reason: str) -> int:
    """Take back every pending offer of ``job`` (caller holds its lock), telling each factory."""
    pending = list(Offer.objects.filter(job=job, status=Offer.Status.PENDING).values_list("id", "factory_id"))
    if not pending:
        return 0
    Offer.objects.filter(id__in=[offer_id for offer_id, _ in pending], status=Offer.Status.PENDING).update(
        status=Offer.Status.WITHDRAWN, responded_at=timezone.now()
    )
    data = {"job_id": job.id, "status": Offer.Status.WITHDRAWN, "reason": reason}
    events_emit(
        (factory_id, "offer.withdrawn", {**data, "offer_id": offer_id}, _topic(job.id))
        for offer_id, factory_id in pending
    )
    return len(pending)


def board_job_added(job: Job, factory_ids) -> None:
    payload = {"job": job_summary(job)}
    events_emit((company_id, BOARD_ADDED, payload, _topic(job.id)) for company_id in factory_ids)


def board_job_removed(job: Job, factory_ids) -> None:
    data = {"job_id": job.id, "status": job.status}
    events_emit((company_id, BOARD_REMOVED, data, _topic(job.id)) for company_id in factory_ids)
