"""The WeChat Pay adapter against a stand-in of the WeChat Pay API v3 on 127.0.0.1
(``wechatpay_standin``): the real ``wechatpayv3`` SDK signs the requests and verifies the
answers, with RSA keys generated here; notifications are built as WeChat Pay builds them.
The platform's own code paths (webhook store, reconciliation, refunds, payouts, the
ledger) are the real ones on PostgreSQL."""

import base64
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.checks import run_checks
from django.test import Client
from django.utils import timezone

from conftest import ROOT, client_for
from orders import services as order_services
from orders.models import Job
from payments import ledger, selectors, services
from payments.gateway import GatewayError, gateway
from payments.models import (
    BillDifference,
    LedgerTransaction,
    Payment,
    Refund,
    SettlementBatch,
    WebhookEvent,
    WechatPayOrder,
)
from payments.services import refunds as refund_services
from payments.services import settlement
from payments.wechatpay import numbers
from payments.wechatpay.bill import yuan_to_fen
from tests import fixtures
from tests.payments.wechatpay_standin import WechatPayStandIn, private_pem, public_pem, rsa_key, rsa_sign

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/payments/webhooks/wechatpay"
MCHID, APPID = "1900009191", "wxd678efh567hg6787"
APIV3_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"  # 32 bytes
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PLATFORM_SERIAL = "PUB_KEY_ID_0114232134912410000000000000000001"


@pytest.fixture(scope="module")
def keys():
    """Merchant and platform RSA keys, generated for this module's tests."""
    return {"merchant": rsa_key(), "platform": rsa_key(), "stranger": rsa_key()}


@pytest.fixture
def wechat(settings, tmp_path, keys):
    """PAYMENT_PROVIDER=wechatpay, configured from key files like production, pointing the
    SDK at a running stand-in of the WeChat Pay API."""
    standin = WechatPayStandIn(
        mchid=MCHID,
        appid=APPID,
        apiv3_key=APIV3_KEY,
        merchant_key=keys["merchant"],
        merchant_serial=MERCHANT_SERIAL,
        platform_key=keys["platform"],
        platform_serial=PLATFORM_SERIAL,
    ).start()
    (tmp_path / "apiclient_key.pem").write_bytes(private_pem(keys["merchant"]))
    (tmp_path / "pub_key.pem").write_bytes(public_pem(keys["platform"]))
    settings.PAYMENT_PROVIDER = "wechatpay"
    settings.WECHATPAY_MCHID = MCHID
    settings.WECHATPAY_APPID = APPID
    settings.WECHATPAY_CERT_SERIAL_NO = MERCHANT_SERIAL
    settings.WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "apiclient_key.pem")
    settings.WECHATPAY_APIV3_KEY = APIV3_KEY
    settings.WECHATPAY_PLATFORM_KEY_PATH = str(tmp_path / "pub_key.pem")
    settings.WECHATPAY_PLATFORM_SERIAL = PLATFORM_SERIAL
    settings.WECHATPAY_NOTIFY_URL = "https://market.example.cn/api/v1/payments/webhooks/wechatpay"
    settings.WECHATPAY_API_BASE_URL = standin.url
    yield standin
    standin.stop()
    assert standin.refused == [], "every request the SDK sent verified"


@pytest.fixture
def eager():
    """Tasks sent at commit run in-process (the webhook's processing, refunds)."""
    from marketplace.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def _headers(headers: dict) -> dict:
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


def _notify(api, body: bytes, headers: dict):
    return api.generic("POST", WEBHOOK, body, content_type="application/json", **_headers(headers))


def _balanced():
    report = selectors.ledger_check_report()
    assert report.problems == []
    return report.balanced


def _unpaid_job_with_qr(wechat, **job_fields):
    job = fixtures.job(paid=False, **job_fields)
    summary = selectors.payment_summary(job.payment)
    order = WechatPayOrder.objects.get(payment=job.payment)
    assert summary["pay_url"] == wechat.orders[order.out_trade_no]["code_url"]
    return job, order


