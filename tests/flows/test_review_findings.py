"""Regression tests for defects a code review found (each test names the scenario)."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import client_for
from core.errors import ConflictError, ForbiddenError
from factories import services as factory_services
from orders import services
from orders.models import Assignment, Job, MaterialMovement, Offer
from payments import ledger
from payments import services as payment_services
from payments.models import Refund, SandboxOperation, SettlementBatch, SettlementLine
from payments.services import settlement
from payments.tasks import money_sweep_task
from tests import fixtures

pytestmark = pytest.mark.django_db


def _deliver(job, owner, pair, quantity):
    user, company = pair
    a = services.board_accept(job_id=job.id, factory=company, user=user, quantity=quantity)
    services.assignment_materials_sent(assignment_id=a.id, company=owner[1], user=owner[0])
    services.assignment_materials_received(assignment_id=a.id, company=company, user=user, quantity_received=quantity)
    services.assignment_deliver(assignment_id=a.id, company=company, user=user, quantity_delivered=quantity)
    return a


def test_split_job_completed_share_still_covers_its_part():
    # given: a split job of 1,000; A completes 500, B takes 500 and withdraws
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, allow_split=True)
    a_pair, b_pair, c_pair = fixtures.factory(), fixtures.factory(), fixtures.factory()
    a = _deliver(job, owner, a_pair, 500)
    services.assignment_accept(assignment_id=a.id, company=owner[1], user=owner[0], quantity_accepted=500, rating=5)
    b = services.board_accept(job_id=job.id, factory=b_pair[1], user=b_pair[0], quantity=500)
    services.assignment_withdraw(assignment_id=b.id, company=b_pair[1], user=b_pair[0])
    # then: C sees only the 500 left, and A may not take the job again (409, not a 500)
    row = client_for(c_pair[0]).get("/api/v1/board").json()["results"][0]
    assert (row["id"], row["max_share"]) == (job.id, 500)
    with pytest.raises(Exception) as too_much:
        services.board_accept(job_id=job.id, factory=c_pair[1], user=c_pair[0], quantity=1000)
    assert too_much.value.code == "invalid_share"
    again = client_for(a_pair[0]).post(f"/api/v1/board/{job.id}/accept", {}, format="json")
    assert again.status_code == 404  # A holds (held) a share: the job is not on its board
    # and C's 500 is paid out of what is left in escrow
    c = _deliver(job, owner, c_pair, 500)
    services.assignment_accept(assignment_id=c.id, company=owner[1], user=owner[0], quantity_accepted=500, rating=4)
    assert Job.objects.get(id=job.id).status == "completed"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0


def test_auto_accept_one_bad_share_does_not_block_the_others():
    pair = fixtures.factory()
    owners = [fixtures.sme(), fixtures.sme()]
    shares = [_deliver(fixtures.job(o, quantity=100), o, pair, 100) for o in owners]
    Assignment.objects.filter(id__in=[s.id for s in shares]).update(delivered_at=timezone.now() - timedelta(days=4))
    # the first share's escrow is gone (as if a bug had drained it): its release is refused
    from payments.models import LedgerAccount

    LedgerAccount.objects.filter(code=f"escrow:job:{shares[0].job_id}").update(balance_fen=0)
    assert services.assignments_auto_accept_due() == 1
    assert Assignment.objects.get(id=shares[1].id).status == "completed"


@pytest.mark.django_db(transaction=True)
def test_dispute_resolve_and_a_concurrent_accept_do_not_deadlock():
    for _ in range(3):
        owner = fixtures.sme()
        a_pair, b_pair = fixtures.factory(), fixtures.factory()
        split = fixtures.job(owner, quantity=1000, allow_split=True)
        _deliver(split, owner, a_pair, 500)
        _deliver(split, owner, b_pair, 500)
        services.job_dispute(job_id=split.id, sme=owner[1], user=owner[0], reason="stains")
        other = _deliver(fixtures.job(owner, quantity=100), owner, b_pair, 100)
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


def test_payout_rerun_after_the_gateway_paid_is_not_refused(settings):
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    started = settlement._payout_start(batch_id=batch.id)
    settlement._payout_call_gateway(started)  # the gateway paid; then the worker died
    settings.SANDBOX_FAIL = {"payout"}  # and now the gateway refuses new payouts
    # when: the task runs again
    settlement.settlement_payout(batch_id=batch.id)
    # then: the gateway answers from its book; the batch is not marked failed
    assert SettlementBatch.objects.get(id=batch.id).status == "paying"
    assert SandboxOperation.objects.filter(kind="payout").count() == 1


def test_payout_paid_after_we_marked_it_failed_is_booked_not_dropped():
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    settlement.settlement_payout(batch_id=batch.id)
    settlement._payout_refused(batch_id=batch.id, reason="timeout at the gateway")
    assert ledger.account_balance(f"payable:factory:{pair[1].id}") == 14250
    # when: the gateway's webhook says attempt 1 did pay
    settlement.payout_confirmed(batch_id=batch.id, attempt=1, ok=True, reference="late")
    # then
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert ledger.account_balance(f"payable:factory:{pair[1].id}") == 0
    assert ledger.account_balance(f"paid_out:factory:{pair[1].id}") == 14250
    assert ledger.ledger_check().balanced


def test_retry_of_a_payout_the_gateway_executed_books_it_without_paying_again():
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    settlement.settlement_payout(batch_id=batch.id)
    settlement._payout_refused(batch_id=batch.id, reason="unclear answer")
    # when: an admin retries; the gateway's book says attempt 1 was paid
    settlement.settlement_retry_payout(batch_id=batch.id, admin=fixtures.admin_user())
    # then: booked as paid, nothing sent again
    batch.refresh_from_db()
    assert (batch.status, batch.payout_attempt, batch.payout_sends) == ("paid", 1, 1)
    assert SandboxOperation.objects.filter(kind="payout").count() == 1
    assert ledger.account_balance(f"paid_out:factory:{pair[1].id}") == 14250
    assert ledger.ledger_check().balanced
    # and a late webhook for it changes nothing more
    settlement.payout_confirmed(batch_id=batch.id, attempt=1, ok=True, reference="r")
    assert ledger.account_balance(f"paid_out:factory:{pair[1].id}") == 14250


def test_return_is_refused_when_the_gateway_paid_the_batch():
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    settlement.settlement_payout(batch_id=batch.id)
    settlement._payout_refused(batch_id=batch.id, reason="unclear answer")
    with pytest.raises(ConflictError) as refused:
        settlement.settlement_return(batch_id=batch.id, admin=fixtures.admin_user(), reason="try next batch")
    assert refused.value.code == "payout_executed"
    assert SettlementLine.objects.filter(batch=batch, active=True).count() == 1


def test_late_paid_while_a_new_attempt_waits_is_booked_and_the_new_attempt_not_sent(settings):
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    settings.SANDBOX_FAIL = {"payout"}
    settlement.settlement_payout(batch_id=batch.id)  # refused: failed, nothing at the gateway
    settings.SANDBOX_FAIL = set()
    settlement.settlement_retry_payout(batch_id=batch.id, admin=fixtures.admin_user())  # attempt 2 approved
    # when: a (hypothetical real-gateway) paid for attempt 1 arrives before attempt 2 is sent
    settlement.payout_confirmed(batch_id=batch.id, attempt=1, ok=True, reference="late")
    settlement.settlement_payout(batch_id=batch.id)
    # then: paid once, attempt 2 never sent
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert SandboxOperation.objects.filter(kind="payout").count() == 0
    assert ledger.account_balance(f"paid_out:factory:{pair[1].id}") == 14250
    assert ledger.ledger_check().balanced


def test_offer_sized_to_full_capacity_can_be_accepted_before_it_expires():
    # given: a split job the batch divides up to the factories' full capacity
    job = fixtures.job(mode="dispatch", quantity=10000, allow_split=True, days=1.5)
    pairs = [
        fixtures.factory(lat=36.27 + i * 0.01, lng=120.03, capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
        for i in range(3)
    ]
    services.dispatch_run_batch()
    offers = list(Offer.objects.filter(job=job, status="pending"))
    # when: the factories answer 59 seconds later (capacity before the deadline has shrunk since)
    Offer.objects.filter(job=job).update(planned_at=timezone.now() - timedelta(seconds=59))
    for offer in offers:
        user, company = next(p for p in pairs if p[1].id == offer.factory_id)
        services.offer_accept(offer_id=offer.id, factory=company, user=user)
    # then
    assert Job.objects.get(id=job.id).status == "assigned"


def test_split_job_delivered_share_can_be_disputed_while_another_is_in_production():
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, allow_split=True)
    a_pair, b_pair = fixtures.factory(), fixtures.factory()
    _deliver(job, owner, a_pair, 500)
    b = services.board_accept(job_id=job.id, factory=b_pair[1], user=b_pair[0], quantity=500)
    services.assignment_materials_sent(assignment_id=b.id, company=owner[1], user=owner[0])
    # when
    response = client_for(owner[0]).post(f"/api/v1/jobs/{job.id}/dispute", {"reason": "stains"}, format="json")
    # then
    assert response.status_code == 200
    assert sorted(Assignment.objects.filter(job=job).values_list("status", flat=True)) == ["disputed", "materials_sent"]
    services.dispute_resolve(job_id=job.id, admin=fixtures.admin_user(), quantity_accepted=450)
    assert Assignment.objects.get(job=job, factory=a_pair[1]).quantity_accepted == 450


def test_lone_surrogate_in_a_body_is_400_with_or_without_idempotency_key():
    user, company = fixtures.sme()
    job = fixtures.job((user, company))
    body = '{"reason": "\\ud800"}'  # valid JSON, but an unpaired surrogate is no text
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "k1"}):
        response = client_for(user).generic(
            "POST", f"/api/v1/jobs/{job.id}/cancel", body, content_type="application/json", **headers
        )
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "parse_error"
    assert Job.objects.get(id=job.id).status == "open"


def test_going_offline_withdraws_the_factorys_pending_offers(django_capture_on_commit_callbacks):
    job = fixtures.job(mode="dispatch")
    user, company = fixtures.factory()
    services.dispatch_run_batch()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(user).patch("/api/v1/factory/profile", {"online": False}, format="json")
    assert Offer.objects.get(job=job).status == "withdrawn"
    assert Job.objects.get(id=job.id).dispatch_misses == 0


def test_material_lost_in_transit_lets_the_factory_give_the_share_back():
    owner = fixtures.sme()
    user, company = fixtures.factory()
    job = fixtures.job(owner, quantity=1000)
    a = services.board_accept(job_id=job.id, factory=company, user=user)
    services.assignment_materials_sent(assignment_id=a.id, company=owner[1], user=owner[0])
    services.assignment_materials_received(assignment_id=a.id, company=company, user=user, quantity_received=0)
    # when
    services.assignment_withdraw(assignment_id=a.id, company=company, user=user, reason="nothing arrived")
    # then
    assert Job.objects.get(id=job.id).status == "open"
    assert MaterialMovement.objects.get(assignment=a, kind="written_off").quantity == 1000
    company.factory_profile.refresh_from_db()
    assert company.factory_profile.cancellations == 0


def test_deeply_nested_json_is_400_not_500():
    response = APIClient().generic(
        "POST", "/api/v1/auth/register", "[" * 100000 + "]" * 100000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_idempotency_key_with_control_characters_is_400():
    user, _ = fixtures.sme()
    response = client_for(user).post("/api/v1/jobs/quote", {}, format="json", HTTP_IDEMPOTENCY_KEY="k\u0000")
    assert response.status_code in (400, 403)
    body = fixtures.VELCRO_SPEC
    posted = client_for(user).post(
        "/api/v1/jobs",
        {
            "process": "velcro_sewing",
            "quantity": 10,
            "spec": body,
            "deadline": (timezone.now() + timedelta(days=2)).isoformat(),
            "unit_price_fen": 15,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="bad\u0000key",
    )
    assert posted.status_code == 400
    assert posted.json()["error"]["code"] == "invalid_idempotency_key"
    assert Job.objects.count() == 0


def test_offer_of_a_factory_gone_offline_is_409_not_404():
    job = fixtures.job(mode="dispatch")
    user, company = fixtures.factory()
    services.dispatch_run_batch()
    offer = Offer.objects.get(job=job)
    factory_services.factory_profile_update(company=company, online=False)
    response = client_for(user).post(f"/api/v1/offers/{offer.id}/accept", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_not_eligible"


def test_money_sweep_redrives_lost_refunds_and_payouts():
    user, company = fixtures.sme()
    cancelled = fixtures.job((user, company))
    services.job_cancel(job_id=cancelled.id, sme=company, user=user)  # its refund task was "lost"
    Refund.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(
        status="approved", updated_at=timezone.now() - timedelta(minutes=10)
    )
    # when
    swept = money_sweep_task()
    # then
    assert swept == 2
    assert Refund.objects.get(key=f"refund:job:{cancelled.id}").status == "succeeded"
    assert SettlementBatch.objects.get(id=batch.id).status == "paying"


def test_settle_as_an_admin_keeps_four_eyes(capsys):
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    builder = fixtures.admin_user()
    call_command("settle", "--cutoff", (timezone.now() + timedelta(seconds=1)).isoformat(), "--as", builder.username)
    batch = SettlementBatch.objects.get()
    assert batch.built_by_id == builder.id
    with pytest.raises(ForbiddenError):
        settlement.settlement_approve(batch_id=batch.id, admin=builder)


def test_refund_retry_and_batch_return_are_reachable_from_the_admin(settings):
    from django.test import Client

    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    user, company = fixtures.sme()
    job = fixtures.job((user, company))
    settings.SANDBOX_FAIL = {"refund"}
    services.job_cancel(job_id=job.id, sme=company, user=user)
    refund = Refund.objects.get()
    payment_services.refund_execute(refund_id=refund.id)
    assert Refund.objects.get().status == "failed"
    settings.SANDBOX_FAIL = set()
    browser.post("/admin/payments/refund/", {"action": "retry_refunds", "_selected_action": [refund.id]})
    assert Refund.objects.get().status == "pending"
    # a failed batch can be returned with a reason
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="failed")
    browser.post(
        "/admin/payments/settlementbatch/",
        {"action": "return_batches", "apply": "1", "_selected_action": [batch.id], "reason": "bank closed"},
    )
    batch.refresh_from_db()
    assert (batch.status, batch.reason) == ("rejected", "bank closed")
    with pytest.raises(ConflictError):
        settlement.settlement_return(batch_id=batch.id, admin=admin, reason="again")


def test_unpaid_job_past_its_deadline_is_cancelled_by_the_expiry_task():
    job = fixtures.job(paid=False)
    Job.objects.filter(id=job.id).update(deadline=timezone.now() + timedelta(minutes=30))
    assert services.jobs_expire_due() == 1
    job.refresh_from_db()
    assert (job.status, job.cancel_reason) == ("cancelled", "not paid before the deadline")
    # a payment that still arrives is refunded
    payment_services.payment_captured(payment_id=job.payment.id, provider_ref="late")
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0
    assert Refund.objects.get(key=f"refund:job:{job.id}").amount_fen == job.total_fen


def test_anonymous_idempotency_keys_of_different_clients_do_not_collide():
    body = {"username": "a1", "password": "Strap-2026-strong", "company": {"name": "A", "kind": "sme"}}
    other = {"username": "b1", "password": "Strap-2026-strong", "company": {"name": "B", "kind": "sme"}}
    first = APIClient(REMOTE_ADDR="10.0.0.1").post(
        "/api/v1/auth/register", body, format="json", HTTP_IDEMPOTENCY_KEY="1"
    )
    second = APIClient(REMOTE_ADDR="10.0.0.2").post(
        "/api/v1/auth/register", other, format="json", HTTP_IDEMPOTENCY_KEY="1"
    )
    assert (first.status_code, second.status_code) == (201, 201)
