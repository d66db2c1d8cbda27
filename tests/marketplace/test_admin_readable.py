"""Trails and lists read in Chinese with money in yuan (labels in the owning apps; the
stored codes stay)."""

import pytest

from payments.models import LedgerTransaction, Refund
from tests import fixtures
from tests.marketplace.test_admin_walk import visible

pytestmark = pytest.mark.django_db


def test_ledger_transactions_show_their_kind_by_name_and_an_amount_in_yuan():
    # given: a completed share of 1000 pieces at ¥0.15, 850 accepted
    fixtures.completed_assignment(quantity=1000, unit_price_fen=15, accepted=850)
    release = LedgerTransaction.objects.get(kind="release")
    # when
    page = (
        fixtures.admin_browser()
        .get("/admin/payments/ledgertransaction/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    # then: the kinds in Chinese, the release's amount is the escrow it moved (¥150.00)
    assert "结算给工厂" in page
    assert "¥150.00" in page
    assert release.kind == "release"  # the code is unchanged


def test_a_refund_the_platform_wrote_reads_in_chinese_and_the_payment_trail_has_no_json():
    fixtures.completed_assignment(quantity=1000, unit_price_fen=15, accepted=850)
    refund = Refund.objects.get()
    assert refund.reason == "150 pieces not accepted"
    browser = fixtures.admin_browser()
    refunds = browser.get("/admin/payments/refund/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    payment = browser.get(
        f"/admin/payments/payment/{refund.payment_id}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "150 件未被接受" in refunds
    assert "沙箱（测试网关）" in payment
    assert "应退款" in payment and "金额 ¥22.50" in payment
    assert "amount_fen" not in payment and "系统" in payment


def test_a_jobs_spec_shows_labelled_fields_and_a_process_its_tolerance_in_percent():
    job = fixtures.job()
    browser = fixtures.admin_browser()
    page = browser.get(f"/admin/orders/job/{job.id}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "宽度（毫米）" in page and "方框十字针" in page
    assert "box_x" not in visible(page)
    processes = browser.get("/admin/catalogue/process/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2%" in processes and "3%" in processes