def _paid_job(wechat, api, django_capture_on_commit_callbacks, **job_fields):
    job, order = _unpaid_job_with_qr(wechat, **job_fields)
    body, headers = wechat.notification("TRANSACTION.SUCCESS", wechat.pay(order.out_trade_no))
    with django_capture_on_commit_callbacks(execute=False):
        assert _notify(api, body, headers).status_code == 200
    _process_stored()
    job = Job.objects.get(id=job.id)
    assert job.status == "open"
    return job, order


def _process_stored():
    """What the worker does with stored events (the tests that do not run tasks eagerly)."""
    for event_id in WebhookEvent.objects.filter(processed_at__isnull=True).values_list("id", flat=True):
        services.webhook_process(event_id=event_id)


# --- charge and notifications ----------------------------------------------------------------


def test_wechatpay_native_order_is_the_pay_url_and_opened_once(wechat):
    # given: an SME posts a job of 1,000 pieces at 15 fen
    job, order = _unpaid_job_with_qr(wechat)
    # then: WeChat Pay was asked for a Native order of the job's total, in fen
    assert order.out_trade_no == f"payment{job.payment.id}N"
    assert wechat.orders[order.out_trade_no]["amount"] == 15_000
    assert wechat.orders[order.out_trade_no]["trade_type"] == "NATIVE"
    # when: the job is shown again
    again = selectors.payment_summary(Payment.objects.get(id=job.payment.id))["pay_url"]
    # then: the same QR code, and no second order
    assert again.startswith("weixin://wxpay/bizpayurl?pr=")
    assert again == order.code_url
    assert [path for method, path in wechat.requests if method == "POST"] == ["/v3/pay/transactions/native"]


def test_wechatpay_notification_opens_the_job_and_a_replay_does_nothing(
    wechat, api, eager, django_capture_on_commit_callbacks
):
    # given: the SME paid the QR code; WeChat Pay notifies
    job, order = _unpaid_job_with_qr(wechat)
    body, headers = wechat.notification("TRANSACTION.SUCCESS", wechat.pay(order.out_trade_no))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _notify(api, body, headers)
    # then: HTTP 200 (WeChat Pay's "received"), the job is open and its money in escrow
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    payment = Payment.objects.get(id=job.payment.id)
    assert (payment.status, payment.provider_ref) == ("succeeded", wechat.orders[order.out_trade_no]["transaction_id"])
    assert Job.objects.get(id=job.id).status == "open"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 15_000
    event = WebhookEvent.objects.get(provider="wechatpay")
    assert (event.event_type, event.error) == ("payment.succeeded", "")
    transactions = LedgerTransaction.objects.count()
    # when: WeChat Pay delivers it again (it retries until it sees a 200), freshly signed
    body_again, headers_again = wechat.notification(
        "TRANSACTION.SUCCESS", wechat._transaction(wechat.orders[order.out_trade_no]), notification_id=event.event_id
    )
    for raw, sent in ((body, headers), (body_again, headers_again)):
        with django_capture_on_commit_callbacks(execute=True):
            replay = _notify(api, raw, sent)
        # then: received, a duplicate, and nothing moves
        assert (replay.status_code, replay.json()) == (200, {"received": True, "duplicate": True})
    assert WebhookEvent.objects.filter(provider="wechatpay").count() == 1
    assert LedgerTransaction.objects.count() == transactions
    assert ledger.account_balance(f"escrow:job:{job.id}") == 15_000
    assert _balanced()


