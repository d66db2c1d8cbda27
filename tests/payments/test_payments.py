import json
import time

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from conftest import client_for
from orders import services as order_services
from orders.models import Job
from orders.services import assignments as order_assignments
from payments import ledger, services
from payments.gateways.sandbox.signing import event_body, sign
from payments.models import GatewayMessage, LedgerTransaction, Payment, Refund
from tests import fixtures

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/payments/webhooks/sandbox"


def _post_webhook(api, body: bytes, signature: str | None):
    headers = {"HTTP_X_SIGNATURE": signature} if signature else {}
    return api.generic("POST", WEBHOOK, body, content_type="application/json", **headers)


def _succeeded_event(payment, *, created=None, event_id="evt_1"):
    return json.dumps(
        {
            "id": event_id,
            "type": "payment.succeeded",
            "created": int(created or time.time()),
            "data": {"payment_id": payment.id, "charge_id": "ch_1"},
        }
    ).encode()


def _money_state(job):
    return (
        Job.objects.get(id=job.id).status,
        Payment.objects.get(job_id=job.id).status,
        LedgerTransaction.objects.count(),
        ledger.account_balance(f"escrow:job:{job.id}"),
    )


@pytest.mark.parametrize(
    "tamper",
    ["no_signature", "wrong_secret", "body_changed_after_signing", "stale", "from_the_future", "not_hex"],
)
def test_webhook_forged_or_stale_is_400_and_moves_nothing(api, django_capture_on_commit_callbacks, tamper):
    # given: an unpaid job
    job = fixtures.job(paid=False)
    payment = job.payment
    body = _succeeded_event(payment)
    signature = sign(body)
    if tamper == "no_signature":
        signature = None
    elif tamper == "wrong_secret":
        signature = sign(body, secret="attacker-secret")
    elif tamper == "body_changed_after_signing":
        body = body.replace(b'"ch_1"', b'"ch_2"')
    elif tamper == "stale":
        body = _succeeded_event(payment, created=time.time() - 301)
        signature = sign(body)
    elif tamper == "from_the_future":
        body = _succeeded_event(payment, created=time.time() + 600)
        signature = sign(body)
    elif tamper == "not_hex":
        signature = "sha256=zz"
    before = _money_state(job)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_webhook(api, body, signature)
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_signature", "stale_webhook"}
    assert GatewayMessage.objects.count() == 0
    assert _money_state(job) == before


def test_webhook_replayed_event_has_one_effect(api, eager_celery):
    job = fixtures.job(paid=False)
    body = _succeeded_event(job.payment)
    # when: the same signed event arrives three times
    responses = [_post_webhook(api, body, sign(body)) for _ in range(3)]
    # then
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.json()["duplicate"] for r in responses] == [False, True, True]
    # then
    assert GatewayMessage.objects.count() == 1
    assert _money_state(job) == ("open", "succeeded", 1, job.total_fen)
    assert ledger.account_balance("gateway_clearing") == -job.total_fen


def test_double_pay_moves_money_once(eager_celery):
    # given: the SME presses pay twice (two webhooks with different event ids)
    job = fixtures.job(paid=False)
    # when
    services.payment_captured(payment_id=job.payment.id, provider_ref="a")
    services.payment_captured(payment_id=job.payment.id, provider_ref="b")
    # then
    assert _money_state(job) == ("open", "succeeded", 1, job.total_fen)


def test_release_rerun_moves_money_once():
    # given: a delivered assignment
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory()
    job = fixtures.job(owner, quantity=1000, unit_price_fen=15)
    assignment = _delivered(job, owner, factory, factory_user, delivered=1000)
    order_services.assignment_accept(
        assignment_id=assignment.id, company=owner[1], user=owner[0], quantity_accepted=1000, rating=5
    )
    assignment.refresh_from_db()
    count = LedgerTransaction.objects.count()
    # when: the release is run again (a retried task)
    order_assignments.payment_release(assignment)
    # then
    assert LedgerTransaction.objects.count() == count
    assert ledger.account_balance(f"payable:factory:{factory.id}") == 14250  # 15,000 less 5% commission
    assert ledger.account_balance("commission_revenue") == 750
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0


def _delivered(job, owner, factory, factory_user, delivered):
    assignment = order_services.board_accept(job_id=job.id, factory=factory, user=factory_user)
    order_services.assignment_materials_sent(assignment_id=assignment.id, company=owner[1], user=owner[0])
    order_services.assignment_materials_received(
        assignment_id=assignment.id, company=factory, user=factory_user, quantity_received=job.quantity
    )
    order_services.assignment_deliver(
        assignment_id=assignment.id, company=factory, user=factory_user, quantity_delivered=delivered
    )
    return assignment


