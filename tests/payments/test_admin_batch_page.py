"""A settlement batch checked, approved and rejected from its own admin page."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from payments import services as payment_services
from payments.models import SettlementBatch
from payments.services import settlement
from tests import fixtures

pytestmark = pytest.mark.django_db


def _operator():
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    return admin, browser


def _batch(builder=None):
    pair = fixtures.factory()
    payment_services.payout_account_set(company_id=pair[1].id, wechat_openid="o-payee-1", real_name="王芳")
    share = fixtures.completed_assignment(pair, quantity=1000, unit_price_fen=15, accepted=900)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1), user=builder)[0]
    return batch, share


def test_batch_page_shows_each_line_job_process_pieces_money_payee_and_totals_in_yuan():
    # given: a batch paying 900 accepted pieces at ¥0.15 (gross ¥135.00, 5% commission ¥6.75)
    batch, share = _batch()
    _admin, browser = _operator()
    # when
    page = browser.get(f"/admin/payments/settlementbatch/{batch.id}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then
    html = page.content.decode()
    assert page.status_code == 200
    rows = page.context["review_rows"]
    assert [(r["job_id"], r["pieces"], r["gross_fen"], r["commission_fen"], r["net_fen"]) for r in rows] == [
        (share.job_id, 900, 13500, 675, 12825)
    ]
    assert "魔术贴" in rows[0]["process"]
    assert "¥135.00" in html and "¥6.75" in html and "¥128.25" in html
    assert "王芳" in html and "o-payee-1" in html
    assert 'id="approve-batch"' in html and 'id="reject-batch"' in html
    assert "批准" in html


def test_approve_from_the_page_confirms_the_totals_then_approves_and_logs():
    builder = fixtures.admin_user()
    batch, _share = _batch(builder)
    admin, browser = _operator()
    # when: the second admin opens the confirmation
    confirm = browser.get(f"/admin/payments/settlementbatch/{batch.id}/approve/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then: it shows the totals and changes nothing yet
    assert confirm.status_code == 200
    assert "¥128.25" in confirm.content.decode()
    assert SettlementBatch.objects.get(id=batch.id).status == "pending_review"
    # when: confirmed
    done = browser.post(f"/admin/payments/settlementbatch/{batch.id}/approve/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then: approved by the service (approved_by set) and in the admin's history
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.status in ("approved", "paying", "paid")
    assert batch.approved_by_id == admin.id
    entry = LogEntry.objects.get(object_id=str(batch.id), content_type__model="settlementbatch")
    assert entry.user_id == admin.id
    assert "¥128.25" in entry.change_message


def test_the_builder_is_refused_on_the_page_and_nothing_is_logged():
    builder, browser = _operator()
    batch, _share = _batch(builder)
    response = browser.post(
        f"/admin/payments/settlementbatch/{batch.id}/approve/", HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True
    )
    assert response.status_code == 200
    assert "双人复核" in response.content.decode()
    assert SettlementBatch.objects.get(id=batch.id).status == "pending_review"
    assert not LogEntry.objects.filter(object_id=str(batch.id), content_type__model="settlementbatch").exists()


def test_reject_from_the_page_needs_a_reason_and_records_it():
    batch, _share = _batch()
    admin, browser = _operator()
    url = f"/admin/payments/settlementbatch/{batch.id}/reject/"
    # when: no reason
    empty = browser.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then: asked again, nothing changed
    assert empty.status_code == 200 and "errorlist" in empty.content.decode()
    assert SettlementBatch.objects.get(id=batch.id).status == "pending_review"
    # when: with a reason
    done = browser.post(url, {"reason": "件数与交付单不符"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert done.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.reason, batch.last_changed_by_id) == ("rejected", "件数与交付单不符", admin.id)
    entry = LogEntry.objects.get(object_id=str(batch.id), content_type__model="settlementbatch")
    assert "件数与交付单不符" in entry.change_message
    history = browser.get(f"/admin/payments/settlementbatch/{batch.id}/history/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "件数与交付单不符" in history.content.decode()


def test_list_actions_write_the_admins_history_too():
    batch, _share = _batch()
    admin, browser = _operator()
    browser.post(
        "/admin/payments/settlementbatch/",
        {"action": "reject_batches", "apply": "1", "_selected_action": [batch.id], "reason": "重复"},
    )
    assert SettlementBatch.objects.get(id=batch.id).status == "rejected"
    assert LogEntry.objects.filter(object_id=str(batch.id), user=admin).exists()
