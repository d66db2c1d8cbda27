"""Dispatch: the batch that offers open dispatch jobs to factories, and the offers' life.

A batch (the beat task, every MATCHING_BATCH_SECONDS) takes a PostgreSQL advisory lock so
two batches never run at once, expires overdue offers, locks the open dispatch jobs and the
online factories it will plan for (skipping rows another request holds), asks the one
eligibility selector for candidate pairs (pending offers count as booked capacity and as
cover of their job), solves the assignment with ``orders.dispatch.solve_batch`` and writes
the offers. The schema backs it up: at most one pending offer per job and factory, and at
most one per job that is not split. A lost or repeated task only delays matching.
"""

import time
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import Notification
from core.errors import ConflictError, InvalidInputError, NotFoundError
from factories import services as factory_services
from factories.models import Capability, FactoryProfile
from orders.dispatch import CandidateArrays, DispatchFactory, DispatchJob, Weights, solve_batch
from orders.models import Assignment, DispatchBatch, Job, Offer
from orders.selectors import eligibility_arrays, job_coverage, split_floor
from orders.services.jobs import assignment_create, job_event, job_lock

BATCH_LOCK = 8_402_211  # pg advisory lock id for "a dispatch batch is running"


def _batch_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite (local dev) serialises writers anyway
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [BATCH_LOCK])
        return cursor.fetchone()[0]


def _loads(factory_ids) -> dict[int, float]:
    """Share of a week's capacity each factory has booked (0..1)."""
    booked = dict(
        Assignment.objects.filter(factory_id__in=factory_ids, status__in=Assignment.RESERVING)
        .values("factory_id")
        .annotate(pieces=Sum(F("quantity") - F("quantity_done")))
        .values_list("factory_id", "pieces")
    )
    per_day = dict(
        Capability.objects.filter(factory_id__in=factory_ids)
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


def dispatch_weights() -> Weights:
    return Weights(**settings.DISPATCH_WEIGHTS)


def dispatch_run_batch(*, now=None) -> DispatchBatch | None:
    """Run one batch; returns its record, or None when another batch holds the lock."""
    offers_expire(now=now)
    now = now or timezone.now()
    with transaction.atomic():
        if not _batch_lock():
            return None
        started = time.perf_counter()
        jobs = list(
            Job.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Job.Status.OPEN, mode=Job.Mode.DISPATCH, deadline__gt=now)
            .only("id", "process_id", "quantity", "unit_price_fen", "lat", "lng", "deadline", "allow_split")
            .order_by("id")
        )
        profiles = list(
            FactoryProfile.objects.select_for_update(skip_locked=True)
            .filter(verification=FactoryProfile.Verification.VERIFIED, online=True, lat__isnull=False)
            .order_by("company_id")
        )
        batch = DispatchBatch(jobs=len(jobs), factories=len(profiles))
        if not jobs or not profiles:
            batch.load_ms = (time.perf_counter() - started) * 1000
            batch.save()
            return batch
        job_ids = [j.id for j in jobs]
        excluded = set(
            Offer.objects.filter(
                job_id__in=job_ids, status__in=[Offer.Status.DECLINED, Offer.Status.EXPIRED]
            ).values_list("job_id", "factory_id")
        )
        pairs = eligibility_arrays(jobs, profiles, now=now, excluded=excluded, nearest=settings.DISPATCH_NEAREST)
        covered, _ = job_coverage(job_ids)
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
        )
        loaded = time.perf_counter()
        result = solve_batch(dispatch_jobs, dispatch_factories, candidates, weights=dispatch_weights())
        solved = time.perf_counter()
        batch.candidates = len(candidates)
        batch.rounds = result.rounds
        batch.total_cost = result.total_cost
        batch.greedy_cost = result.greedy_cost
        batch.unmatched = len(result.unmatched_job_ids)
        batch.save()
        split = {j.id: j.allow_split for j in jobs}
        distance = _distance_lookup(pairs, result.proposals)
        expires = now + timedelta(seconds=settings.OFFER_TTL_SECONDS)
        offers = Offer.objects.bulk_create(
            Offer(
                job_id=p.job_id,
                factory_id=p.factory_id,
                batch=batch,
                quantity=p.quantity,
                split=split[p.job_id],
                distance_km=distance[(p.job_id, p.factory_id)],
                cost=p.cost,
                expires_at=expires,
                planned_at=now,
            )
            for p in result.proposals
        )
        # Offers are their own record (batch, time, answer); a job event is written when an
        # offer is declined, expires or is accepted.
        FactoryProfile.objects.filter(company_id__in={o.factory_id for o in offers}).update(
            offers_received=F("offers_received") + 1
        )
        batch.offers_made = len(offers)
        batch.load_ms = (loaded - started) * 1000
        batch.solve_ms = (solved - loaded) * 1000
        batch.write_ms = (time.perf_counter() - solved) * 1000
        batch.save(update_fields=["offers_made", "load_ms", "solve_ms", "write_ms"])
        return batch


def _offer_for_factory(offer_id, factory) -> Offer:
    offer = Offer.objects.filter(id=offer_id, factory_id=factory.id).first() if factory else None
    if offer is None:
        raise NotFoundError("No such offer.")
    return offer


def _offer_conflict(offer: Offer) -> ConflictError:
    return ConflictError(
        f"This offer is {offer.status}.", code=f"offer_{offer.status}", fields={"status": [offer.status]}
    )


