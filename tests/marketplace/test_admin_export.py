"""Finding jobs by factory, process and SME, and exporting lists as CSV (core.admin.CsvExport)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import LedgerTransaction, Payment, Refund, SettlementLine
from payments.services import settlement
from tests import fixtures

pytestmark = pytest.mark.django_db


def _export(browser, path, ids):
    response = browser.post(
        path, {"action": "export_csv", "_selected_action": [str(i) for i in ids]}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # a spreadsheet opens the Chinese as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_jobs_are_found_by_factory_process_in_either_language_and_sme():
    pair = fixtures.factory()
    share = fixtures.completed_assignment(pair)
    other = fixtures.job(process="embroidery", spec={"stitch_count": 5000, "colors": 3, "position": "front"})
    browser = fixtures.admin_browser()

    def found(term):
        response = browser.get("/admin/orders/job/", {"q": term})
        return {job.id for job in response.context["cl"].result_list}

    assert found(pair[1].name) == {share.job_id}
    assert found("魔术贴") == {share.job_id}
    assert found("Velcro") == {share.job_id}
    assert found(share.job.sme.name) == {share.job_id}
    assert other.id in found("刺绣") and share.job_id not in found("刺绣")
    assert other.id in found(str(other.id))  # by id (names with the digit match too)


def test_export_jobs_payments_refunds_settlement_lines_and_ledger_as_they_read():
    pair = fixtures.factory()
    share = fixtures.completed_assignment(pair, quantity=1000, unit_price_fen=15, accepted=850)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    browser = fixtures.admin_browser()
    # jobs: Chinese headers and labels, the factory, money in yuan
    jobs = _export(browser, "/admin/orders/job/", [share.job_id])
    assert {"中小企业", "工序", "工厂", "状态"} <= set(jobs[0])
    [row] = jobs[1:]
    assert pair[1].name in row and "¥150.00" in row and "已完成" in row
    # payments, refunds, settlement lines, ledger transactions
    payment = Payment.objects.get(job_id=share.job_id)
    payments = _export(browser, "/admin/payments/payment/", [payment.id])
    assert "¥150.00" in payments[1] and "沙箱（测试网关）" in payments[1]
    refunds = _export(browser, "/admin/payments/refund/", Refund.objects.values_list("id", flat=True))
    assert "150 件未被接受" in refunds[1] and "¥22.50" in refunds[1]
    lines = _export(browser, "/admin/payments/settlementline/", SettlementLine.objects.values_list("id", flat=True))
    assert pair[1].name in lines[1] and "¥121.13" in lines[1]  # 850 × ¥0.15 less 5% commission
    ledger = _export(
        browser, "/admin/payments/ledgertransaction/", LedgerTransaction.objects.values_list("id", flat=True)
    )
    kinds = {row[3] for row in ledger[1:]}
    assert {"已收款", "结算给工厂"} <= kinds
    release = next(row for row in ledger[1:] if row[3] == "结算给工厂")
    assert release[4] == "¥150.00" and "escrow:job:" in release[6]
    assert batch.lines.count() == 1


def test_a_cell_that_would_be_a_formula_is_written_as_text():
    from core.admin import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("-¥1.00") == "-¥1.00"
    assert _cell("-1+2") == "'-1+2"