@pytest.mark.parametrize(
    "tamper",
    [
        "signature",
        "body_after_signing",
        "wrong_serial",
        "stale",
        "from_the_future",
        "other_platform_key",
        "other_apiv3_key",
        "no_headers",
        "not_json",
        "not_base64_signature",
        "not_a_number_timestamp",
        "plain_resource",
        "ciphertext_garbage",
        "not_our_order",
        "other_merchant",
    ],
)
def test_wechatpay_bad_notification_is_4xx_fail_and_moves_nothing(
    wechat, api, eager, keys, tamper, django_capture_on_commit_callbacks
):
    # given: an unpaid job whose order the payer paid
    job, order = _unpaid_job_with_qr(wechat)
    resource = wechat.pay(order.out_trade_no)
    options = {}
    if tamper == "wrong_serial":
        options["serial"] = "PUB_KEY_ID_0114232134912410000000000000000099"
    elif tamper == "stale":
        options["timestamp"] = int(time.time()) - 301
    elif tamper == "from_the_future":
        options["timestamp"] = int(time.time()) + 600
    elif tamper == "other_platform_key":
        options["key"] = keys["stranger"]
    elif tamper == "other_apiv3_key":
        options["apiv3_key"] = "z" * 32
    elif tamper == "not_our_order":
        resource["out_trade_no"] = "someone-elses-order-1"
    elif tamper == "other_merchant":
        resource["mchid"] = "1900000000"
    body, headers = wechat.notification("TRANSACTION.SUCCESS", resource, **options)
    if tamper == "signature":
        headers["Wechatpay-Signature"] = rsa_sign(keys["platform"], "something else\n")
    elif tamper == "body_after_signing":
        body = body.replace(b'"TRANSACTION.SUCCESS"', b'"TRANSACTION.SUCCESS" ')
    elif tamper == "no_headers":
        headers = {}
    elif tamper == "not_base64_signature":
        headers["Wechatpay-Signature"] = "%%%not base64%%%"
    elif tamper == "not_a_number_timestamp":
        headers["Wechatpay-Timestamp"] = "soon"
    elif tamper in ("not_json", "plain_resource", "ciphertext_garbage"):
        document = json.loads(body)
        if tamper == "plain_resource":
            document["resource"] = {"algorithm": "NONE", "ciphertext": json.dumps(resource)}
        elif tamper == "ciphertext_garbage":
            document["resource"]["ciphertext"] = "!!!"
        body = b"not json{" if tamper == "not_json" else json.dumps(document).encode()
        stamp, nonce = headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"]
        headers["Wechatpay-Signature"] = rsa_sign(keys["platform"], f"{stamp}\n{nonce}\n{body.decode()}\n")
    before = (LedgerTransaction.objects.count(), Payment.objects.get(id=job.payment.id).status)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _notify(api, body, headers)
    # then: refused by WeChat Pay's protocol (4xx, code FAIL) in the contract's error shape
    assert 400 <= response.status_code < 500
    reply = response.json()
    assert reply["code"] == "FAIL"
    assert reply["message"] == reply["error"]["message"]
    assert reply["error"]["code"] in {"invalid_signature", "stale_webhook", "unknown_serial", "invalid_webhook"}
    assert WebhookEvent.objects.count() == 0
    assert (LedgerTransaction.objects.count(), Payment.objects.get(id=job.payment.id).status) == before
    assert Job.objects.get(id=job.id).status == "awaiting_payment"


