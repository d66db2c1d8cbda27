"""Dispatch shards (orders.services.shards): the open jobs cut by (process, region) into
pieces that share no factory, each planned by its own batch under its own locks, run at once
by several real workers."""

import threading

import pytest

from conftest import wait_for
from orders import selectors, services, tasks
from orders.models import DispatchBatch, Offer
from orders.services.shards import shard_of
from tests import fixtures

pytestmark = pytest.mark.django_db

JIAOZHOU = (36.27, 120.03)
LINYI = (35.10, 118.35)  # about 200 km away: no factory of one city reaches the other


def _city(centre, jobs=2, factories=2):
    """Dispatch jobs and factories (30 km radius) around ``centre``."""
    lat, lng = centre
    placed = [fixtures.job(mode="dispatch", lat=lat + 0.01 * i, lng=lng) for i in range(jobs)]
    made = [fixtures.factory(lat=lat + 0.02 * i, lng=lng + 0.01)[1] for i in range(factories)]
    return placed, made


def _offers():
    return sorted(Offer.objects.filter(status="pending").values_list("job_id", "factory_id", "quantity"))


def test_two_distant_cities_are_two_pieces_and_a_factory_reaching_both_joins_them():
    # given: jobs and factories in two cities 200 km apart
    _city(JIAOZHOU)
    _city(LINYI)
    # then: two pieces, each the shards of its own city
    pieces = services.dispatch_pieces()
    assert len(pieces) == 2
    cities = [{shard_of(1, *JIAOZHOU)[1:]}, {shard_of(1, *LINYI)[1:]}]
    assert sorted([{key[1:] for key in piece} for piece in pieces], key=str) == sorted(cities, key=str)
    # when: a factory half-way with a radius covering both cities
    fixtures.factory(lat=35.68, lng=119.19, radius_km=150)
    # then: one piece
    assert len(services.dispatch_pieces()) == 1


def test_a_piece_offers_its_own_jobs_to_its_own_factories_only():
    jiaozhou_jobs, jiaozhou_factories = _city(JIAOZHOU)
    linyi_jobs, linyi_factories = _city(LINYI)
    here = shard_of(1, *JIAOZHOU)[1:]
    piece = next(p for p in services.dispatch_pieces() if {k[1:] for k in p} == {here})
    # when
    batch = services.dispatch_run_batch(shards=piece)
    # then
    offered = _offers()
    assert {job_id for job_id, _, _ in offered} == {j.id for j in jiaozhou_jobs}
    assert {factory_id for _, factory_id, _ in offered} <= {f.id for f in jiaozhou_factories}
    assert (batch.jobs, batch.factories, batch.offers_made) == (2, 2, 2)
    assert DispatchBatch.objects.get(id=batch.id).shards == [list(key) for key in piece]
    assert not Offer.objects.filter(job__in=linyi_jobs).exists()
    assert linyi_factories


def test_one_piece_plans_exactly_what_the_whole_city_batch_plans():
    # given: one city, where every factory reaches every job (one piece)
    _city(JIAOZHOU, jobs=6, factories=4)
    (piece,) = services.dispatch_pieces()
    # when: the piece's batch, then (all taken back) the whole-city batch
    services.dispatch_run_batch(shards=piece)
    by_piece = _offers()
    Offer.objects.all().delete()
    services.dispatch_run_batch()
    # then
    assert by_piece == _offers()
    assert len(by_piece) == 6


@pytest.mark.django_db(transaction=True)
def test_pieces_run_at_once_plan_every_job_once():
    jiaozhou_jobs, _ = _city(JIAOZHOU, jobs=3)
    linyi_jobs, _ = _city(LINYI, jobs=3)
    pieces = services.dispatch_pieces()
    queue = list(pieces) + list(pieces)  # each piece asked for twice, all four at the same instant
    taken = threading.Lock()

    def next_piece():
        with taken:
            piece = queue.pop()
        return services.dispatch_run_batch(shards=piece)

    results = fixtures.concurrently(next_piece, 4)
    # then: every job has one live offer, whichever of the two runs of its piece made it
    for job in jiaozhou_jobs + linyi_jobs:
        assert Offer.objects.filter(job=job, status="pending").count() == 1
    assert sum(b.offers_made for b in results if b) == 6


@pytest.mark.slow
def test_two_real_workers_take_the_pieces_of_one_round(start_worker):
    # given: two cities and two worker processes
    jiaozhou_jobs, _ = _city(JIAOZHOU)
    linyi_jobs, _ = _city(LINYI)
    workers = [start_worker(), start_worker()]
    # when: one round is asked for, as beat asks
    tasks.dispatch_run_batch_task.delay()
    # then: both cities' jobs are offered, in two batches, one of them a piece sent on
    wait_for(lambda: len(_offers()) == 4, timeout=30, message="offers in both cities")
    assert {job_id for job_id, _, _ in _offers()} == {j.id for j in jiaozhou_jobs + linyi_jobs}
    assert DispatchBatch.objects.filter(offers_made=2).count() == 2
    logs = "".join(w.log_path.read_text() for w in workers)
    assert "dispatch_run_piece_task" in logs


def test_a_round_with_nothing_to_plan_is_counted_as_an_empty_batch():
    # given: no open dispatch job at all
    before = selectors.dispatch_empty_batches()
    # when: beat's task runs (eagerly, in this process)
    offered = tasks.dispatch_run_batch_task.apply().get()
    # then
    assert offered == 0
    assert selectors.dispatch_empty_batches() == before + 1
    assert not DispatchBatch.objects.exists()