def _record_miss(job: Job, *, user=None, action: str, data: dict) -> None:
    """A declined or expired offer: the job goes back to the next batch without that
    factory, and after DISPATCH_MISSES_TO_BOARD misses it joins the grab board too."""
    job.dispatch_misses += 1
    fields = ["dispatch_misses", "updated_at"]
    if job.dispatch_misses >= settings.DISPATCH_MISSES_TO_BOARD and not job.on_board:
        job.on_board = True
        fields.append("on_board")
        data = {**data, "on_board": True}
    job.save(update_fields=fields)
    job_event(job, action=action, user=user, data=data)


@transaction.atomic
def offer_accept(*, offer_id: int, factory, user) -> Assignment:
    """The factory takes the offered job (or share): 201 assignment, 409 if it is gone."""
    offer = _offer_for_factory(offer_id, factory)
    job = job_lock(offer.job_id)
    offer = Offer.objects.select_for_update().get(id=offer.id)
    if offer.status == Offer.Status.ACCEPTED:
        return offer.assignment  # a retry
    if offer.status != Offer.Status.PENDING:
        raise _offer_conflict(offer)
    if offer.expires_at <= timezone.now():
        raise ConflictError("This offer has expired.", code="offer_expired", fields={"status": ["expired"]})
    if job.status != Job.Status.OPEN:
        raise ConflictError("This job is no longer open.", code="already_taken")
    try:
        assignment = assignment_create(
            job=job,
            factory=factory,
            user=user,
            quantity=offer.quantity,
            via="offer",
            offer_id=offer.id,
            as_of=offer.planned_at,
        )
    except (NotFoundError, InvalidInputError):
        # The offer exists, but the factory went offline, lost its verification or its
        # capability, or the job changed since: the offer is gone, not unknown, and an
        # accept (which has no body) is never a 400.
        raise ConflictError(
            "You can no longer take this offer (offline, unverified, capability or job changed).",
            code="offer_not_eligible",
        ) from None
    offer.status = Offer.Status.ACCEPTED
    offer.responded_at = timezone.now()
    offer.assignment = assignment
    offer.save(update_fields=["status", "responded_at", "assignment"])
    FactoryProfile.objects.filter(company_id=factory.id).update(
        offers_accepted=F("offers_accepted") + 1, consecutive_offer_expiries=0
    )
    return assignment


@transaction.atomic
def offer_decline(*, offer_id: int, factory, user, reason: str = "") -> Offer:
    offer = _offer_for_factory(offer_id, factory)
    job = job_lock(offer.job_id)
    offer = Offer.objects.select_for_update().get(id=offer.id)
    if offer.status == Offer.Status.DECLINED:
        return offer
    if offer.status != Offer.Status.PENDING:
        raise _offer_conflict(offer)
    offer.status = Offer.Status.DECLINED
    offer.responded_at = timezone.now()
    offer.decline_reason = reason
    offer.save(update_fields=["status", "responded_at", "decline_reason"])
    FactoryProfile.objects.filter(company_id=factory.id).update(consecutive_offer_expiries=0)
    _record_miss(
        job, user=user, action="offer_declined", data={"offer_id": offer.id, "factory_id": factory.id, "reason": reason}
    )
    return offer


def offers_expire(*, now=None) -> int:
    """Expire pending offers past their time, one transaction each; returns how many."""
    now = now or timezone.now()
    expired = 0
    for offer_id, job_id in Offer.objects.filter(status=Offer.Status.PENDING, expires_at__lte=now).values_list(
        "id", "job_id"
    ):
        expired += _offer_expire(offer_id=offer_id, job_id=job_id, now=now)
    return expired


@transaction.atomic
def _offer_expire(*, offer_id: int, job_id: int, now) -> int:
    job = job_lock(job_id)
    offer = Offer.objects.select_for_update().get(id=offer_id)
    if offer.status != Offer.Status.PENDING or offer.expires_at > now:
        return 0
    offer.status = Offer.Status.EXPIRED
    offer.responded_at = now
    offer.save(update_fields=["status", "responded_at"])
    _record_miss(job, action="offer_expired", data={"offer_id": offer.id, "factory_id": offer.factory_id})
    profile = FactoryProfile.objects.select_for_update().get(company_id=offer.factory_id)
    profile.consecutive_offer_expiries += 1
    fields = ["consecutive_offer_expiries", "updated_at"]
    if profile.consecutive_offer_expiries >= settings.DISPATCH_EXPIRIES_TO_OFFLINE and profile.online:
        profile.online = False
        profile.offline_reason = f"{profile.consecutive_offer_expiries} dispatch offers expired in a row"
        fields += ["online", "offline_reason"]
        Notification.objects.create(
            company_id=profile.company_id,
            kind="switched_offline",
            message=(
                f"You were switched offline because {profile.consecutive_offer_expiries} offers in a row expired "
                "without an answer. Go online again when you can take work."
            ),
            data={"offer_id": offer.id},
        )
    profile.save(update_fields=fields)
    if not profile.online:
        factory_services.withdraw_offers_after_commit(profile.company_id, "the factory was switched offline")
    return 1


def offers_withdraw_for_factory(*, company_id: int, reason: str) -> int:
    """Take back a factory's pending offers (it went offline or was suspended), one job
    lock at a time in the usual order; not counted as misses. Returns how many."""
    withdrawn = 0
    for offer_id, job_id in Offer.objects.filter(factory_id=company_id, status=Offer.Status.PENDING).values_list(
        "id", "job_id"
    ):
        with transaction.atomic():
            job = job_lock(job_id)
            updated = Offer.objects.filter(id=offer_id, status=Offer.Status.PENDING).update(
                status=Offer.Status.WITHDRAWN, responded_at=timezone.now(), decline_reason=reason[:500]
            )
            if updated:
                job_event(job, action="offer_withdrawn", data={"offer_id": offer_id, "reason": reason})
                withdrawn += 1
    return withdrawn
