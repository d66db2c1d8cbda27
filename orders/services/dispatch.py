"""The dispatch service: one batch that offers open dispatch jobs to factories.

A batch plans the whole city, or one piece of a round (``orders.services.shards``: the beat
task, every MATCHING_BATCH_SECONDS, cuts the open jobs into pieces that share no factory and
spreads them over the workers). It takes PostgreSQL advisory locks (the city's, or the
piece's shards') so the same batch never runs twice at once, locks the open dispatch jobs
and the online factories it will plan for (skipping rows another request holds), asks the one
eligibility rule (``orders.matching.eligibility``) for candidate pairs (pending offers count
as booked capacity and as cover of their job), solves the assignment with the matching
solver (``orders.matching.solver``) and writes the offers in one statement; what happens to
an offer then is ``orders.services.offers``. The schema backs it up: at most one pending
offer per job and factory, and at most one per job that is not split. A lost or repeated
task only delays matching.
"""

import logging
import time
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.sql import id_in
from factories import services as factory_services
from factories.models import Capability
from orders import events
from orders.matching.eligibility import eligibility_arrays, split_floor
from orders.matching.inputs import job_coverage
from orders.matching.solver import CandidateArrays, DispatchFactory, DispatchJob, Weights, solve_batch
from orders.matching.types import quality_score
from orders.models import Assignment, DispatchBatch, FactoryQuality, Job, Offer
from orders.selectors import EMPTY_BATCHES_KEY
from orders.services.offers import offers_expire
from orders.services.shards import piece_factory_ids, piece_job_ids, piece_lock

logger = logging.getLogger(__name__)

BATCH_LOCK = 8_402_211  # pg advisory lock id for "a dispatch batch is running"


def _batch_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [BATCH_LOCK])
        return cursor.fetchone()[0]


def _loads(factory_ids) -> dict[int, float]:
    """Share of a week's capacity each factory has booked (0..1)."""
    booked = dict(
        Assignment.objects.filter(factory_id__in=id_in(factory_ids), status__in=Assignment.RESERVING)
        .values("factory_id")
        .annotate(pieces=Sum(F("quantity") - F("quantity_done")))
        .values_list("factory_id", "pieces")
    )
    per_day = dict(
        Capability.objects.filter(factory_id__in=id_in(factory_ids))
        .values("factory_id")
        .annotate(total=Sum("daily_capacity"))
        .values_list("factory_id", "total")
    )
    return {f: min(1.0, (booked.get(f) or 0) / max(1, 7 * (per_day.get(f) or 0))) for f in factory_ids}


def _distance_lookup(pairs, proposals) -> dict[tuple[int, int], float]:
    """Distance of each proposed pair, found in the candidate arrays without a dict of all."""
    keys = pairs["job_id"] * (1 << 32) + pairs["factory_id"]
    order = np.argsort(keys)
    wanted = np.array([p.job_id * (1 << 32) + p.factory_id for p in proposals], dtype=np.int64)
    at = order[np.searchsorted(keys, wanted, sorter=order)] if len(wanted) else np.zeros(0, dtype=np.int64)
    return {
        (p.job_id, p.factory_id): round(float(d), 3)
        for p, d in zip(proposals, pairs["distance_km"][at].tolist(), strict=True)
    }


def _count_empty_batch() -> None:
    """One more batch that found nothing to match, in the cache (a best-effort figure: the
    counter starts again when the cache is flushed, and an unreachable cache skips it)."""
    try:
        cache.add(EMPTY_BATCHES_KEY, 0, timeout=None)
        cache.incr(EMPTY_BATCHES_KEY)
    except Exception:  # noqa: BLE001 - a figure for people, never a reason to fail a batch
        logger.debug("empty dispatch batch not counted: cache unavailable", exc_info=True)