def test_wechatpay_notification_of_another_amount_is_stored_not_captured(
    wechat, api, eager, django_capture_on_commit_callbacks
):
    # given: an order whose paid amount is not the payment's (1 fen instead of 15,000)
    job, order = _unpaid_job_with_qr(wechat)
    body, headers = wechat.notification("TRANSACTION.SUCCESS", wechat.pay(order.out_trade_no, total=1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _notify(api, body, headers)
    # then: received (WeChat Pay stops retrying), but nothing is captured
    assert response.status_code == 200
    assert "not captured" in WebhookEvent.objects.get().error
    assert Payment.objects.get(id=job.payment.id).status == "requires_payment"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0


def test_wechatpay_notification_of_an_event_we_do_not_act_on_is_acknowledged(
    wechat, api, eager, django_capture_on_commit_callbacks
):
    body, headers = wechat.notification("PARKING.STATE", {"mchid": MCHID})
    with django_capture_on_commit_callbacks(execute=True):
        response = _notify(api, body, headers)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.error) == ("wechatpay.parking.state", "ignored event type wechatpay.parking.state")


def test_wechatpay_app_and_jsapi_prepay_are_signed_and_close_the_qr_code(wechat, keys):
    job, order = _unpaid_job_with_qr(wechat)
    user = job.created_by
    path = f"/api/v1/payments/{job.payment.id}/wechatpay/prepay"
    # when: the SME's app asks for the app prepay parameters
    response = client_for(user).post(path, {"channel": "app"}, format="json")
    # then: signed with the merchant key over appid, timestamp, noncestr, prepayid
    assert response.status_code == 200
    body = response.json()
    assert (body["appid"], body["partnerid"], body["package"]) == (APPID, MCHID, "Sign=WXPay")
    message = f"{APPID}\n{body['timestamp']}\n{body['noncestr']}\n{body['prepayid']}\n".encode()
    keys["merchant"].public_key().verify(base64.b64decode(body["sign"]), message, padding.PKCS1v15(), hashes.SHA256())
    # and the QR code's order is closed at WeChat Pay, so the payment can be paid once only
    assert wechat.orders[order.out_trade_no]["trade_state"] == "CLOSED"
    assert selectors.payment_summary(Payment.objects.get(id=job.payment.id))["pay_url"] == ""
    # a WeChat page needs the payer's openid
    assert client_for(user).post(path, {"channel": "jsapi"}, format="json").status_code == 400
    jsapi = client_for(user).post(path, {"channel": "jsapi", "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, format="json")
    assert jsapi.status_code == 200
    assert jsapi.json()["package"].startswith("prepay_id=wx")
    # someone else's payment is not found; a bad channel is 400
    stranger = fixtures.sme_user()
    assert client_for(stranger).post(path, {"channel": "app"}, format="json").status_code == 404
    assert client_for(user).post(path, {"channel": "h5"}, format="json").status_code == 400
    # a factory may not ask at all (403), and without a token it is 401
    factory_user, _ = fixtures.factory()
    assert client_for(factory_user).post(path, {"channel": "app"}, format="json").status_code == 403
    assert client_for(None).post(path, {"channel": "app"}, format="json").status_code == 401


# --- reconciliation --------------------------------------------------------------------------


def test_wechatpay_reconcile_settles_an_order_whose_notification_was_lost(wechat, api, eager):
    # given: two unpaid jobs; the payer paid the first, whose notification never came
    paid, order = _unpaid_job_with_qr(wechat)
    unpaid, _ = _unpaid_job_with_qr(wechat)
    wechat.pay(order.out_trade_no)
    # when: the reconciliation sweep runs
    assert services.payments_reconcile(older_than_seconds=0) == 1
    # then: WeChat Pay's answer settled it through the same path as the notification
    assert Job.objects.get(id=paid.id).status == "open"
    assert Payment.objects.get(id=paid.payment.id).provider_ref == wechat.orders[order.out_trade_no]["transaction_id"]
    assert ledger.account_balance(f"escrow:job:{paid.id}") == 15_000
    assert Job.objects.get(id=unpaid.id).status == "awaiting_payment"
    # and again: nothing more; and the late notification is a no-op
    assert services.payments_reconcile(older_than_seconds=0) == 0
    transactions = LedgerTransaction.objects.count()
    body, headers = wechat.notification("TRANSACTION.SUCCESS", wechat._transaction(wechat.orders[order.out_trade_no]))
    assert _notify(api, body, headers).status_code == 200
    assert LedgerTransaction.objects.count() == transactions
    assert _balanced()


def test_wechatpay_reconcile_survives_a_gateway_outage(wechat):
    job, order = _unpaid_job_with_qr(wechat)
    wechat.pay(order.out_trade_no)
    wechat.fail_next = 5  # WeChat Pay answers 500 SYSTEM_ERROR
    assert services.payments_reconcile(older_than_seconds=0) == 0
    assert Payment.objects.get(id=job.payment.id).status == "requires_payment"
    wechat.fail_next = 0
    assert services.payments_reconcile(older_than_seconds=0) == 1


# --- refunds ---------------------------------------------------------------------------------


def test_wechatpay_refund_retried_after_a_crash_refunds_once(
    wechat, api, monkeypatch, django_capture_on_commit_callbacks
):
    # given: a paid, open job that its SME cancels: its escrow is owed back
    job, order = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        order_services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="plans changed")
    refund = Refund.objects.get(payment=job.payment)
    assert (refund.key, refund.amount_fen, refund.status) == (f"refund:job:{job.id}", 15_000, "pending")
    # when: the refund task calls WeChat Pay, then dies before booking what it did
    real_book = refund_services._refund_book_sent

    def crash(**kwargs):
        raise ConnectionError("worker killed")

    monkeypatch.setattr(refund_services, "_refund_book_sent", crash)
    with pytest.raises(ConnectionError):
        services.refund_execute(refund_id=refund.id)
    monkeypatch.setattr(refund_services, "_refund_book_sent", real_book)
    # and the task runs again (acks_late)
    services.refund_execute(refund_id=refund.id)
    # then: WeChat Pay refunded once, under our key as out_refund_no, and the ledger moved once
    assert wechat.refunds_made == [f"refund-job-{job.id}"]
    refund.refresh_from_db()
    assert (refund.status, refund.provider_ref) == ("succeeded", wechat.refunds[f"refund-job-{job.id}"]["refund_id"])
    payment = Payment.objects.get(id=job.payment.id)
    assert (payment.status, payment.refunded_fen) == ("refunded", 15_000)
    assert ledger.account_balance("sme_refunds") == 0
    assert LedgerTransaction.objects.filter(key=f"refund:job:{job.id}:sent").count() == 1
    # when: WeChat Pay's REFUND.SUCCESS arrives (twice)
    transactions = LedgerTransaction.objects.count()
    body, headers = wechat.notification("REFUND.SUCCESS", wechat.refund_resource(f"refund-job-{job.id}"))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=False):
            assert _notify(api, body, headers).status_code == 200
        _process_stored()
    # then: nothing more moves
    assert LedgerTransaction.objects.count() == transactions
    assert WebhookEvent.objects.get(event_type="refund.succeeded").error == ""
    assert _balanced()


def test_wechatpay_refund_success_notification_books_a_refund_whose_task_died(
    wechat, api, monkeypatch, django_capture_on_commit_callbacks
):
    job, _ = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        order_services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="x")
    refund = Refund.objects.get(payment=job.payment)
    monkeypatch.setattr(refund_services, "_refund_book_sent", lambda **kwargs: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        services.refund_execute(refund_id=refund.id)
    monkeypatch.undo()
    # when: WeChat Pay says the refund succeeded
    body, headers = wechat.notification("REFUND.SUCCESS", wechat.refund_resource(f"refund-job-{job.id}"))
    with django_capture_on_commit_callbacks(execute=False):
        assert _notify(api, body, headers).status_code == 200
    services.webhook_process(event_id=WebhookEvent.objects.get(event_type="refund.succeeded").id)
    # then: booked once; the task's rerun changes nothing and calls WeChat Pay no more
    assert Refund.objects.get(id=refund.id).status == "succeeded"
    services.refund_execute(refund_id=refund.id)
    assert wechat.refunds_made == [f"refund-job-{job.id}"]
    assert LedgerTransaction.objects.filter(key__startswith=f"refund:job:{job.id}:sent").count() == 1
    assert ledger.account_balance("sme_refunds") == 0
    assert _balanced()


def test_wechatpay_refund_abnormal_fails_a_pending_refund(wechat, api, django_capture_on_commit_callbacks):
    job, _ = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        order_services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="x")
    refund = Refund.objects.get(payment=job.payment)
    # given: WeChat Pay took the refund (PROCESSING) but our booking was lost; then it turns abnormal
    gateway().refund(payment=Payment.objects.get(id=job.payment.id), amount_fen=15_000, key=refund.key)
    body, headers = wechat.notification("REFUND.ABNORMAL", wechat.refund_resource(f"refund-job-{job.id}", "ABNORMAL"))
    with django_capture_on_commit_callbacks(execute=False):
        assert _notify(api, body, headers).status_code == 200
    services.webhook_process(event_id=WebhookEvent.objects.get(event_type="refund.failed").id)
    # then: the refund failed and stays owed to the SME, for an admin to send again
    refund.refresh_from_db()
    assert (refund.status, refund.failure_reason) == ("failed", "WeChat Pay refund ABNORMAL")
    assert ledger.account_balance("sme_refunds") == 15_000
    assert _balanced()


