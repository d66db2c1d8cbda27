"""GET /api/v1/jobs/summary: an SME's jobs in sums, what its phone shows as its history and
money: jobs per status, and from the ledger what it paid, holds, had released and refunded."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from orders import services as order_services
from payments.models import Refund
from tests import fixtures


def _accept_part(job, owner, factory_pair, *, accepted):
    share = fixtures.delivered_share(job, owner, factory_pair, job.quantity)
    order_services.assignment_accept(
        assignment_id=share.id, company=owner[1], user=owner[0], quantity_accepted=accepted, rating=4
    )


def test_jobs_summary_counts_the_smes_jobs_and_follows_its_money(eager_celery, settings):
    # given: one SME's jobs in every money state, and another SME's paid job
    owner = fixtures.sme()
    factory_pair = fixtures.factory()
    completed = fixtures.job(owner, quantity=1000, unit_price_fen=15)
    _accept_part(completed, owner, factory_pair, accepted=900)  # 100 pieces' worth refunded
    fixtures.job(owner, quantity=2000, unit_price_fen=15)  # paid, open: held in escrow
    fixtures.job(owner, quantity=500, paid=False)  # never paid
    cancelled = fixtures.job(owner, quantity=1000, unit_price_fen=15)
    settings.SANDBOX_FAIL = {"refund"}  # its refund is owed but the gateway refuses it for now
    order_services.job_cancel(job_id=cancelled.id, sme=owner[1], user=owner[0], reason="plans changed")
    fixtures.job(quantity=3000)  # someone else's
    # when
    client = client_for(owner[0])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/jobs/summary")
    # then: the user with its company, the jobs counted, the ledger's legs summed
    assert response.status_code == 200, response.content
    assert len(queries) == 3, [q["sql"] for q in queries]
    body = response.json()
    by_status = body.pop("jobs_by_status")
    counted = {k: v for k, v in by_status.items() if v}
    assert counted == {"completed": 1, "open": 1, "awaiting_payment": 1, "cancelled": 1}
    assert set(by_status) >= {"delivered", "disputed", "expired"}
    assert body == {
        "paid_fen": 15000 + 30000 + 15000,
        "escrow_fen": 30000,
        "released_fen": 13500,  # to the factory and the commission, for 900 pieces
        "refunded_fen": 1500 + 15000,
        "refunds_sent_fen": 1500,  # the cancelled job's refund is not sent yet
        "currency": "CNY",
    }
    assert Refund.objects.get(key=f"refund:job:{cancelled.id}").status == "failed"
    assert body["paid_fen"] == body["escrow_fen"] + body["released_fen"] + body["refunded_fen"]


def test_jobs_summary_is_the_smes_alone(db):
    # given: an SME with no jobs, and a factory
    owner = fixtures.sme()
    factory_user, _ = fixtures.factory()
    # when
    empty = client_for(owner[0]).get("/api/v1/jobs/summary", HTTP_ACCEPT_LANGUAGE="en")
    refused = client_for(factory_user).get("/api/v1/jobs/summary")
    anonymous = client_for(None).get("/api/v1/jobs/summary")
    # then
    assert empty.status_code == 200 and set(empty.json()["jobs_by_status"].values()) == {0}
    assert (empty.json()["paid_fen"], empty.json()["escrow_fen"]) == (0, 0)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert anonymous.status_code == 401
