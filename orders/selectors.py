"""Reads for orders: the board, jobs, their events, assignments, offers and a factory's
wallet. Who may take what is ``orders.matching.eligibility``."""

from datetime import timedelta
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import sampling
from catalogue import selectors as catalogue_selectors
from core.errors import NotFoundError
from factories.models import Capability, FactoryProfile
from orders.matching.eligibility import Eligibility, eligibility_for
from orders.models import Assignment, BoardEntry, FactoryQuality, Job, JobEvent, MaterialMovement, Offer
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
    job: "BoardJob"
    pair: Eligibility


class BoardProcess(NamedTuple):
    code: str
    name: str
    name_zh: str


class BoardJob(NamedTuple):
    """What a board row shows of its job and what the eligibility rule reads of it, as plain
    values (read with ``values_list``): the page's 60 jobs with their processes read as models
    were about 30% of the board's CPU in a profile (pyinstrument, the load bench's world)."""

    id: int
    process_id: int
    spec: dict
    quantity: int
    unit_price_fen: int
    total_fen: int
    deadline: object
    lat: float
    lng: float
    address: str
    allow_split: bool
    process: BoardProcess

    FIELDS = (
        "job_id",
        "job__process_id",
        "job__spec",
        "job__quantity",
        "job__unit_price_fen",
        "job__total_fen",
        "job__deadline",
        "job__lat",
        "job__lng",
        "job__address",
        "job__allow_split",
        "job__process__code",
        "job__process__name",
        "job__process__name_zh",
    )

    @classmethod
    def from_row(cls, row) -> "BoardJob":
        return cls(*row[:11], BoardProcess(*row[11:]))


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
                BoardJob.from_row(row) for row in self._entries().values_list(*BoardJob.FIELDS)[offset : offset + size]
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


def _assignments_prefetch(*, factory=None):
    """A job's shares: all of them, or only ``factory``'s own (a factory never sees another
    factory's share, rating or comment on a split job)."""
    queryset = Assignment.objects.select_related("factory").prefetch_related("material_movements").order_by("id")
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
    events = JobEvent.objects.filter(job=job)
    if not company.is_sme:
        events = events.filter(
            Q(assignment__factory=company) | Q(assignment__isnull=True, action__in=FACTORY_VISIBLE_JOB_EVENTS)
        )
    return events.select_related("actor__membership__company").order_by("id")


