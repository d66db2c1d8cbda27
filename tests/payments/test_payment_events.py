"""The payment's audit trail (PaymentHistory): every move of a payment and its refunds, with who and why."""

import pytest

from orders import services as order_services
from payments import services
from payments.models import PaymentHistory, Refund
from tests import fixtures

pytestmark = pytest.mark.django_db


def _trail(payment):
    return [
        (e.action, e.old_status, e.new_status, e.refund_id is not None)
        for e in PaymentHistory.objects.filter(payment=payment).order_by("id")
    ]


def test_payment_events_record_creation_capture_refund_owed_and_sent():
    # given: an SME's job, paid, then cancelled
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, unit_price_fen=15)
    order_services.job_cancel(job_id=job.id, sme=owner[1], user=owner[0], reason="plans changed")
    refund = Refund.objects.get(payment=job.payment)
    # when: the gateway sends the refund
    services.refund_execute(refund_id=refund.id)
    # then: one row per step, refund rows tied to their refund
    assert _trail(job.payment) == [
        ("created", "", "requires_payment", False),
        ("captured", "requires_payment", "succeeded", False),
        ("refund_owed", "", "pending", True),
        ("refund_sent", "pending", "succeeded", True),
        ("refunded", "succeeded", "refunded", False),
    ]


def test_payment_events_record_a_failed_refund_and_who_sent_it_again(settings):
    # given: a cancelled job whose refund the gateway refuses
    owner = fixtures.sme()
    job = fixtures.job(owner)
    order_services.job_cancel(job_id=job.id, sme=owner[1], user=owner[0])
    refund = Refund.objects.get(payment=job.payment)
    settings.SANDBOX_FAIL = {"refund"}
    services.refund_execute(refund_id=refund.id)
    admin = fixtures.admin_user()
    # when: an admin sends it again once the gateway works
    settings.SANDBOX_FAIL = set()
    services.refund_retry(refund_id=refund.id, admin=admin)
    services.refund_execute(refund_id=refund.id)
    # then
    rows = list(PaymentHistory.objects.filter(refund=refund).order_by("id"))
    assert [(e.action, e.old_status, e.new_status) for e in rows] == [
        ("refund_owed", "", "pending"),
        ("failed", "pending", "failed"),
        ("retried", "failed", "pending"),
        ("refund_sent", "pending", "succeeded"),
    ]
    assert rows[1].reason == "sandbox gateway told to fail refunds"
    assert (rows[2].actor_id, rows[2].actor_label) == (admin.id, admin.username)
    assert Refund.objects.get(id=refund.id).status == "succeeded"


def test_payment_events_a_replayed_capture_adds_no_row():
    # given: a paid job
    job = fixtures.job()
    before = _trail(job.payment)
    # when: the gateway's success webhook is applied again
    services.payment_captured(payment_id=job.payment.id, provider_ref="again")
    # then
    assert _trail(job.payment) == before
