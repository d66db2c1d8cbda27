"""Reads for orders: catalogue, eligibility (one rule for board, accept and dispatch), jobs."""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from factories.capacity import free_capacity
from factories.models import Capability, FactoryProfile
from marketplace.errors import NotFoundError
from marketplace.geo import haversine_km
from orders.models import Assignment, Job, JobEvent, Process


def process_list():
    return Process.objects.filter(active=True).order_by("code")


def process_get_by_code(code: str) -> Process | None:
    return Process.objects.filter(code=code, active=True).first()


@dataclass(frozen=True)
class Eligibility:
    """Why a factory may take (part of) a job, with what it needs to decide."""

    job_id: int
    factory_id: int
    unit_price_fen: int
    distance_km: float
    free_capacity: int
    min_share: int  # the smallest share it may take (the whole remainder unless split)
    max_share: int  # the largest share it may take now


def split_floor(job: Job) -> int:
    """The smallest share of a split job worth placing (SPLIT_MIN_SHARE_BPS of it)."""
    return max(1, -(-job.quantity * settings.SPLIT_MIN_SHARE_BPS // 10000))


def split_min_share(job: Job, capability_min_quantity: int, remaining: int) -> int:
    """A useful part of a split job: the capability's minimum and the split floor."""
    return min(remaining, max(capability_min_quantity, split_floor(job)))


def job_remaining_quantities(job_ids) -> tuple[dict[int, int], dict[int, set[int]]]:
    """Per job: pieces covered by live assignments, and the factories holding them."""
    covered: dict[int, int] = defaultdict(int)
    holders: dict[int, set[int]] = defaultdict(set)
    rows = Assignment.objects.filter(job_id__in=job_ids, status__in=Assignment.LIVE).values_list(
        "job_id", "factory_id", "quantity"
    )
    for job_id, factory_id, quantity in rows:
        covered[job_id] += quantity
        holders[job_id].add(factory_id)
    return covered, holders


def eligibility_for(
    jobs, profiles, *, now=None, excluded=None, check_capacity=True
) -> dict[tuple[int, int], Eligibility]:
    """Every eligible (job, factory) pair among ``jobs`` x ``profiles`` (DOMAIN.md, Matching).

    A factory is eligible for a job when it is verified and online, has a capability for the
    process priced at or below the job's price with a minimum quantity the job meets, the
    hand-off place lies within its service radius, it does not already hold a share, and its
    free capacity before the deadline covers the remaining quantity (or, for a split job, a
    useful part of it). Three queries, whatever the sizes. With ``check_capacity=False``
    it answers whether the factory would be eligible if it had the capacity.
    """
    now = now or timezone.now()
    excluded = excluded or set()
    jobs = list(jobs)
    profiles = [
        p for p in profiles if p.verification == FactoryProfile.Verification.VERIFIED and p.online and p.lat is not None
    ]
    if not jobs or not profiles:
        return {}
    factory_ids = [p.company_id for p in profiles]
    process_ids = {j.process_id for j in jobs}
    capabilities = {
        (c.factory_id, c.process_id): c
        for c in Capability.objects.filter(factory_id__in=factory_ids, process_id__in=process_ids)
    }
    reservations: dict[tuple[int, int], list] = defaultdict(list)
    for factory_id, process_id, deadline, quantity, done in Assignment.objects.filter(
        factory_id__in=factory_ids, status__in=Assignment.RESERVING
    ).values_list("factory_id", "job__process_id", "job__deadline", "quantity", "quantity_done"):
        reservations[(factory_id, process_id)].append((deadline, quantity - done))
    covered, holders = job_remaining_quantities([j.id for j in jobs])

    result = {}
    for job in jobs:
        remaining = job.quantity - covered.get(job.id, 0)
        if remaining <= 0:
            continue
        for profile in profiles:
            if (job.id, profile.company_id) in excluded or profile.company_id in holders.get(job.id, ()):
                continue
            capability = capabilities.get((profile.company_id, job.process_id))
            if capability is None or capability.unit_price_fen > job.unit_price_fen:
                continue
            if capability.min_quantity > (remaining if not job.allow_split else job.quantity):
                continue
            distance = haversine_km(job.lat, job.lng, profile.lat, profile.lng)
            if distance > profile.service_radius_km:
                continue
            free = free_capacity(
                daily_capacity=capability.daily_capacity,
                lead_time_days=capability.lead_time_days,
                reservations=reservations.get((profile.company_id, job.process_id), []),
                now=now,
                deadline=job.deadline,
            )
            if job.allow_split:
                min_share = split_min_share(job, capability.min_quantity, remaining)
                max_share = min(remaining, free)
            else:
                min_share = max_share = remaining
            if check_capacity and (free < min_share or max_share < min_share):
                continue
            result[(job.id, profile.company_id)] = Eligibility(
                job_id=job.id,
                factory_id=profile.company_id,
                unit_price_fen=capability.unit_price_fen,
                distance_km=round(distance, 3),
                free_capacity=free,
                min_share=min_share,
                max_share=max_share,
            )
    return result


def board_jobs_queryset():
    return (
        Job.objects.filter(status=Job.Status.OPEN, deadline__gt=timezone.now())
        .filter(Q(mode=Job.Mode.GRAB) | Q(on_board=True))
        .select_related("process")
    )


def board_list_for_factory(*, profile: FactoryProfile) -> list[tuple[Job, Eligibility]]:
    """Open board jobs this factory is eligible for, nearest first."""
    process_ids = Capability.objects.filter(factory=profile).values_list("process_id", flat=True)
    jobs = list(board_jobs_queryset().filter(process_id__in=process_ids))
    pairs = eligibility_for(jobs, [profile])
    rows = [(job, pairs[(job.id, profile.company_id)]) for job in jobs if (job.id, profile.company_id) in pairs]
    rows.sort(key=lambda row: (row[1].distance_km, row[0].deadline, row[0].id))
    return rows


def _assignments_prefetch():
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("factory").prefetch_related("material_movements").order_by("id"),
    )


def job_list_for_company(*, company, status: str | None = None):
    """SMEs see their own jobs; factories the jobs they hold (or held) a share of."""
    if company.is_sme:
        queryset = Job.objects.filter(sme=company)
    else:
        queryset = Job.objects.filter(assignments__factory=company).distinct()
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("process", "sme", "payment")
        .prefetch_related(_assignments_prefetch())
        .order_by("-created_at", "-id")
    )


def job_get_for_company(*, job_id, company) -> Job:
    """The job, if this company may see it; otherwise 404 (never reveal others' jobs)."""
    job = job_list_for_company(company=company).filter(id=job_id).first() if company else None
    if job is None:
        raise NotFoundError("No such job.")
    return job


def job_get(*, job_id) -> Job:
    """Any job, for platform admins."""
    job = (
        Job.objects.select_related("process", "sme", "payment")
        .prefetch_related(_assignments_prefetch())
        .filter(id=job_id)
        .first()
    )
    if job is None:
        raise NotFoundError("No such job.")
    return job


def job_events_for_company(*, job_id, company):
    job = job_get_for_company(job_id=job_id, company=company)
    return JobEvent.objects.filter(job=job).select_related("actor").order_by("id")


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
        raise NotFoundError("No such assignment.")
    return assignment