def _pair_quality(pairs, jobs) -> np.ndarray:
    """Each candidate pair's ``quality_score``: its factory's inspected quality at the job's
    process (``FactoryQuality``), the prior where the factory has no inspected lots there."""
    factory_ids = pairs["factory_id"]
    quality = np.full(len(factory_ids), quality_score(lots=0, lots_accepted=0, severity="normal", discontinued=False))
    if not len(factory_ids):
        return quality
    process_of = {j.id: j.process_id for j in jobs}
    rows = FactoryQuality.objects.filter(
        factory_id__in=id_in(np.unique(factory_ids).tolist()), process_id__in={*process_of.values()}
    ).values_list("factory_id", "process_id", "lots", "lots_accepted", "severity", "discontinued")
    scores = {
        (factory, process): quality_score(lots=lots, lots_accepted=accepted, severity=severity, discontinued=stopped)
        for factory, process, lots, accepted, severity, stopped in rows
    }
    if not scores:
        return quality
    known = np.isin(factory_ids, [factory for factory, _ in scores])
    for at in np.flatnonzero(known).tolist():
        key = (int(factory_ids[at]), process_of[int(pairs["job_id"][at])])
        if key in scores:
            quality[at] = scores[key]
    return quality


def dispatch_weights() -> Weights:
    return Weights(**settings.DISPATCH_WEIGHTS)


def _lock_jobs(now, shards) -> list:
    """The open dispatch jobs to plan (of the piece's shards, if any), locked; rows a request
    holds are skipped."""
    jobs = Job.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        status=Job.Status.OPEN, mode=Job.Mode.DISPATCH, deadline__gt=now
    )
    if shards is not None:
        jobs = jobs.filter(id__in=id_in(piece_job_ids(shards, now=now)))
    # Plain named rows with the fields planning reads (10,000 model objects cost half a second).
    fields = ("id", "process_id", "quantity", "unit_price_fen", "lat", "lng", "deadline", "allow_split")
    return list(jobs.order_by("id").values_list(*fields, named=True))


def dispatch_run_batch(*, now=None, shards=None) -> DispatchBatch | None:
    """Run one batch: the whole city, or one piece of it (``shards``, a piece of
    ``orders.services.shards.dispatch_pieces``, under that piece's own locks, its overdue
    offers expired by the caller); returns its record, or None when another batch holds the
    lock. The record's greedy baseline is worked out after the commit (called, as the tasks
    do, outside any transaction; inside one it is worked out before that one commits)."""
    if shards is None:
        offers_expire(now=now)
    now = now or timezone.now()
    with transaction.atomic():
        if not (_batch_lock() if shards is None else piece_lock(shards)):
            return None
        started = time.perf_counter()
        jobs = _lock_jobs(now, shards)
        profiles = factory_services.factory_profiles_available(
            company_ids=None if shards is None else piece_factory_ids(shards)
        )
        batch = DispatchBatch(jobs=len(jobs), factories=len(profiles), shards=[list(k) for k in shards or []])
        if not jobs or not profiles:
            # Nothing to match: counted, not stored (one row every 2 s would bury the real ones).
            batch.load_ms = (time.perf_counter() - started) * 1000
            _count_empty_batch()
            return batch
        pairs, dispatch_jobs, dispatch_factories, candidates = _load(jobs, profiles, now)
        loaded = time.perf_counter()
        result = solve_batch(
            dispatch_jobs, dispatch_factories, candidates, weights=dispatch_weights(), defer_greedy=True
        )
        solved = time.perf_counter()
        batch.candidates = len(candidates)
        batch.rounds = result.rounds
        batch.total_cost = result.total_cost
        batch.unmatched = len(result.unmatched_job_ids)
        batch.save()
        batch.offers_made = _write_offers(batch, jobs, pairs, result.proposals, now)
        batch.load_ms = (loaded - started) * 1000
        batch.solve_ms = (solved - loaded) * 1000
        batch.write_ms = (time.perf_counter() - solved) * 1000
        batch.save(update_fields=["offers_made", "load_ms", "solve_ms", "write_ms"])
    # Committed, and announced to the phones: now the greedy baseline, only a figure for the
    # admin (10,000 x 2,000: a fifth of a second of Python that held the offers back).
    _record_baseline(batch, result.greedy)
    return batch


def _record_baseline(batch, greedy) -> None:
    """The greedy baseline into the batch's record. A figure for people, never a reason to
    fail the task: its offers are out already, and a retry would plan the round again."""
    started = time.perf_counter()
    try:
        batch.greedy_cost = greedy()
        batch.baseline_ms = (time.perf_counter() - started) * 1000
        DispatchBatch.objects.filter(id=batch.id).update(greedy_cost=batch.greedy_cost, baseline_ms=batch.baseline_ms)
    except Exception:  # noqa: BLE001 - the record keeps an empty baseline
        logger.warning("dispatch batch %s: greedy baseline not recorded", batch.id, exc_info=True)


