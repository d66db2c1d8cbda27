"""Reads for orders: the board, jobs, their events, assignments, offers and a factory's
wallet. Who may take what is ``orders.matching.eligibility``."""

from datetime import timedelta
from types import SimpleNamespace
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import NotFoundError
from core.shapes import values_object
from factories.models import Capability, FactoryProfile
from orders.cards import JobCard
from orders.matching.eligibility import Eligibility, eligibility_for
from orders.models import Assignment, BoardEntry, Inspection, Job, JobHistory, Offer
from payments import selectors as payment_selectors


def board_jobs_queryset():
    return (
        Job.objects.filter(status=Job.Status.OPEN, deadline__gt=timezone.now())
        .filter(Q(mode=Job.Mode.GRAB) | Q(on_board=True))
        .select_related("process")
    )


def board_list_computed(*, profile: FactoryProfile, now=None) -> list[tuple[Job, Eligibility]]:
    """Open board jobs this factory is eligible for, nearest first, computed from every open
    job of its processes: the rule itself, whose cost grows with the city. The API reads the
    maintained board instead (``board_list_for_factory``); a property test holds the two to
    the same answer."""
    process_ids = Capability.objects.filter(factory=profile).values_list("process_id", flat=True)
    jobs = list(board_jobs_queryset().filter(process_id__in=process_ids))
    pairs = eligibility_for(jobs, [profile], now=now)
    rows = [(job, pairs[(job.id, profile.company_id)]) for job in jobs if (job.id, profile.company_id) in pairs]
    rows.sort(key=lambda row: (row[1].distance_km, row[0].deadline, row[0].id))
    return rows


class BoardRow(NamedTuple):
    job: SimpleNamespace  # what the card shows of the job and the rule reads (``BOARD_JOB_PATHS``)
    pair: Eligibility


# What a board row reads of its job, as plain values (``values_list``): the job card's paths
# (``orders.cards.JobCard``) and the process id the eligibility rule needs beyond them. The
# page's 60 jobs with their processes read as models were about 30% of the board's CPU in a
# profile (pyinstrument, the load bench's world).
BOARD_JOB_PATHS = (*JobCard.sources(), "process_id")
_BOARD_JOB_LOOKUPS = tuple("job__" + path.replace(".", "__") for path in BOARD_JOB_PATHS)


class BoardRows:
    """A factory's board (``orders.services.board`` keeps its entries) as a sequence for the
    paginator, nearest first. ``count()`` counts the jobs its rules admit (one index count);
    a slice reads the entries in order in chunks and keeps the rows the full rule admits right
    now, free capacity included, so a page costs its rows and the ones before it, not the
    city. A job that does not fit the factory's free capacity now is left out of the pages
    (it stays counted until it leaves the board)."""

    CHUNK_EXTRA = 10

    def __init__(self, profile: FactoryProfile, now=None):
        self.profile = profile
        self.now = now or timezone.now()

    def _entries(self):
        return BoardEntry.objects.filter(factory_id=self.profile.company_id, deadline__gt=self.now).order_by(
            "distance_km", "deadline", "job_id"
        )

    def count(self) -> int:
        return self._entries().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        rows, skipped, offset = [], 0, 0
        while stop is None or skipped + len(rows) < stop:
            size = (stop - skipped - len(rows) if stop is not None else 200) + self.CHUNK_EXTRA
            # The entries in order with their jobs' values in one query (the join, no models).
            jobs = [
                values_object(BOARD_JOB_PATHS, row)
                for row in self._entries().values_list(*_BOARD_JOB_LOOKUPS)[offset : offset + size]
            ]
            if not jobs:
                break
            offset += len(jobs)
            pairs = eligibility_for(jobs, [self.profile], now=self.now)
            for job in jobs:
                pair = pairs.get((job.id, self.profile.company_id))
                if pair is None:
                    continue
                if skipped < start:
                    skipped += 1
                elif stop is None or skipped + len(rows) < stop:
                    rows.append(BoardRow(job, pair))
        return rows


def board_list_for_factory(*, profile: FactoryProfile, now=None) -> BoardRows:
    """Open board jobs this factory is eligible for, nearest first (``BoardRows``)."""
    return BoardRows(profile, now=now)


# Where a share's latest inspection rides on the share's own row (``with_last_inspection``).
LAST_INSPECTION = "last_inspection_row"


def with_last_inspection(queryset):
    """Shares with their latest inspection (``last_inspection``), read in the shares' own query:
    one correlated subquery per row on the (assignment, round) unique index, so a list of
    shares costs no query more than before, not one per share (the phone app used to ask
    ``GET /assignments/{id}/inspection`` of every finished share to learn its verdict)."""
    latest = (
        Inspection.objects.filter(assignment=OuterRef("pk"))
        .order_by("-round")
        .values(row=JSONObject(id="id", round="round", accepted="accepted", next="next", inspected_at="created_at"))[:1]
    )
    return queryset.annotate(**{LAST_INSPECTION: Subquery(latest)})