# --- payouts ---------------------------------------------------------------------------------


def _approved_batch():
    pair = fixtures.factory()
    fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    return pair, SettlementBatch.objects.get(id=batch.id)


def _factory_balances(company_id):
    return (
        ledger.account_balance(f"payable:factory:{company_id}"),
        ledger.account_balance(f"payouts_in_transit:factory:{company_id}"),
        ledger.account_balance(f"paid_out:factory:{company_id}"),
    )


def test_wechatpay_payout_retried_after_a_crash_pays_once(wechat, api, django_capture_on_commit_callbacks):
    # given: an approved batch of 14,250 fen for a factory whose payee openid is set
    pair, batch = _approved_batch()
    services.payout_account_set(company_id=pair[1].id, wechat_openid="o-MYE42l80oelYMDE34nYD456Xoy")
    # and a payout task that moved the money in transit, called WeChat Pay, and died
    started = settlement._payout_start(batch_id=batch.id)
    first = settlement._payout_call_gateway(started)
    # when: the task runs again from the top
    settlement.settlement_payout(batch_id=batch.id)
    # then: one transfer at WeChat Pay, numbered by our key, and the ledger moved once
    out_batch_no = numbers.out_batch_no(f"payout:batch:{batch.id}:1")
    assert wechat.transfers_made == [out_batch_no]
    assert wechat.batches[out_batch_no]["total_amount"] == 14_250
    assert wechat.batches[out_batch_no]["openid"] == "o-MYE42l80oelYMDE34nYD456Xoy"
    batch.refresh_from_db()
    assert (batch.status, batch.payout_reference) == ("paying", first.reference)
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert _factory_balances(pair[1].id) == (0, 14_250, 0)
    # when: WeChat Pay finishes the transfer and notifies (twice)
    body, headers = wechat.notification("MCHTRANSFER.BATCH.FINISHED", wechat.finish_transfer(out_batch_no))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=False):
            assert _notify(api, body, headers).status_code == 200
    services.webhook_process(event_id=WebhookEvent.objects.get(event_type="payout.paid").id)
    # then: paid out once
    assert SettlementBatch.objects.get(id=batch.id).status == "paid"
    assert _factory_balances(pair[1].id) == (0, 0, 14_250)
    assert _balanced()


