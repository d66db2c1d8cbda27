"""Real concurrent accepts, each request on its own thread and database connection."""

import threading

import pytest
from django.db import connection

from conftest import client_for
from factories.capacity import pieces_between
from orders.models import Assignment, Job
from tests import fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def _fire(requests):
    """Run (client, path, body) requests at the same moment; returns the responses in order."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def run(index, client, path, body):
        barrier.wait()
        try:
            responses[index] = client.post(path, body, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_grab_race_thirty_factories_one_job_exactly_one_wins():
    # given: one open job and 30 eligible factories
    job = fixtures.job(quantity=2000)
    factories = [fixtures.factory() for _ in range(30)]
    # when: all of them accept at once
    responses = _fire([(client_for(user), f"/api/v1/board/{job.id}/accept", {}) for user, _ in factories])
    # then
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 29
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"already_taken"}
    winner = next(r for r in responses if r.status_code == 201).json()
    assignments = Assignment.objects.filter(job=job)
    assert assignments.count() == 1
    assert assignments.get().id == winner["id"]
    assert assignments.get().quantity == 2000
    assert Job.objects.get(id=job.id).status == "assigned"
    winner_profile = assignments.get().factory.factory_profile
    assert winner_profile.jobs_taken == 1


def test_grab_race_one_factory_many_jobs_never_exceeds_capacity():
    # given: a factory that makes 1,000 pieces a day, and 12 jobs of 600 pieces due in 3 days
    user, company = fixtures.factory(capabilities=[("velcro_sewing", 12, 1000, 100, 0)])
    sme_pair = fixtures.sme()
    jobs = [fixtures.job(sme_pair, quantity=600, days=3) for _ in range(12)]
    client = client_for(user)
    # when: the factory accepts all of them at once
    responses = _fire([(client, f"/api/v1/board/{job.id}/accept", {}) for job in jobs])
    # then: it gets only what it can make by the deadline
    won = [r for r in responses if r.status_code == 201]
    assert len(won) == 4  # under 3,000 pieces in (just under) 3 days hold four jobs of 600, not five
    booked = sum(a.quantity for a in Assignment.objects.filter(factory=company))
    assert booked == 2400
    assert booked <= pieces_between(1000, min(j.created_at for j in jobs), jobs[0].deadline)
    assert {r.status_code for r in responses if r.status_code != 201} == {409}
    assert {r.json()["error"]["code"] for r in responses if r.status_code != 201} == {"insufficient_capacity"}
