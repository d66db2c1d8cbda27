"""Real worker and beat processes dispatch a job: offered, declined, re-offered, accepted."""

import pytest

from conftest import client_for, wait_for
from orders.models import Job, Offer
from tests import fixtures


@pytest.mark.slow
def test_beat_and_worker_offer_decline_reoffer_accept(start_worker, start_beat):
    # given: a paid dispatch job and two factories, the nearer one first in line
    job = fixtures.job(mode="dispatch", quantity=1000)
    near_user, near = fixtures.factory(lat=36.27, lng=120.03)
    far_user, far = fixtures.factory(lat=36.33, lng=120.03)
    start_worker(MATCHING_BATCH_SECONDS=1)
    beat = start_beat(MATCHING_BATCH_SECONDS=1)

    # when: beat's batch offers it
    first = wait_for(
        lambda: Offer.objects.filter(job=job, status="pending").first(), timeout=30, message="the first offer"
    )
    assert first.factory_id == near.id
    declined = client_for(near_user).post(f"/api/v1/offers/{first.id}/decline", {"reason": "full"}, format="json")
    assert declined.status_code == 200

    # then: a later batch offers it to the other factory, which accepts
    second = wait_for(
        lambda: Offer.objects.filter(job=job, status="pending").first(), timeout=30, message="the re-offer"
    )
    assert second.factory_id == far.id
    accepted = client_for(far_user).post(f"/api/v1/offers/{second.id}/accept", {}, format="json")
    assert accepted.status_code == 201
    assert Job.objects.get(id=job.id).status == "assigned"
    assert "dispatch_run_batch_task" in beat.log_path.read_text()
