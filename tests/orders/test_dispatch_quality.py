"""Quality in matching: each factory's inspected quality at a process is kept, shown to the
factory, and weighed by dispatch beside reliability and rating; a factory under tightened
inspection is offered fewer jobs."""

import pytest

from catalogue.models import Process
from conftest import client_for
from orders import services
from orders.matching.costs import pair_cost
from orders.matching.types import Candidate, DispatchFactory, DispatchJob, Weights, quality_score
from orders.models import FactoryQuality, Offer
from tests import fixtures


def test_quality_score_smooths_the_first_pass_rate_and_penalises_tightened_and_discontinued():
    # a factory never inspected scores the prior; a perfect record rises towards 1
    assert quality_score(lots=0, lots_accepted=0, severity="normal", discontinued=False) == pytest.approx(0.8)
    assert quality_score(lots=20, lots_accepted=20, severity="normal", discontinued=False) == pytest.approx(0.96)
    assert quality_score(lots=5, lots_accepted=2, severity="normal", discontinued=False) == pytest.approx(0.6)
    assert quality_score(lots=5, lots_accepted=2, severity="tightened", discontinued=False) == pytest.approx(0.3)
    assert quality_score(lots=9, lots_accepted=4, severity="tightened", discontinued=True) == 0.0


def test_pair_cost_grows_with_lower_quality_by_its_weight():
    job = DispatchJob(id=1, quantity=100, unit_price_fen=15, lat=36.3, lng=120.0, hours_to_deadline=72)
    factory = DispatchFactory(id=2, lat=36.3, lng=120.0, rating=5.0, reliability=1.0, load=0.0)
    good = Candidate(job_id=1, factory_id=2, unit_price_fen=15, distance_km=1.0, free_capacity=1000, quality=1.0)
    poor = Candidate(job_id=1, factory_id=2, unit_price_fen=15, distance_km=1.0, free_capacity=1000, quality=0.4)
    weights = Weights(quality=30.0)
    assert pair_cost(job, factory, poor, weights) - pair_cost(job, factory, good, weights) == pytest.approx(18.0)
    # a candidate without a quality is at its best, as before this term existed
    plain = Candidate(job_id=1, factory_id=2, unit_price_fen=15, distance_km=1.0, free_capacity=1000)
    assert pair_cost(job, factory, plain, weights) == pair_cost(job, factory, good, weights)


@pytest.mark.django_db
def test_dispatch_offers_the_job_to_the_factory_not_under_tightened_inspection():
    # given two equal factories, equally far, one under tightened inspection for velcro
    job = fixtures.job(mode="dispatch", quantity=1000)
    _, tightened = fixtures.factory(lat=36.27, lng=120.03)
    _, normal = fixtures.factory(lat=36.27, lng=120.03)
    velcro = Process.objects.get(code="velcro_sewing")
    FactoryQuality.objects.create(factory=tightened, process=velcro, severity="tightened", lots=4, lots_accepted=2)
    FactoryQuality.objects.create(factory=normal, process=velcro, severity="normal", lots=4, lots_accepted=3)
    # when
    services.dispatch_run_batch()
    # then
    assert list(Offer.objects.filter(job=job, status="pending").values_list("factory_id", flat=True)) == [normal.id]


@pytest.mark.django_db
def test_quality_at_another_process_does_not_count_against_the_factory():
    job = fixtures.job(mode="dispatch", quantity=1000)
    _, first = fixtures.factory(lat=36.27, lng=120.03)
    _, second = fixtures.factory(lat=36.28, lng=120.03)  # a little farther
    FactoryQuality.objects.create(
        factory=first, process=Process.objects.get(code="embroidery"), severity="tightened", discontinued=True
    )
    services.dispatch_run_batch()
    assert list(Offer.objects.filter(job=job, status="pending").values_list("factory_id", flat=True)) == [first.id]


@pytest.mark.django_db
def test_the_factory_sees_its_quality_per_process():
    owner = fixtures.sme()
    user, company = fixtures.factory()
    job = fixtures.job(owner, quantity=500)
    share = fixtures.delivered_share(job, owner, (user, company), 500)
    services.inspection_record(
        assignment_id=share.id, company=owner[1], user=owner[0], sample_inspected=80, defects={"position": 4}
    )
    # when
    response = client_for(user).get("/api/v1/factory/quality")
    # then
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["process"], row["severity"], row["lots"], row["lots_accepted"], row["first_pass_rate"]) == (
        "velcro_sewing",
        "normal",
        1,
        0,
        0.0,
    )
    assert row["defects_per_100"] == pytest.approx(5.0)
    assert client_for(owner[0]).get("/api/v1/factory/quality").status_code == 403