def _load(jobs, profiles, now):
    """The solver's plain inputs: eligible pairs (pending offers count as booked capacity
    and as cover; declined and expired pairs are out), jobs' remaining quantities, the
    factories' rating, reliability and load, and each pair's inspected quality."""
    job_ids = [j.id for j in jobs]
    excluded = set(
        Offer.objects.filter(
            job_id__in=id_in(job_ids), status__in=[Offer.Status.DECLINED, Offer.Status.EXPIRED]
        ).values_list("job_id", "factory_id")
    )
    coverage = job_coverage(job_ids)
    pairs = eligibility_arrays(
        jobs, profiles, now=now, excluded=excluded, nearest=settings.DISPATCH_NEAREST, coverage=coverage
    )
    covered = coverage[0]
    loads = _loads([p.company_id for p in profiles])
    dispatch_jobs = [
        DispatchJob(
            id=j.id,
            quantity=j.quantity - covered.get(j.id, 0),
            unit_price_fen=j.unit_price_fen,
            lat=j.lat,
            lng=j.lng,
            hours_to_deadline=(j.deadline - now).total_seconds() / 3600,
            allow_split=j.allow_split,
            min_share=split_floor(j) if j.allow_split else 1,
        )
        for j in jobs
        if j.quantity - covered.get(j.id, 0) > 0
    ]
    dispatch_factories = [
        DispatchFactory(
            id=p.company_id,
            lat=p.lat,
            lng=p.lng,
            rating=p.rating if p.rating is not None else 4.0,
            reliability=p.reliability,
            load=loads.get(p.company_id, 0.0),
        )
        for p in profiles
    ]
    candidates = CandidateArrays(
        job_id=pairs["job_id"],
        factory_id=pairs["factory_id"],
        unit_price_fen=pairs["unit_price_fen"],
        distance_km=pairs["distance_km"],
        free_capacity=pairs["free_capacity"],
        quality=_pair_quality(pairs, jobs),
    )
    return pairs, dispatch_jobs, dispatch_factories, candidates


_INSERT_OFFERS_SQL = """
INSERT INTO orders_offer (job_id, factory_id, batch_id, quantity, split, status, distance_km, cost,
                          expires_at, planned_at, decline_reason, created_at)
SELECT j, f, %s, q, s, %s, d, c, %s, %s, '', %s
FROM unnest(%s::bigint[], %s::bigint[], %s::integer[], %s::boolean[], %s::float8[], %s::float8[]) AS r(j, f, q, s, d, c)
"""


def _check_constraints_now() -> None:
    """The offers' deferred foreign-key checks now rather than at commit, so a violation
    names the statement that made it. Then back to deferred, which every deferrable
    constraint of the schema is initially."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _write_offers(batch, jobs, pairs, proposals, now) -> int:
    """One statement for all the batch's offers (as arrays), and one
    for their ``offer.created`` events; returns how many. Offers are their own record
    (batch, time, answer); a job event is written when an offer is declined, expires or is
    accepted."""
    if not proposals:
        return 0
    split = {j.id: j.allow_split for j in jobs}
    distance = _distance_lookup(pairs, proposals)
    expires = now + timedelta(seconds=settings.OFFER_TTL_SECONDS)
    columns = [
        [p.job_id for p in proposals],
        [p.factory_id for p in proposals],
        [p.quantity for p in proposals],
        [split[p.job_id] for p in proposals],
        [distance[(p.job_id, p.factory_id)] for p in proposals],
        [p.cost for p in proposals],
    ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_OFFERS_SQL, [batch.id, Offer.Status.PENDING, expires, now, timezone.now(), *columns])
    # Counted after the commit, in a statement of its own: the counts lock every offered
    # factory's profile row, which a factory's own request (a grab accept books capacity
    # under that lock) must not wait for through the rest of the batch's transaction. A
    # worker that dies in between loses the counts of one batch (a statistic), never an offer.
    factory_ids = columns[1]
    transaction.on_commit(lambda: factory_services.factory_record_offers_received(company_ids=factory_ids))
    _check_constraints_now()
    events.offers_made_in_batch(batch.id)
    return len(proposals)
