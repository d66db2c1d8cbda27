from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import ConflictError
from orders import services
from payments import services as payment_services
from payments.models import Refund, SettlementBatch, SettlementLine
from payments.services import settlement
from tests import fixtures

pytestmark = pytest.mark.django_db


def _browser(user):
    browser = Client()
    browser.force_login(user)
    return browser


def _batch():
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    return settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]


def test_admin_approve_action_calls_the_service_and_keeps_four_eyes():
    builder = fixtures.admin_user()
    builder.is_superuser = True
    builder.save()
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1), user=builder)[0]
    # when: the builder uses the action
    response = _browser(builder).post(
        "/admin/payments/settlementbatch/", {"action": "approve_batches", "_selected_action": [batch.id]}, follow=True
    )
    # then: refused with the reason shown, nothing changed
    assert response.status_code == 200
    assert "Four eyes" in response.content.decode()
    assert SettlementBatch.objects.get(id=batch.id).status == "pending_review"


def test_admin_reject_action_asks_for_a_reason_then_rejects():
    batch = _batch()
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    browser = _browser(admin)
    ask = browser.post("/admin/payments/settlementbatch/", {"action": "reject_batches", "_selected_action": [batch.id]})
    assert ask.status_code == 200
    assert "reason" in ask.content.decode()
    assert SettlementBatch.objects.get(id=batch.id).status == "pending_review"
    done = browser.post(
        "/admin/payments/settlementbatch/",
        {"action": "reject_batches", "apply": "1", "_selected_action": [batch.id], "reason": "wrong totals"},
        follow=True,
    )
    assert done.status_code == 200
    batch.refresh_from_db()
    assert (batch.status, batch.reason) == ("rejected", "wrong totals")


def test_admin_reconciliation_ties_out_and_speaks_chinese():
    _batch()
    admin = fixtures.admin_user()
    page = _browser(admin).get("/admin/reconciliation/")
    assert page.status_code == 200
    assert page.context["totals"]["ties_out"] is True
    assert page.context["totals"]["paid_in"] == 15000
    assert page.context["totals"]["to_factories"] == 14250
    assert page.context["totals"]["commission"] == 750
    chinese = _browser(admin).get("/admin/reconciliation/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "对账" in chinese.content.decode()
    admin.is_superuser = True
    admin.save()
    index = _browser(admin).get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "结算批次" in index.content.decode()


def test_admin_pages_for_money_render():
    _batch()
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    browser = _browser(admin)
    for path in (
        "/admin/payments/settlementbatch/",
        "/admin/payments/ledgeraccount/",
        "/admin/payments/ledgertransaction/",
        "/admin/payments/payment/",
        "/admin/payments/refund/",
        f"/admin/payments/settlementbatch/{SettlementBatch.objects.get().id}/change/",
        "/admin/orders/offer/",
        "/admin/orders/dispatchbatch/",
    ):
        assert browser.get(path).status_code == 200, path


def test_admin_refund_retry_and_transfer_cancel_are_reachable(settings):
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
    # a transfer waiting for the payee's confirmation can be taken back with a reason; the
    # sandbox pays at once and has no such step, which the admin is told, and nothing moves
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    line = batch.lines.get()
    SettlementLine.objects.filter(id=line.id).update(payout_status="awaiting_confirmation")
    asked = browser.get("/admin/payments/settlementline/")
    assert asked.status_code == 200
    answer = browser.post(
        "/admin/payments/settlementline/",
        {"action": "cancel_transfers", "apply": "1", "_selected_action": [line.id], "reason": "wrong payee"},
        follow=True,
    )
    assert "cannot take a transfer back" in answer.content.decode()
    assert SettlementLine.objects.get(id=line.id).payout_status == "awaiting_confirmation"
    with pytest.raises(ConflictError):
        settlement.payout_cancel(line_id=line.id, admin=admin, reason="again")


def test_admin_index_desk_counts_what_needs_an_operator_today():
    # given: one batch awaiting review and a superuser
    _batch()
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    # when
    page = _browser(admin).get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then: the count links to the filtered list, in Chinese
    assert '<td id="desk-batches">1</td>' in page
    assert '<td id="desk-disputes">0</td>' in page
    assert "payments/settlementbatch/?status__exact=pending_review" in page
    assert "今日待办" in page and "胶州共享工厂平台" in page