def last_inspection(assignment: Assignment) -> dict | None:
    """The share's latest inspection, ``{id, round, accepted, next, inspected_at}``, or None
    when it was never inspected. Read from the row ``with_last_inspection`` annotated; a share
    read without it (a test's, an admin's) asks once."""
    if not hasattr(assignment, LAST_INSPECTION):
        row = (
            Inspection.objects.filter(assignment=assignment)
            .order_by("-round")
            .values("id", "round", "accepted", "next", inspected_at=F("created_at"))
            .first()
        )
        setattr(assignment, LAST_INSPECTION, row)
    row = getattr(assignment, LAST_INSPECTION)
    if row is None:
        return None
    inspected_at = row["inspected_at"]
    if isinstance(inspected_at, str):  # PostgreSQL's JSON of a timestamptz (ISO 8601)
        inspected_at = parse_datetime(inspected_at)
    return {**row, "inspected_at": inspected_at}


def share_as_taken(assignment: Assignment) -> Assignment:
    """A share a service has just made, ready to answer as a read would show it, without
    reading it: a share just taken has never been inspected."""
    setattr(assignment, LAST_INSPECTION, None)
    return assignment


def _assignments_prefetch(*, factory=None):
    """A job's shares: all of them, or only ``factory``'s own (a factory never sees another
    factory's share, rating or comment on a split job), each with its latest inspection."""
    queryset = with_last_inspection(
        Assignment.objects.select_related("factory").prefetch_related("material_movements").order_by("id")
    )
    if factory is not None:
        queryset = queryset.filter(factory=factory)
    return Prefetch("assignments", queryset=queryset)


def job_list_for_company(*, company, status: str | None = None):
    """SMEs see their own jobs; factories the jobs they hold a live or completed share of
    (a factory that gave its share back no longer follows the job's later life)."""
    if company.is_sme:
        queryset = Job.objects.filter(sme=company)
        shares = _assignments_prefetch()
    else:
        holding = Assignment.objects.filter(factory=company, status__in=Assignment.COVERING).values("job_id")
        queryset = Job.objects.filter(id__in=holding)
        shares = _assignments_prefetch(factory=company)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("process", "sme").prefetch_related(shares).order_by("-created_at", "-id")


def job_as_posted(job: Job) -> Job:
    """The job ``job_post`` has just made, ready to answer as ``job_get_for_company`` would
    read it back, without reading it: its process, SME and payment are the objects it was made
    with, and it has no shares yet (a test holds the two answers equal). Its ``spec`` keeps the
    order the client gave its keys in, where a read gives PostgreSQL's ``jsonb`` order: the
    same object."""
    shares = Assignment._meta.get_field("job").remote_field.get_accessor_name()
    job._prefetched_objects_cache = {shares: Assignment.objects.none()}
    return job


def job_get_for_company(*, job_id, company) -> Job:
    """The job, if this company may see it; otherwise 404 (never reveal others' jobs)."""
    job = job_list_for_company(company=company).filter(id=job_id).first() if company else None
    if job is None:
        raise NotFoundError(_("No such job."))
    return job


def job_get(*, job_id) -> Job:
    """Any job, for platform admins."""
    job = (
        Job.objects.select_related("process", "sme").prefetch_related(_assignments_prefetch()).filter(id=job_id).first()
    )
    if job is None:
        raise NotFoundError(_("No such job."))
    return job


# The job-level events a factory holding a share may read; the rest (offers to other
# factories, their shares' steps) are other companies' business.
FACTORY_VISIBLE_JOB_EVENTS = ("posted", "paid", "status", "cancelled", "unpaid_cancelled", "expired")


def job_events_for_company(*, job_id, company):
    job = job_get_for_company(job_id=job_id, company=company)
    events = JobHistory.objects.filter(job=job)
    if not company.is_sme:
        events = events.filter(
            Q(assignment__factory=company) | Q(assignment__isnull=True, action__in=FACTORY_VISIBLE_JOB_EVENTS)
        )
    return events.select_related("actor__membership__company").order_by("id")


def assignment_list_for_company(*, company):
    if company is None:
        return Assignment.objects.none()
    queryset = with_last_inspection(
        Assignment.objects.select_related("job", "job__process", "factory").prefetch_related("material_movements")
    )
    if company.is_sme:
        return queryset.filter(job__sme=company).order_by("-id")
    return queryset.filter(factory=company).order_by("-id")


def assignment_get_for_company(*, assignment_id, company) -> Assignment:
    assignment = assignment_list_for_company(company=company).filter(id=assignment_id).first() if company else None
    if assignment is None:
        raise NotFoundError(_("No such assignment."))
    return assignment


def offer_list_for_factory(*, company):
    """A factory's offers that are still open to answer."""
    return (
        Offer.objects.filter(factory=company, status=Offer.Status.PENDING, expires_at__gt=timezone.now())
        .select_related("job", "job__process")
        .order_by("expires_at", "id")
    )