def test_wechatpay_payout_outcome_is_asked_when_the_notification_is_lost(wechat):
    pair, batch = _approved_batch()
    services.payout_account_set(company_id=pair[1].id, wechat_openid="o-factory")
    settlement.settlement_payout(batch_id=batch.id)
    # while WeChat Pay still works on it, the sweep leaves it paying
    settlement.settlement_reconcile(batch_id=batch.id)
    assert SettlementBatch.objects.get(id=batch.id).status == "paying"
    # when: it finished, but its notification was lost
    wechat.finish_transfer(numbers.out_batch_no(f"payout:batch:{batch.id}:1"))
    settlement.settlement_reconcile(batch_id=batch.id)
    # then
    assert SettlementBatch.objects.get(id=batch.id).status == "paid"
    assert _factory_balances(pair[1].id) == (0, 0, 14_250)
    assert _balanced()


def test_wechatpay_payout_to_a_factory_without_a_payee_fails_and_returns_the_money(wechat):
    pair, batch = _approved_batch()
    settlement.settlement_payout(batch_id=batch.id)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "no payout account" in batch.reason
    assert wechat.transfers_made == []
    assert _factory_balances(pair[1].id) == (14_250, 0, 0)
    assert _balanced()


# --- the daily bill --------------------------------------------------------------------------