def assignment_list_for_company(*, company):
    if company is None:
        return Assignment.objects.none()
    queryset = Assignment.objects.select_related("job", "job__process", "factory").prefetch_related(
        "material_movements"
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
    events = JobEvent.objects.filter(assignment__in=shares).select_related("actor").order_by("id")
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


def switching_state(quality: FactoryQuality | None) -> sampling.SwitchingState:
    if quality is None:
        return sampling.SwitchingState()
    return sampling.SwitchingState(
        severity=quality.severity,
        recent=tuple(quality.recent),
        accepted_run=quality.accepted_run,
        rejections=quality.rejections,
        score=quality.score,
        discontinued=quality.discontinued,
    )


def severity_for(quality: FactoryQuality | None) -> str:
    """The severity the next lot is inspected at (a discontinued stream resumes tightened)."""
    return sampling.resume(switching_state(quality)).severity


def quality_for(*, factory_id: int, process_id: int) -> FactoryQuality | None:
    return FactoryQuality.objects.filter(factory_id=factory_id, process_id=process_id).first()


def assignment_inspection(*, assignment_id, company) -> dict:
    """A share's inspection page, for its SME and its factory: the process's standard, the
    plan the delivered lot is to be judged by (while it is delivered and not yet inspected)
    and every inspection recorded so far, oldest first."""
    assignment = assignment_get_for_company(assignment_id=assignment_id, company=company)
    process = assignment.job.process
    inspections = list(assignment.inspections.order_by("round"))
    quality = quality_for(factory_id=assignment.factory_id, process_id=process.id)
    severity = severity_for(quality)
    inspected = (
        bool(inspections)
        and assignment.delivered_at is not None
        and (inspections[-1].created_at >= assignment.delivered_at)
    )
    plan = None
    if assignment.status == Assignment.Status.DELIVERED and not inspected:
        plan = catalogue_selectors.lot_plan(process, assignment.quantity_delivered or 0, severity)
    return {
        "assignment_id": assignment.id,
        "status": assignment.status,
        "severity": severity,
        "plan": plan,
        "standard": process,
        "inspections": inspections,
    }


def quality_list_for_factory(*, company):
    """A factory's quality per process it has had lots inspected at, by process code."""
    return FactoryQuality.objects.filter(factory=company).select_related("process").order_by("process__code")


# The customer material's figures, in pieces' worth (``materials_by_company``).
MATERIAL_FIGURES = (
    "sent",
    "received",
    "short",
    "consumed",
    "lost",
    "written_off",
    "returned",
    "to_confirm",
    "in_work",
    "left_over",
)


def _material_share(row: dict) -> dict:
    """One share's material from its movements. What was received and not yet consumed,
    lost, written off or returned is still at the factory: in work while the share holds the
    factory's line, left over once it does not (delivery and withdrawal account for every
    piece, so that is a share to look into)."""
    returned = row["returned_confirmed"] + row["to_confirm"]
    at_factory = max(0, row["received"] - row["consumed"] - row["lost"] - row["written_off"] - returned)
    working = row["status"] in Assignment.RESERVING
    return {
        "sent": row["sent"],
        "received": row["received"],
        "short": max(0, row["sent"] - row["received"]) if row["received"] else 0,
        "consumed": row["consumed"],
        "lost": row["lost"],
        "written_off": row["written_off"],
        "returned": row["returned_confirmed"],
        "to_confirm": row["to_confirm"],
        "in_work": at_factory if working else 0,
        "left_over": 0 if working else at_factory,
    }


def material_returned_unconfirmed() -> int:
    """Pieces' worth factories have returned that their SMEs have not yet confirmed (one
    sum, for the desk; ``materials_by_company`` has the whole picture)."""
    return (
        MaterialMovement.objects.filter(kind=MaterialMovement.Kind.RETURNED, confirmed_at__isnull=True).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )


def materials_by_company() -> dict:
    """The SMEs' material at the factories, per SME and per factory, in pieces' worth: sent;
    received; short (sent but not received, of the shares whose receipt was reported);
    consumed; lost (process loss); written off; returned and confirmed by the SME; returned
    but not yet confirmed (``to_confirm``); still at the factory, in work (``in_work``) or
    left over on a share that no longer holds its line (``left_over``). Still to be returned
    to the SME: ``owed`` = ``to_confirm`` + ``left_over``.
    ``{"smes": [...], "factories": [...], "totals": {...}}``, most owed first; each row has
    ``id``, ``name``, ``shares`` and the figures."""

    def moved(kind: str, **more):
        return Coalesce(
            Sum("material_movements__quantity", filter=Q(material_movements__kind=kind, **more)),
            Value(0),
            output_field=IntegerField(),
        )

    kinds = MaterialMovement.Kind
    shares = (
        Assignment.objects.annotate(movements=Count("material_movements"))
        .filter(movements__gt=0)
        .annotate(
            sent=moved(kinds.SENT),
            received=moved(kinds.RECEIVED),
            consumed=moved(kinds.CONSUMED),
            lost=moved(kinds.LOSS),
            written_off=moved(kinds.WRITTEN_OFF),
            returned_confirmed=moved(kinds.RETURNED, material_movements__confirmed_at__isnull=False),
            to_confirm=moved(kinds.RETURNED, material_movements__confirmed_at__isnull=True),
        )
        .values(
            "status",
            "job__sme_id",
            "job__sme__name",
            "factory_id",
            "factory__name",
            "sent",
            "received",
            "consumed",
            "lost",
            "written_off",
            "returned_confirmed",
            "to_confirm",
        )
    )
    groups = {"smes": {}, "factories": {}}
    totals = {"shares": 0, **dict.fromkeys(MATERIAL_FIGURES, 0)}
    for row in shares:
        share = _material_share(row)
        for side, key, name in (
            ("smes", row["job__sme_id"], row["job__sme__name"]),
            ("factories", row["factory_id"], row["factory__name"]),
        ):
            group = groups[side].setdefault(key, {"id": key, "name": name, "shares": 0, **dict.fromkeys(share, 0)})
            group["shares"] += 1
            for figure, value in share.items():
                group[figure] += value
        totals["shares"] += 1
        for figure, value in share.items():
            totals[figure] += value

    def owed(rows):
        for row in rows:
            row["owed"] = row["to_confirm"] + row["left_over"]
        return sorted(rows, key=lambda row: (-row["owed"], -row["in_work"], row["name"]))

    [totals] = owed([totals | {"name": ""}])
    del totals["name"]
    return {"smes": owed(groups["smes"].values()), "factories": owed(groups["factories"].values()), "totals": totals}
