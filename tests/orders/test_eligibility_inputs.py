"""The eligibility rule's inputs read in one statement (PostgreSQL) are the ORM queries' own."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from catalogue.models import Process
from orders.matching.inputs import eligibility_inputs, eligibility_inputs_orm, eligibility_inputs_sql
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


def test_one_statement_reads_what_the_orm_queries_read():
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
            # when: both readers answer
            sql = eligibility_inputs_sql(factory_ids, processes, job_ids, now, **case)
            orm = eligibility_inputs_orm(factory_ids, processes, job_ids, now, **case)
            # then: the same capabilities, booked work and cover
            assert _normal(sql) == _normal(orm)
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