def test_wechatpay_bill_differences_are_stored_and_replaced_on_a_rerun(wechat, api, django_capture_on_commit_callbacks):
    # given: a job paid today, and one paid and booked whose line the bill lacks
    job, order = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    missing, _ = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    tx = wechat.orders[order.out_trade_no]["transaction_id"]
    wechat.add_bill(
        today.isoformat(),
        [
            wechat.bill_line(out_trade_no=order.out_trade_no, transaction_id=tx, total=15_000),
            wechat.bill_line(out_trade_no="payment999999N", transaction_id="4200000999", total=2_000),
            wechat.bill_line(out_trade_no="not-ours-123", transaction_id="4200000888", total=100),
        ],
    )
    # when
    differences = services.bill_reconcile(bill_date=today)
    # then: the paid-and-billed job agrees; the others are listed
    found = sorted((d.kind, d.number, d.gateway_fen, d.ledger_fen) for d in differences)
    assert found == [
        ("not_in_bill", f"payment{missing.payment.id}N", None, 15_000),
        ("not_in_ledger", "not-ours-123", 100, None),
        ("not_in_ledger", "payment999999N", 2_000, None),
    ]
    # when: the day is run again after the bill was corrected
    missing_tx = wechat.orders[f"payment{missing.payment.id}N"]["transaction_id"]
    wechat.add_bill(
        today.isoformat(),
        [
            wechat.bill_line(out_trade_no=order.out_trade_no, transaction_id=tx, total=15_001),
            wechat.bill_line(out_trade_no=f"payment{missing.payment.id}N", transaction_id=missing_tx, total=15_000),
        ],
    )
    services.bill_reconcile(bill_date=today)
    # then: the day's list is what is wrong now
    assert list(BillDifference.objects.values_list("kind", "number", "gateway_fen", "ledger_fen")) == [
        ("amount", order.out_trade_no, 15_001, 15_000)
    ]


def test_wechatpay_bill_refund_lines_match_refunds_sent(wechat, api, eager, django_capture_on_commit_callbacks):
    job, order = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="x")
    assert Refund.objects.get(payment=job.payment).status == "succeeded"
    refund = wechat.refunds[f"refund-job-{job.id}"]
    tx = wechat.orders[order.out_trade_no]["transaction_id"]
    today = timezone.localdate()
    wechat.add_bill(
        today.isoformat(),
        [
            wechat.bill_line(out_trade_no=order.out_trade_no, transaction_id=tx, total=15_000),
            wechat.bill_line(
                out_trade_no=order.out_trade_no,
                transaction_id=tx,
                total=15_000,
                state="REFUND",
                out_refund_no=f"refund-job-{job.id}",
                refund_id=refund["refund_id"],
                refund=15_000,
            ),
        ],
    )
    assert services.bill_reconcile(bill_date=today) == []


def test_wechatpay_bill_of_a_day_without_trades_is_empty(wechat):
    assert services.bill_reconcile(bill_date=timezone.localdate() - timedelta(days=3)) == []


def test_wechatpay_bill_differences_in_the_admin_in_chinese(wechat, api, django_capture_on_commit_callbacks):
    BillDifference.objects.create(
        provider="wechatpay", bill_date=timezone.localdate(), kind="not_in_ledger", number="payment9N", gateway_fen=120
    )
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/payments/billdifference/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert "账单差异" in page
    assert "账单中有，账本中没有" in page
    assert "¥1.20" in page


def test_yuan_in_the_bill_are_read_as_fen_without_floats():
    assert [yuan_to_fen(text) for text in ("0.01", "1200.00", "1200", "0.1", "19.99")] == [
        1,
        120_000,
        120_000,
        10,
        1999,
    ]
    with pytest.raises(ValueError):
        yuan_to_fen("1e3")


# --- configuration ---------------------------------------------------------------------------