def wallet_for_factory(*, company_id: int) -> dict:
    """Escrow held for the factory's live shares, its payable, and what was paid out."""
    escrow = (
        Assignment.objects.filter(factory_id=company_id, status__in=Assignment.LIVE).aggregate(
            total=Sum(F("quantity") * F("unit_price_fen"))
        )["total"]
        or 0
    )
    return {"escrow_fen": escrow, **payment_selectors.factory_balances(company_id=company_id), "currency": "CNY"}


def jobs_summary_for_sme(*, company_id: int) -> dict:
    """An SME's jobs in sums: how many are in each status, and what its payments became
    (paid into escrow, held, released on accepted work, refunded), in fen."""
    counts = dict(Job.objects.filter(sme_id=company_id).values_list("status").annotate(n=Count("id")).order_by())
    return {
        "jobs_by_status": {value: counts.get(value, 0) for value in Job.Status.values},
        **payment_selectors.sme_balances(company_id=company_id),
        "currency": "CNY",
    }


def finished_job_ids():
    """Jobs whose escrow must be empty: completed, cancelled or expired (the ledger check
    asks through ``payments.seams.finished_job_ids``)."""
    return Job.objects.filter(status__in=[Job.Status.COMPLETED, Job.Status.CANCELLED, Job.Status.EXPIRED]).values_list(
        "id", flat=True
    )


def with_payments(jobs):
    """Set each job's ``payment`` from one query (a page of a job list); returns the jobs."""
    jobs = list(jobs)
    payments = payment_selectors.payments_by_job(job.id for job in jobs)
    for job in jobs:
        job.payment = payments.get(job.id)
    return jobs


EMPTY_BATCHES_KEY = "dispatch:empty-batches"


def dispatch_empty_batches() -> int:
    """Dispatch batches that found no open dispatch job or no available factory (counted in
    the cache by ``orders.services.dispatch``, not stored as rows), since the counter started."""
    try:
        return int(cache.get(EMPTY_BATCHES_KEY) or 0)
    except Exception:  # noqa: BLE001 - a figure for people; an unreachable cache shows 0
        return 0


def dispute_shares(*, job: Job) -> list[dict]:
    """What an admin weighs before resolving a job's dispute, per disputed share: the
    factory, the pieces delivered, the SME's reason, what the factory put on the trail since,
    and the customer material sent, received, lost and returned."""
    shares = list(job.assignments.filter(status=Assignment.Status.DISPUTED).select_related("factory").order_by("id"))
    events = JobHistory.objects.filter(assignment__in=shares).select_related("actor").order_by("id")
    factory_users = {share.id: set(share.factory.memberships.values_list("user_id", flat=True)) for share in shares}
    reasons, answers = {}, {}
    for event in events:
        if event.action == Assignment.Status.DISPUTED:
            reasons[event.assignment_id] = event.reason or event.data.get("reason", "")
        elif event.assignment_id in reasons and event.actor_id in factory_users[event.assignment_id] and event.reason:
            answers.setdefault(event.assignment_id, []).append(event.reason)
    rows = []
    for share in shares:
        moved = dict(share.material_movements.values_list("kind", "quantity"))
        rows.append(
            {
                "assignment": share,
                "factory": share.factory,
                "delivered": share.quantity_delivered or 0,
                "reason": reasons.get(share.id, ""),
                "answer": answers.get(share.id, []),
                "sent": moved.get("sent", share.quantity_sent),
                "received": moved.get("received", share.quantity_received),
                "lost": moved.get("loss", 0) + moved.get("written_off", 0),
                "returned": moved.get("returned", 0),
            }
        )
    return rows


def assignments_described(*, assignment_ids) -> dict[int, dict]:
    """What each share is, for a settlement line (``payments.seams.assignments_described``)."""
    rows = Assignment.objects.filter(id__in=list(assignment_ids)).select_related("job__process")
    return {
        share.id: {"job_id": share.job_id, "process": str(share.job.process), "pieces": share.quantity_accepted or 0}
        for share in rows
    }


# An open job (paid, no factory yet) posted this long ago has waited too long: the desk
# counts them and the job list filters them.
WAITING_FOR_FACTORY = timedelta(minutes=30)
# Jobs past their deadline with work still to deliver.
UNFINISHED = (
    Job.Status.OPEN,
    Job.Status.ASSIGNED,
    Job.Status.MATERIALS_SENT,
    Job.Status.IN_PRODUCTION,
)


def jobs_waiting_for_factory(*, now=None):
    now = now or timezone.now()
    return Job.objects.filter(status=Job.Status.OPEN, created_at__lt=now - WAITING_FOR_FACTORY)


def jobs_overdue(*, now=None):
    return Job.objects.filter(status__in=UNFINISHED, deadline__lt=now or timezone.now())
