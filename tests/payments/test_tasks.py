"""The beat tasks of payments (payments/tasks.py)."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from orders import services
from orders import tasks as order_tasks
from payments import services as payment_services
from payments import tasks
from payments.gateways.sandbox.signing import sign
from payments.models import LedgerAccount, LedgerTransaction, Payment, Refund, SettlementBatch, SettlementLine
from payments.services import settlement
from payments.tasks import money_sweep_task
from tests import fixtures

pytestmark = pytest.mark.django_db


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
    # the batch's one line was sent; its webhook (not delivered here) will say it is paid
    assert SettlementBatch.objects.get(id=batch.id).status == "paying"
    assert list(SettlementLine.objects.filter(batch=batch).values_list("payout_status", flat=True)) == ["sending"]


def _ledger_state():
    return (
        LedgerTransaction.objects.count(),
        sorted(LedgerAccount.objects.values_list("code", "balance_fen")),
        sorted(Refund.objects.values_list("key", "status")),
        sorted(SettlementBatch.objects.values_list("id", "status")),
        sorted(SettlementLine.objects.values_list("id", "payout_status", "active")),
    )


def test_every_money_task_run_twice_has_one_effect(django_capture_on_commit_callbacks):
    """A killed worker's task comes back (acks_late): running each money task a second time
    must change nothing."""
    # a payment whose webhook is stored, a cancelled job's refund, an approved batch
    owner = fixtures.sme()
    unpaid = fixtures.job(owner, paid=False)
    body = json.dumps(
        {
            "id": "evt_twice",
            "type": "payment.succeeded",
            "created": int(time.time()),
            "data": {"payment_id": unpaid.payment.id},
        }
    ).encode()
    event, _ = payment_services.webhook_receive(provider="sandbox", raw_body=body, headers={"X-Signature": sign(body)})
    cancelled = fixtures.job(owner)
    services.job_cancel(job_id=cancelled.id, sme=owner[1], user=owner[0])
    refund = Refund.objects.get(key=f"refund:job:{cancelled.id}")
    fixtures.completed_assignment()
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    settlement.settlement_approve(batch_id=batch.id, admin=fixtures.admin_user())
    runs = [
        lambda: tasks.webhook_process_task(event.id),
        lambda: tasks.refund_execute_task(refund.id),
        lambda: tasks.settlement_payout_task(batch.id),
        tasks.payments_reconcile_task,
        tasks.money_sweep_task,
        tasks.settlement_build_task,
        order_tasks.assignments_auto_accept_due_task,
        order_tasks.jobs_expire_due_task,
    ]
    for run in runs:
        with django_capture_on_commit_callbacks(execute=True):
            run()
        once = _ledger_state()
        with django_capture_on_commit_callbacks(execute=True):
            run()
        assert _ledger_state() == once, run
    assert Payment.objects.get(id=unpaid.payment.id).status == "succeeded"
    assert Refund.objects.get(id=refund.id).status == "succeeded"
