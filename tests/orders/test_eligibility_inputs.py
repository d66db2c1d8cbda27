"""The eligibility rule's inputs, read in one statement: the capabilities of the factories, the
work booked or offered to them, and the jobs' cover, each as the rule means it (DOMAIN.md
"Matching": capacity is reserved by live shares and pending offers)."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from catalogue.models import Process
from factories.models import Capability
from orders.matching.inputs import eligibility_inputs, job_coverage
from orders.models import Assignment, Job, Offer
from tests import fixtures

pytestmark = pytest.mark.django_db


def _normal(inputs):
    """Order-free form: capabilities as a sorted list, booked and cover as plain sorted dicts."""
    capabilities, booked, coverage = inputs
    booked = {key: sorted(zip(*value, strict=True)) for key, value in booked.items()}
    if coverage is not None:
        covered, holders = coverage
        coverage = ({k: v for k, v in covered.items()}, {k: sorted(v) for k, v in holders.items()})
    return sorted(capabilities), booked, coverage


def _world():
    """Factories with one or two processes; jobs with shares in every status and offers in several."""
    rng = random.Random(12)
    factories = [
        fixtures.factory(
            capabilities=[("velcro_sewing", 12, 3000, 100, rng.choice([0, 1]))]
            + ([("embroidery", 60, 800, 1, 0)] if n % 2 else [])
        )[1]
        for n in range(5)
    ]
    owner = fixtures.sme()
    jobs = []
    for _ in range(8):
        process = rng.choice(["velcro_sewing", "embroidery"])
        spec = {"stitch_count": 5000, "colors": 3} if process == "embroidery" else None
        jobs.append(fixtures.job(owner, process=process, spec=spec, quantity=2000, days=rng.uniform(1, 5)))
    statuses = [choice for choice, _label in Assignment.Status.choices]
    for n, job in enumerate(jobs[:7]):
        factory = factories[n % 5]
        Assignment.objects.create(
            job=job,
            factory=factory,
            quantity=400 + n,
            quantity_done=n * 10,
            unit_price_fen=job.unit_price_fen,
            status=statuses[n % len(statuses)],
        )
    offers = []
    for n, job in enumerate(jobs[2:]):
        offers.append(
            Offer.objects.create(
                job=job,
                factory=factories[(n + 2) % 5],
                quantity=300 + n,
                status=[Offer.Status.PENDING, Offer.Status.PENDING, Offer.Status.DECLINED][n % 3],
                expires_at=timezone.now() + timedelta(minutes=5),
            )
        )
    return factories, jobs, offers


def _expected(factories, processes, jobs, now, *, ignore_offer_id, with_coverage):
    """What the rule reads, stated from the rows: a factory's capabilities for the processes;
    per (factory, process) the pieces still to make of its live shares and the pieces of its
    pending offers (less the one ignored), each due by its job's deadline; per job the pieces
    its covering shares and pending offers hold, and every factory that holds or held any."""
    factory_ids = {f.id for f in factories}
    capabilities = [
        (c.factory_id, c.process_id, c.unit_price_fen, c.daily_capacity, c.min_quantity, c.lead_time_days)
        for c in Capability.objects.filter(factory_id__in=factory_ids, process_id__in=processes)
    ]
    booked = {}
    for a in Assignment.objects.select_related("job").filter(factory_id__in=factory_ids):
        if a.status in Assignment.RESERVING and a.job.process_id in processes:
            booked.setdefault((a.factory_id, a.job.process_id), []).append(
                ((a.job.deadline - now).total_seconds(), a.quantity - a.quantity_done)
            )
    pending = Offer.objects.select_related("job").filter(status=Offer.Status.PENDING).exclude(id=ignore_offer_id)
    for o in pending.filter(factory_id__in=factory_ids):
        if o.job.process_id in processes:
            booked.setdefault((o.factory_id, o.job.process_id), []).append(
                ((o.job.deadline - now).total_seconds(), o.quantity)
            )
    booked = {key: sorted(value) for key, value in booked.items()}
    if not with_coverage:
        return sorted(capabilities), booked, None
    covered, holders = {}, {}
    job_ids = {j.id for j in jobs}
    for a in Assignment.objects.filter(job_id__in=job_ids):
        covered[a.job_id] = covered.get(a.job_id, 0) + (a.quantity if a.status in Assignment.COVERING else 0)
        holders.setdefault(a.job_id, []).append(a.factory_id)
    for o in pending.filter(job_id__in=job_ids):
        covered[o.job_id] = covered.get(o.job_id, 0) + o.quantity
        holders.setdefault(o.job_id, []).append(o.factory_id)
    return sorted(capabilities), booked, (covered, {k: sorted(set(v)) for k, v in holders.items()})


def test_one_statement_reads_capabilities_bookings_and_cover():
    # given: shares of every status, pending and declined offers, two processes
    factories, jobs, offers = _world()
    now = timezone.now()
    factory_ids = [f.id for f in factories]
    process_ids = sorted(Process.objects.filter(code__in=["velcro_sewing", "embroidery"]).values_list("id", flat=True))
    job_ids = [j.id for j in jobs]
    pending = next(o for o in offers if o.status == Offer.Status.PENDING)
    cases = [
        dict(ignore_offer_id=None, with_coverage=True),
        dict(ignore_offer_id=pending.id, with_coverage=True),
        dict(ignore_offer_id=None, with_coverage=False),
    ]
    for case in cases:
        for processes in (process_ids, process_ids[:1]):
            # when
            inputs = eligibility_inputs(factory_ids, processes, job_ids, now, **case)
            # then: the capabilities, booked work and cover the rule means
            assert _normal(inputs) == _expected(factories, processes, jobs, now, **case)
            if case["with_coverage"]:  # and dispatch, which reads the cover on its own, agrees
                dispatch_cover = job_coverage(job_ids, ignore_offer_id=case["ignore_offer_id"])
                assert _normal(([], {}, dispatch_cover))[2] == _normal(inputs)[2]
    # and the world was not trivial: something booked, covered and held by a factory that withdrew
    capabilities, booked, (covered, holders) = eligibility_inputs(factory_ids, process_ids, job_ids, now)
    assert len(capabilities) == 5 + 2 and booked and covered
    withdrawn = Assignment.objects.filter(status=Assignment.Status.WITHDRAWN).first()
    assert withdrawn.factory_id in holders[withdrawn.job_id]
    assert covered.get(withdrawn.job_id, 0) == sum(
        q
        for q, s in Assignment.objects.filter(job_id=withdrawn.job_id).values_list("quantity", "status")
        if s in Assignment.COVERING
    ) + sum(
        Offer.objects.filter(job_id=withdrawn.job_id, status=Offer.Status.PENDING).values_list("quantity", flat=True)
    )
    ignored = eligibility_inputs(factory_ids, process_ids, job_ids, now, ignore_offer_id=pending.id)[2][0]
    assert ignored[pending.job_id] == covered[pending.job_id] - pending.quantity
    assert Job.objects.count() == 8
