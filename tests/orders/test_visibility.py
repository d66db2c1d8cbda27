"""Who sees what of a job: a factory sees its own share only, and a factory that gave its
share back no longer follows the job."""

import pytest

from conftest import client_for
from orders import services
from tests import fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_between_two():
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=2000, allow_split=True)
    a_user, a = fixtures.factory(capabilities=[("velcro_sewing", 12, 100000, 100, 0)])
    b_user, b = fixtures.factory(capabilities=[("velcro_sewing", 12, 100000, 100, 0)])
    share_a = services.board_accept(job_id=job.id, factory=a, user=a_user, quantity=1000)
    share_b = services.board_accept(job_id=job.id, factory=b, user=b_user, quantity=1000)
    for share, (user, company) in ((share_a, (a_user, a)), (share_b, (b_user, b))):
        services.assignment_materials_sent(assignment_id=share.id, company=owner[1], user=owner[0])
        services.assignment_materials_received(
            assignment_id=share.id, company=company, user=user, quantity_received=1000
        )
        services.assignment_deliver(assignment_id=share.id, company=company, user=user, quantity_delivered=1000)
    services.assignment_accept(
        assignment_id=share_b.id, company=owner[1], user=owner[0], quantity_accepted=990, rating=2, comment="sloppy"
    )
    return owner, job, (a_user, a, share_a), (b_user, b, share_b)


def test_visibility_factory_sees_only_its_own_share_of_a_split_job(split_between_two):
    owner, job, (a_user, a, share_a), (_, b, share_b) = split_between_two
    body = client_for(a_user).get(f"/api/v1/jobs/{job.id}").json()
    assert [s["id"] for s in body["assignments"]] == [share_a.id]
    assert "sloppy" not in str(body)
    assert b.name not in str(body)
    # the SME sees both
    assert len(client_for(owner[0]).get(f"/api/v1/jobs/{job.id}").json()["assignments"]) == 2


def test_visibility_factory_reads_no_event_of_another_factorys_share(split_between_two):
    _, job, (a_user, a, share_a), (_, b, share_b) = split_between_two
    events = client_for(a_user).get(f"/api/v1/jobs/{job.id}/events?page_size=200").json()["results"]
    assert events  # its own share's steps and the job's own
    assert all(e["assignment"] in (None, share_a.id) for e in events)
    assert "sloppy" not in str(events) and str(b.id) not in [str(e["data"].get("factory_id")) for e in events]


def test_visibility_factory_that_withdrew_no_longer_sees_the_job():
    owner = fixtures.sme()
    job = fixtures.job(owner)
    a_user, a = fixtures.factory()
    b_user, b = fixtures.factory()
    share = services.board_accept(job_id=job.id, factory=a, user=a_user)
    services.assignment_withdraw(assignment_id=share.id, company=a, user=a_user, reason="busy")
    services.board_accept(job_id=job.id, factory=b, user=b_user)
    client = client_for(a_user)
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.id}/events").status_code == 404
    assert client.get("/api/v1/jobs").json()["count"] == 0
    # its own record of the share it gave back stays its own
    assert [x["id"] for x in client.get("/api/v1/assignments").json()["results"]] == [share.id]
