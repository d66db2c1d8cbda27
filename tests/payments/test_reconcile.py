"""The gateway is the source of truth for "was it paid" (payments.services.reconcile): a
lost webhook and the sweep end in the same state as a delivered one."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orders import services as order_services
from orders.models import Job
from payments import ledger, services
from payments.models import Payment, Refund
from tests import fixtures

pytestmark = pytest.mark.django_db


def _paid_at_the_gateway_webhook_lost(job, django_capture_on_commit_callbacks):
    """The SME pays on the pay page; the webhook delivery (a task sent after commit) is lost."""
    with django_capture_on_commit_callbacks(execute=False) as lost:
        assert APIClient().post(fixtures.pay_path(job.payment)).status_code == 200
    assert len(lost) == 1  # the delivery that never happens
    assert Payment.objects.get(id=job.payment.id).status == "requires_payment"


def test_reconcile_opens_a_job_whose_payment_webhook_was_lost(django_capture_on_commit_callbacks):
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, unit_price_fen=15, paid=False)
    _paid_at_the_gateway_webhook_lost(job, django_capture_on_commit_callbacks)
    # when: the sweep runs
    assert services.payments_reconcile(older_than_seconds=0) == 1
    # then: as if the webhook had come
    assert Payment.objects.get(id=job.payment.id).status == "succeeded"
    assert Job.objects.get(id=job.id).status == "open"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 15_000
    # and again: nothing more
    assert services.payments_reconcile(older_than_seconds=0) == 0
    assert ledger.account_balance(f"escrow:job:{job.id}") == 15_000


def test_reconcile_refunds_a_charge_for_a_job_cancelled_meanwhile(django_capture_on_commit_callbacks):
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, unit_price_fen=15, paid=False)
    _paid_at_the_gateway_webhook_lost(job, django_capture_on_commit_callbacks)
    order_services.job_cancel(job_id=job.id, sme=owner[1], user=owner[0], reason="no news of the payment")
    assert Payment.objects.get(id=job.payment.id).status == "failed"  # closed by the cancel
    # when
    services.payments_reconcile(older_than_seconds=0)
    # then: the money the gateway took is owed back, not kept
    refund = Refund.objects.get(payment=job.payment)
    assert (refund.amount_fen, refund.status) == (15_000, "pending")
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0
    assert Job.objects.get(id=job.id).status == "cancelled"


def test_reconcile_records_a_decline_whose_webhook_was_lost(django_capture_on_commit_callbacks):
    job = fixtures.job(paid=False)
    with django_capture_on_commit_callbacks(execute=False):
        APIClient().post(fixtures.pay_path(job.payment) + "?fail=1")
    services.payments_reconcile(older_than_seconds=0)
    assert Payment.objects.get(id=job.payment.id).status == "failed"
    assert Job.objects.get(id=job.id).status == "awaiting_payment"


def test_reconcile_leaves_alone_what_the_gateway_knows_nothing_of_and_recent_payments():
    job = fixtures.job(paid=False)
    assert services.payments_reconcile(older_than_seconds=0) == 0
    assert services.payments_reconcile(older_than_seconds=3600) == 0
    assert Payment.objects.get(id=job.payment.id).status == "requires_payment"


def test_reconcile_asks_only_within_its_window(django_capture_on_commit_callbacks):
    # given: two payments paid at the gateway with their webhooks lost, one made an hour ago
    recent, old = fixtures.job(paid=False), fixtures.job(paid=False)
    for job in (recent, old):
        _paid_at_the_gateway_webhook_lost(job, django_capture_on_commit_callbacks)
    Payment.objects.filter(id=old.payment.id).update(created_at=timezone.now() - timedelta(hours=1))
    # when: the frequent sweep (the last 30 minutes) runs, then the one for older payments
    recent_changed = services.payments_reconcile(older_than_seconds=0, newer_than_seconds=1800)
    statuses_between = sorted(Payment.objects.filter(id__in=[recent.payment.id, old.payment.id]).values_list("status"))
    older_changed = services.payments_reconcile(older_than_seconds=1800)
    # then: each took its own
    assert (recent_changed, older_changed) == (1, 1)
    assert Payment.objects.get(id=recent.payment.id).status == "succeeded"
    assert statuses_between == [("requires_payment",), ("succeeded",)]
    assert Job.objects.get(id=old.id).status == "open"