@pytest.mark.parametrize(
    ("accepted", "factory_fen", "commission_fen", "refund_fen"),
    [
        (1000, 12350, 650, 0),  # 13,000 x 5% = 650 exactly
        (999, 12338, 649, 13),  # 12,987 x 5% = 649.35: commission rounds down, the factory keeps the fen
        (1, 13, 0, 12987),  # one piece: 13 fen, 5% is 0.65 -> 0 commission
        (0, 0, 0, 13000),
    ],
)
def test_release_commission_rounds_down_and_legs_sum_exactly(accepted, factory_fen, commission_fen, refund_fen):
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 1, 0)])
    job = fixtures.job(owner, quantity=1000, unit_price_fen=13)
    job.refresh_from_db()
    assignment = _delivered(job, owner, factory, factory_user, delivered=1000)
    order_services.assignment_accept(
        assignment_id=assignment.id, company=owner[1], user=owner[0], quantity_accepted=accepted, rating=3
    )
    release = LedgerTransaction.objects.get(key=f"release:assignment:{assignment.id}")
    legs = {leg.account.code: leg.amount_fen for leg in release.legs.select_related("account")}
    assert sum(legs.values()) == 0
    assert legs.get(f"payable:factory:{factory.id}", 0) == factory_fen
    assert legs.get("commission_revenue", 0) == commission_fen
    assert legs.get("sme_refunds", 0) == refund_fen
    assert legs[f"escrow:job:{job.id}"] == -13000


def test_cancel_refunds_the_whole_escrow_through_the_gateway(eager_celery):
    user, company = fixtures.sme()
    job = fixtures.job((user, company), quantity=2000, unit_price_fen=15)
    # when
    response = client_for(user).post(f"/api/v1/jobs/{job.id}/cancel", {"reason": "order fell through"}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    refund = Refund.objects.get(key=f"refund:job:{job.id}")
    assert (refund.status, refund.amount_fen) == ("succeeded", 30000)
    payment = Payment.objects.get(job_id=job.id)
    assert (payment.status, payment.refunded_fen) == ("refunded", 30000)
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0
    assert ledger.account_balance("sme_refunds") == 0
    assert ledger.ledger_check(finished_job_ids=[job.id]).balanced


def test_payment_arriving_after_cancel_is_refunded(eager_celery):
    user, company = fixtures.sme()
    job = fixtures.job((user, company), paid=False)
    order_services.job_cancel(job_id=job.id, sme=company, user=user, reason="too slow")
    # when: the gateway's late webhook says the SME paid after all
    services.payment_captured(payment_id=job.payment.id, provider_ref="late")
    # then
    assert Job.objects.get(id=job.id).status == "cancelled"
    assert Payment.objects.get(job_id=job.id).status == "refunded"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0
    assert ledger.ledger_check(finished_job_ids=[job.id]).balanced


def test_refund_refused_by_gateway_is_failed_and_can_be_retried(eager_celery, settings):
    user, company = fixtures.sme()
    job = fixtures.job((user, company))
    settings.SANDBOX_FAIL = {"refund"}
    order_services.job_cancel(job_id=job.id, sme=company, user=user)
    refund = Refund.objects.get(key=f"refund:job:{job.id}")
    assert refund.status == "failed"
    assert ledger.account_balance("sme_refunds") == job.total_fen  # owed, not yet sent
    # when: the gateway works again and an admin retries
    settings.SANDBOX_FAIL = set()
    services.refund_retry(refund_id=refund.id)
    # then
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert ledger.account_balance("sme_refunds") == 0


def test_sandbox_pay_fail_marks_the_payment_failed_and_job_stays_unpaid(eager_celery_live):
    user, company = fixtures.sme()
    job = fixtures.job((user, company), paid=False)
    response = APIClient().post(fixtures.pay_path(job.payment) + "?fail=1")
    assert response.status_code == 200
    assert response.json()["result"] == "declined"
    assert Payment.objects.get(job_id=job.id).status == "failed"
    assert Job.objects.get(id=job.id).status == "awaiting_payment"
    # and the page no longer takes the payment (API.md: no longer requires_payment -> 409)
    again = APIClient().post(fixtures.pay_path(job.payment))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "payment_not_payable")
    assert GatewayMessage.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 0


def test_sandbox_pay_duplicate_knob_delivers_twice_and_moves_money_once(eager_celery_live, settings):
    settings.SANDBOX_TEST_KNOBS = True
    job = fixtures.job(paid=False)
    response = APIClient().post(fixtures.pay_path(job.payment) + "?duplicate=1")
    assert (response.status_code, response.json()["copies"]) == (200, 2)
    assert Payment.objects.get(job_id=job.id).status == "succeeded"
    assert Job.objects.get(id=job.id).status == "open"
    assert GatewayMessage.objects.count() == 1  # delivered twice, stored once
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1


@override_settings(PAYMENT_PROVIDER="sandbox")
def test_sandbox_event_is_signed_with_the_webhook_secret():
    body, signature = event_body("payment.succeeded", {"payment_id": 1})
    assert signature == sign(body)
    assert json.loads(body)["type"] == "payment.succeeded"


@pytest.mark.parametrize("created", ["NaN", "Infinity", "-Infinity"])
def test_webhook_with_a_non_finite_number_is_400_and_stores_nothing(api, created):
    # given: a correctly signed body whose timestamp is not a number JSON allows
    body = b'{"id":"evt_nan","type":"payment.succeeded","created":' + created.encode() + b',"data":{}}'
    # when
    response = api.generic(
        "POST", "/api/v1/payments/webhooks/sandbox", body, content_type="application/json", HTTP_X_SIGNATURE=sign(body)
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook"
    assert not GatewayMessage.objects.filter(event_id="evt_nan").exists()