def test_wechatpay_start_up_refuses_an_incomplete_configuration_without_showing_secrets():
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECHATPAY_")}
    env.update(
        PAYMENT_PROVIDER="wechatpay",
        WECHATPAY_APIV3_KEY="the-secret-apiv3-key-0123456789ab",
        WECHATPAY_MCHID="1900009191",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "marketplace.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "WECHATPAY_PRIVATE_KEY_PATH" in result.stderr and "WECHATPAY_NOTIFY_URL" in result.stderr
    assert "WECHATPAY_MCHID" not in result.stderr.split("not set:")[-1]
    assert "the-secret-apiv3-key" not in result.stderr


def test_wechatpay_check_refuses_unusable_key_files_naming_the_variable(wechat, settings, tmp_path):
    assert [e.id for e in run_checks() if e.id.startswith("payments.")] == []
    (tmp_path / "broken.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    settings.WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "broken.pem")
    errors = [e for e in run_checks() if e.id == "payments.E001"]
    assert len(errors) == 1
    assert "WECHATPAY_PRIVATE_KEY_PATH" in errors[0].msg
    settings.WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "apiclient_key.pem")
    settings.WECHATPAY_APIV3_KEY = "short"
    message = [e.msg for e in run_checks() if e.id == "payments.E001"][0]
    assert "WECHATPAY_APIV3_KEY" in message and "short" not in message.replace("WECHATPAY", "")


def test_wechatpay_answers_signed_by_another_key_are_refused_by_the_sdk(wechat, keys):
    job, order = _unpaid_job_with_qr(wechat)
    wechat.pay(order.out_trade_no)
    # given: something between us and WeChat Pay signs its answers with another key
    wechat.platform_key = keys["stranger"]
    # then: an unverified answer is not believed: a transient error, and reconciliation waits
    with pytest.raises(GatewayError) as error:
        gateway().charge_outcome(payment=job.payment)
    assert error.value.transient is True
    assert services.payments_reconcile(older_than_seconds=0) == 0
    assert Payment.objects.get(id=job.payment.id).status == "requires_payment"
    # and no QR code is shown from an unverified answer
    other = fixtures.job(paid=False)
    assert selectors.payment_summary(other.payment)["pay_url"] == ""


def test_bill_reconcile_command_lists_differences_and_fails(wechat, api, django_capture_on_commit_callbacks):
    from django.core.management import CommandError, call_command

    job, order = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    wechat.add_bill(today.isoformat(), [])
    with pytest.raises(CommandError, match="1 difference"):
        call_command("bill_reconcile", today.isoformat())
    assert BillDifference.objects.get().number == order.out_trade_no
    with pytest.raises(CommandError, match="not a date"):
        call_command("bill_reconcile", "yesterday")


def test_bill_reconcile_command_with_the_sandbox_says_it_has_no_bill():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="sandbox gateway has no daily bill"):
        call_command("bill_reconcile")


def test_wechatpay_refused_refund_fails_with_wechat_pays_reason(wechat, api, django_capture_on_commit_callbacks):
    job, order = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    # given: WeChat Pay no longer knows the transaction (e.g. another merchant's)
    Payment.objects.filter(id=job.payment.id).update(provider_ref="4200000000000000000000000000")
    with django_capture_on_commit_callbacks(execute=False):
        order_services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="x")
    refund = services.refund_execute(refund_id=Refund.objects.get(payment=job.payment).id)
    # then: a final refusal, the money still owed to the SME
    assert refund.status == "failed"
    assert "RESOURCE_NOT_EXISTS" in refund.failure_reason
    assert wechat.refunds_made == []
    assert ledger.account_balance("sme_refunds") == 15_000
    assert _balanced()


def test_wechatpay_refund_during_an_outage_stays_pending_for_the_retry(wechat, api, django_capture_on_commit_callbacks):
    job, order = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        order_services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="x")
    refund = Refund.objects.get(payment=job.payment)
    wechat.fail_next = 1
    with pytest.raises(GatewayError):
        services.refund_execute(refund_id=refund.id)  # left pending: the money sweep sends it again
    assert Refund.objects.get(id=refund.id).status == "pending"
    assert services.refund_execute(refund_id=refund.id).status == "succeeded"
    assert wechat.refunds_made == [f"refund-job-{job.id}"]
