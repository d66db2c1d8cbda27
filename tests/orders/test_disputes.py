"""Disputes of delivered shares and their resolution (orders/services/disputes.py)."""

import threading

import pytest
from django.db import connection

from conftest import client_for
from orders import services
from orders.models import Assignment, Job
from payments import ledger
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_dispute_split_job_delivered_share_can_be_disputed_while_another_is_in_production():
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, allow_split=True)
    a_pair, b_pair = fixtures.factory(), fixtures.factory()
    fixtures.delivered_share(job, owner, a_pair, 500)
    b = services.board_accept(job_id=job.id, factory=b_pair[1], user=b_pair[0], quantity=500)
    services.assignment_materials_sent(assignment_id=b.id, company=owner[1], user=owner[0])
    # when
    response = client_for(owner[0]).post(f"/api/v1/jobs/{job.id}/dispute", {"reason": "stains"}, format="json")
    # then
    assert response.status_code == 200
    assert sorted(Assignment.objects.filter(job=job).values_list("status", flat=True)) == ["disputed", "materials_sent"]
    services.dispute_resolve(job_id=job.id, admin=fixtures.admin_user(), quantity_accepted=450)
    assert Assignment.objects.get(job=job, factory=a_pair[1]).quantity_accepted == 450


@pytest.mark.django_db(transaction=True)
def test_dispute_resolve_and_a_concurrent_accept_do_not_deadlock():
    for _ in range(3):
        owner = fixtures.sme()
        a_pair, b_pair = fixtures.factory(), fixtures.factory()
        split = fixtures.job(owner, quantity=1000, allow_split=True)
        fixtures.delivered_share(split, owner, a_pair, 500)
        fixtures.delivered_share(split, owner, b_pair, 500)
        services.job_dispute(job_id=split.id, sme=owner[1], user=owner[0], reason="stains")
        other = fixtures.delivered_share(fixtures.job(owner, quantity=100), owner, b_pair, 100)
        admin = fixtures.admin_user()
        errors, barrier = [], threading.Barrier(2)

        def run(call, errors=errors, barrier=barrier, **kwargs):
            barrier.wait()
            try:
                call(**kwargs)
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(exc)
            finally:
                connection.close()

        threads = [
            threading.Thread(
                target=run,
                args=(services.dispute_resolve,),
                kwargs={"job_id": split.id, "admin": admin, "quantity_accepted": 900},
            ),
            threading.Thread(
                target=run,
                args=(services.assignment_accept,),
                kwargs={
                    "assignment_id": other.id,
                    "company": owner[1],
                    "user": owner[0],
                    "quantity_accepted": 100,
                    "rating": 5,
                },
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert Job.objects.get(id=split.id).status == "completed"
        assert ledger.ledger_check().balanced
