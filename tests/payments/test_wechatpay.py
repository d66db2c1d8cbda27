"""The WeChat Pay adapter against a stand-in of the WeChat Pay API v3 on 127.0.0.1
(``wechatpay_standin``, whose every behaviour cites WeChat Pay's documents): the real
``wechatpayv3`` SDK signs the requests and verifies the answers, with RSA keys and platform
certificates generated here; notifications are built as WeChat Pay builds them. The
platform's own code paths (webhook store, reconciliation, refunds, payouts, the ledger) are
the real ones on PostgreSQL."""

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
from django.core.cache import cache
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from conftest import ROOT, client_for
from core.models import StreamEvent
from orders import services as order_services
from orders.models import Job
from payments import ledger, selectors, services
from payments.gateways import GatewayError, PaymentInfo, gateway
from payments.gateways.wechatpay import numbers
from payments.gateways.wechatpay.bill import yuan_to_fen
from payments.models import (
    BillCheck,
    BillDifference,
    GatewayMessage,
    LedgerTransaction,
    Payment,
    PlatformCertificate,
    Refund,
    SettlementBatch,
    SettlementLine,
    WechatPayOrder,
)
from payments.services import refunds as refund_services
from payments.services import settlement
from payments.tasks import money_sweep_task
from tests import fixtures
from tests.payments.wechatpay_standin import (
    Signer,
    WechatPayStandIn,
    pkcs1_pem,
    private_pem,
    public_pem,
    rsa_key,
    rsa_sign,
)

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/payments/webhooks/wechatpay"
MCHID = "1900009191"
NATIVE_APPID = "wxd678efh567hg6787"  # an official account, bound to the merchant
APP_APPID = "wx8888888888888888"  # the SME app, on the WeChat Open Platform
JSAPI_APPID = "wxa1b2c3d4e5f6a7b8"  # the mini program the factories confirm transfers in
APIV3_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"  # 32 bytes
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000000001"
PAYEE = "o-MYE42l80oelYMDE34nYD456Xoy"


@pytest.fixture(scope="module")
def keys():
    """Merchant and platform RSA keys, generated for this module's tests."""
    return {"merchant": rsa_key(), "platform": rsa_key(), "stranger": rsa_key(), "cert1": rsa_key(), "cert2": rsa_key()}


def _start(settings, tmp_path, keys, *, public_key=True, certificates=(), **options):
    """PAYMENT_PROVIDER=wechatpay, configured from key files like production, pointing the
    SDK at a running stand-in of the WeChat Pay API."""
    standin = WechatPayStandIn(
        mchid=MCHID,
        appids={NATIVE_APPID: "mp", APP_APPID: "app", JSAPI_APPID: "mp"},
        apiv3_key=APIV3_KEY,
        merchant_key=keys["merchant"],
        merchant_serial=MERCHANT_SERIAL,
        public_key=Signer.public_key(keys["platform"], PUBLIC_KEY_ID) if public_key else None,
        certificates=certificates,
        openids={PAYEE: JSAPI_APPID},
        **options,
    ).start()
    (tmp_path / "apiclient_key.pem").write_bytes(private_pem(keys["merchant"]))
    (tmp_path / "pub_key.pem").write_bytes(public_pem(keys["platform"]))
    settings.PAYMENT_PROVIDER = "wechatpay"
    settings.WECHATPAY_MCHID = MCHID
    settings.WECHATPAY_APPID = NATIVE_APPID
    settings.WECHATPAY_APP_APPID = APP_APPID
    settings.WECHATPAY_JSAPI_APPID = JSAPI_APPID
    settings.WECHATPAY_TRANSFER_APPID = ""
    settings.WECHATPAY_CERT_SERIAL_NO = MERCHANT_SERIAL
    settings.WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "apiclient_key.pem")
    settings.WECHATPAY_APIV3_KEY = APIV3_KEY
    settings.WECHATPAY_PUBLIC_KEY_ID = PUBLIC_KEY_ID if public_key else ""
    settings.WECHATPAY_PUBLIC_KEY_PATH = str(tmp_path / "pub_key.pem") if public_key else ""
    settings.WECHATPAY_PLATFORM_CERTIFICATES = "on" if public_key and certificates else "auto"
    settings.WECHATPAY_NOTIFY_URL = "https://market.example.cn/api/v1/payments/webhooks/wechatpay"
    settings.WECHATPAY_API_BASE_URL = standin.url
    settings.WECHATPAY_TRANSFER_SCENE_ID = "1005"
    settings.WECHATPAY_TRANSFER_REPORT_INFOS = "岗位类型=共享工厂;报酬说明=加工费结算"
    settings.WECHATPAY_TRANSFER_PERCEPTION = ""
    settings.WECHATPAY_TRANSFER_API = "bills"
    return standin


@pytest.fixture
def wechat(settings, tmp_path, keys):
    """A merchant on the WeChat Pay public key (every merchant opened since 2024)."""
    standin = _start(settings, tmp_path, keys)
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


def _deliver(api, notifications, django_capture_on_commit_callbacks):
    """WeChat Pay's callbacks, each answered 200, then what the worker does with them."""
    for body, headers in notifications:
        with django_capture_on_commit_callbacks(execute=False):
            assert _notify(api, body, headers).status_code == 200
    _process_stored()


def _balanced():
    report = selectors.ledger_check_report()
    assert report.problems == []
    return report.balanced


def _unpaid_job_with_qr(wechat, **job_fields):
    job = fixtures.job(paid=False, **job_fields)
    summary = selectors.payment_summary(job.payment)
    order = WechatPayOrder.objects.get(payment=job.payment, closed=False)
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
    for event_id in GatewayMessage.objects.filter(processed_at__isnull=True).values_list("id", flat=True):
        services.webhook_process(event_id=event_id)


# --- charge and notifications ----------------------------------------------------------------


def test_wechatpay_native_order_is_the_pay_url_opened_once_to_expire_in_two_hours(wechat):
    # given: an SME posts a job of 1,000 pieces at 15 fen
    job, order = _unpaid_job_with_qr(wechat)
    # then: WeChat Pay was asked for a Native order of the job's total, in fen, under the
    # Native AppID, expiring two hours on (code_url lives two hours)
    sent = dict(wechat.request_bodies)["/v3/pay/transactions/native"]
    assert (sent["out_trade_no"], sent["appid"], sent["amount"]) == (
        f"payment{job.payment.id}N",
        NATIVE_APPID,
        {"total": 15_000, "currency": "CNY"},
    )
    expires = wechat.orders[order.out_trade_no]["expires"]
    assert timedelta(minutes=119) < expires - wechat.now() <= timedelta(hours=2)
    assert sent["time_expire"].endswith("+08:00")
    assert order.expires_at == expires
    # when: the job is shown again
    again = selectors.payment_summary(Payment.objects.get(id=job.payment.id))["pay_url"]
    # then: the same QR code, and no second order
    assert again.startswith("weixin://wxpay/bizpayurl?pr=")
    assert again == order.code_url
    assert [path for method, path in wechat.requests if method == "POST"] == ["/v3/pay/transactions/native"]


def test_wechatpay_qr_code_asked_for_after_it_expired_is_a_new_order_and_paid_once(
    wechat, api, django_capture_on_commit_callbacks
):
    # given: a QR code shown at noon, and an SME who comes back to pay after two hours
    job, first = _unpaid_job_with_qr(wechat)
    wechat.orders[first.out_trade_no]["expires"] = wechat.now()  # its time_expire has passed
    WechatPayOrder.objects.filter(id=first.id).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(AssertionError, match="cannot be paid"):
        wechat.pay(first.out_trade_no)  # the old code is dead at WeChat Pay
    # when: the job is shown again
    pay_url = selectors.payment_summary(Payment.objects.get(id=job.payment.id))["pay_url"]
    # then: the old order was closed and a new one opened under the next number
    renewed = WechatPayOrder.objects.get(payment=job.payment, closed=False)
    assert renewed.out_trade_no == f"payment{job.payment.id}N2"
    assert pay_url == wechat.orders[renewed.out_trade_no]["code_url"] != first.code_url
    assert wechat.orders[first.out_trade_no]["trade_state"] == "CLOSED"
    assert WechatPayOrder.objects.get(id=first.id).closed is True
    # when: the SME pays the new code and WeChat Pay notifies
    body, headers = wechat.notification("TRANSACTION.SUCCESS", wechat.pay(renewed.out_trade_no))
    _deliver(api, [(body, headers)], django_capture_on_commit_callbacks)
    # then: the job is open, its money captured once
    assert Job.objects.get(id=job.id).status == "open"
    assert LedgerTransaction.objects.filter(key=f"payment:{job.payment.id}:captured").count() == 1
    assert _balanced()


def test_wechatpay_order_paid_just_before_it_expired_is_not_replaced_and_captured_once(
    wechat, api, django_capture_on_commit_callbacks
):
    # given: the payer paid the QR code just before it expired, and its notification is late
    job, order = _unpaid_job_with_qr(wechat)
    late = wechat.notification("TRANSACTION.SUCCESS", wechat.pay(order.out_trade_no))
    WechatPayOrder.objects.filter(id=order.id).update(expires_at=timezone.now() + timedelta(minutes=1))
    # when: the job page is shown again (the order is about to expire)
    pay_url = selectors.payment_summary(Payment.objects.get(id=job.payment.id))["pay_url"]
    # then: closing it is refused (ORDERPAID): no new order, no QR code to pay twice
    assert pay_url == ""
    assert list(WechatPayOrder.objects.filter(payment=job.payment).values_list("out_trade_no", flat=True)) == [
        order.out_trade_no
    ]
    # when: reconciliation asks, then the late notification arrives
    assert services.payments_reconcile(older_than_seconds=0) == 1
    _deliver(api, [late], django_capture_on_commit_callbacks)
    # then: captured once
    assert Job.objects.get(id=job.id).status == "open"
    assert LedgerTransaction.objects.filter(key=f"payment:{job.payment.id}:captured").count() == 1
    assert ledger.account_balance(f"escrow:job:{job.id}") == 15_000
    assert _balanced()


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
    event = GatewayMessage.objects.get(provider="wechatpay")
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
    assert GatewayMessage.objects.filter(provider="wechatpay").count() == 1
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
        "other_channels_appid",
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
    elif tamper == "other_channels_appid":
        resource["appid"] = APP_APPID  # a Native order is paid under the Native AppID
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
    assert GatewayMessage.objects.count() == 0
    assert (LedgerTransaction.objects.count(), Payment.objects.get(id=job.payment.id).status) == before
    assert Job.objects.get(id=job.id).status == "awaiting_payment"


@pytest.mark.parametrize("paid", [{"total": 1}, {"currency": "USD"}], ids=["amount", "currency"])
def test_wechatpay_notification_of_another_amount_or_currency_is_stored_not_captured(
    wechat, api, eager, paid, django_capture_on_commit_callbacks
):
    # given: an order paid in another amount (1 fen instead of 15,000) or currency
    job, order = _unpaid_job_with_qr(wechat)
    body, headers = wechat.notification("TRANSACTION.SUCCESS", wechat.pay(order.out_trade_no, **paid))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _notify(api, body, headers)
    # then: received (WeChat Pay stops retrying), but nothing is captured
    assert response.status_code == 200
    assert "not captured" in GatewayMessage.objects.get().error
    assert Payment.objects.get(id=job.payment.id).status == "requires_payment"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0
    # and reconciliation, asking WeChat Pay, does not capture it either
    with pytest.raises(GatewayError):
        gateway().charge_status(PaymentInfo.of(Payment.objects.get(id=job.payment.id)))
    assert services.payments_reconcile(older_than_seconds=0) == 0


def test_wechatpay_notification_of_an_event_we_do_not_act_on_is_acknowledged(
    wechat, api, eager, django_capture_on_commit_callbacks
):
    body, headers = wechat.notification("PARKING.STATE", {"mchid": MCHID})
    with django_capture_on_commit_callbacks(execute=True):
        response = _notify(api, body, headers)
    assert response.status_code == 200
    event = GatewayMessage.objects.get()
    assert (event.event_type, event.error) == ("unhandled", "ignored message unhandled PARKING.STATE")


def test_wechatpay_app_and_jsapi_prepay_use_their_own_appids_and_close_the_qr_code(wechat, keys):
    job, order = _unpaid_job_with_qr(wechat)
    user = job.created_by
    path = f"/api/v1/payments/{job.payment.id}/wechatpay/prepay"
    # when: the SME's app asks for the app prepay parameters
    response = client_for(user).post(path, {"channel": "app"}, format="json")
    # then: an order under the app's Open Platform AppID, signed with the merchant key over
    # appid, timestamp, noncestr, prepayid
    assert response.status_code == 200
    body = response.json()
    assert (body["appid"], body["partnerid"], body["package"]) == (APP_APPID, MCHID, "Sign=WXPay")
    message = f"{APP_APPID}\n{body['timestamp']}\n{body['noncestr']}\n{body['prepayid']}\n".encode()
    keys["merchant"].public_key().verify(base64.b64decode(body["sign"]), message, padding.PKCS1v15(), hashes.SHA256())
    assert wechat.orders[f"payment{job.payment.id}A"]["appid"] == APP_APPID
    # and the QR code's order is closed at WeChat Pay, so the payment can be paid once only
    assert wechat.orders[order.out_trade_no]["trade_state"] == "CLOSED"
    assert selectors.payment_summary(Payment.objects.get(id=job.payment.id))["pay_url"] == ""
    # a WeChat page needs the payer's openid, and pays under the mini program's AppID
    assert client_for(user).post(path, {"channel": "jsapi"}, format="json").status_code == 400
    jsapi = client_for(user).post(path, {"channel": "jsapi", "openid": PAYEE}, format="json")
    assert jsapi.status_code == 200
    assert jsapi.json()["appId"] == JSAPI_APPID
    assert jsapi.json()["package"].startswith("prepay_id=wx")
    # someone else's payment is not found; a bad channel is 400
    stranger = fixtures.sme_user()
    assert client_for(stranger).post(path, {"channel": "app"}, format="json").status_code == 404
    assert client_for(user).post(path, {"channel": "h5"}, format="json").status_code == 400
    # a factory may not ask at all (403), and without a token it is 401
    factory_user, _ = fixtures.factory()
    assert client_for(factory_user).post(path, {"channel": "app"}, format="json").status_code == 403
    assert client_for(None).post(path, {"channel": "app"}, format="json").status_code == 401


def test_wechatpay_one_appid_for_every_channel_is_refused_by_wechat_pay(wechat, settings):
    """Why each channel has its AppID: the official account's AppID cannot open an App order."""
    settings.WECHATPAY_APP_APPID = ""  # falls back to WECHATPAY_APPID, an official account
    job = fixtures.job(paid=False)
    response = client_for(job.created_by).post(
        f"/api/v1/payments/{job.payment.id}/wechatpay/prepay", {"channel": "app"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "gateway_refused"


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
        _deliver(api, [(body, headers)], django_capture_on_commit_callbacks)
    # then: nothing more moves
    assert LedgerTransaction.objects.count() == transactions
    assert GatewayMessage.objects.get(event_type="refund.succeeded").error == ""
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
    _deliver(api, [(body, headers)], django_capture_on_commit_callbacks)
    # then: booked once; the task's rerun changes nothing and calls WeChat Pay no more
    assert Refund.objects.get(id=refund.id).status == "succeeded"
    services.refund_execute(refund_id=refund.id)
    assert wechat.refunds_made == [f"refund-job-{job.id}"]
    assert LedgerTransaction.objects.filter(key__startswith=f"refund:job:{job.id}:sent").count() == 1
    assert ledger.account_balance("sme_refunds") == 0
    assert _balanced()


def test_wechatpay_refund_abnormal_fails_a_pending_refund(wechat, api, django_capture_on_commit_callbacks):
    from payments.gateways import RefundRequest

    job, _ = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        order_services.job_cancel(job_id=job.id, sme=job.sme, user=job.created_by, reason="x")
    refund = Refund.objects.get(payment=job.payment)
    # given: WeChat Pay took the refund (PROCESSING) but our booking was lost; then it turns abnormal
    payment = PaymentInfo.of(Payment.objects.get(id=job.payment.id))
    gateway().refund(RefundRequest(key=refund.key, payment=payment, amount_fen=15_000))
    body, headers = wechat.notification("REFUND.ABNORMAL", wechat.refund_resource(f"refund-job-{job.id}", "ABNORMAL"))
    _deliver(api, [(body, headers)], django_capture_on_commit_callbacks)
    # then: the refund failed and stays owed to the SME, for an admin to send again
    refund.refresh_from_db()
    assert (refund.status, refund.failure_reason) == ("failed", "WeChat Pay refund ABNORMAL")
    assert ledger.account_balance("sme_refunds") == 15_000
    assert _balanced()


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


# --- payouts: 商家转账 (transfer-bills), one bill per settlement line -------------------------


def _batch(pair=None, *, pieces=1, payee=PAYEE):
    pair = pair or fixtures.factory()
    if payee:
        services.payout_account_set(company_id=pair[1].id, wechat_openid=payee)
    for _ in range(pieces):
        fixtures.completed_assignment(pair)
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    return pair, batch


def _approve_and_pay(batch, django_capture_on_commit_callbacks):
    """A second admin approves the batch through the API; the payout task runs."""
    response = client_for(fixtures.admin_user()).post(
        f"/api/v1/admin/settlements/{batch.id}/approve", {}, format="json"
    )
    assert response.status_code == 200
    settlement.settlement_payout(batch_id=batch.id)


def _factory_balances(company_id):
    return (
        ledger.account_balance(f"payable:factory:{company_id}"),
        ledger.account_balance(f"payouts_in_transit:factory:{company_id}"),
        ledger.account_balance(f"paid_out:factory:{company_id}"),
    )


def test_wechatpay_transfer_bill_paid_end_to_end_through_the_payees_confirmation(
    wechat, api, django_capture_on_commit_callbacks
):
    # given: a batch of one line (14,250 fen) for a factory whose payee openid is set
    (user, factory), batch = _batch()
    line = batch.lines.get()
    # when: an admin approves it and the payout task runs
    _approve_and_pay(batch, django_capture_on_commit_callbacks)
    # then: one transfer bill at WeChat Pay, numbered by the line's key, with the scene, its
    # report infos, the payee's openid under the transfer AppID
    bill_no = numbers.out_bill_no(f"payout:line:{line.id}")
    sent = dict(wechat.request_bodies)["/v3/fund-app/mch-transfer/transfer-bills"]
    assert (sent["out_bill_no"], sent["transfer_amount"], sent["openid"], sent["appid"]) == (
        bill_no,
        14_250,
        PAYEE,
        JSAPI_APPID,
    )
    assert sent["transfer_scene_id"] == "1005"
    assert sent["transfer_scene_report_infos"] == [
        {"info_type": "岗位类型", "info_content": "共享工厂"},
        {"info_type": "报酬说明", "info_content": "加工费结算"},
    ]
    # and the line waits for the payee, the money in transit, the ledger balanced
    line.refresh_from_db()
    assert line.payout_status == "awaiting_confirmation"
    assert line.confirmation == {
        "package_info": wechat.bills[bill_no]["package_info"],
        "mch_id": MCHID,
        "app_id": JSAPI_APPID,
    }
    assert SettlementBatch.objects.get(id=batch.id).status == "paying"
    assert _factory_balances(factory.id) == (0, 14_250, 0)
    assert _balanced()
    # and the factory's app has what WeChat's confirmation needs: over the API and its stream
    mine = client_for(user).get("/api/v1/settlements").json()["results"][0]["lines"][0]
    assert mine["payout_status"] == "awaiting_confirmation"
    assert mine["confirmation"]["package_info"] == wechat.bills[bill_no]["package_info"]
    assert (mine["confirmation"]["mch_id"], mine["confirmation"]["app_id"]) == (MCHID, JSAPI_APPID)
    event = StreamEvent.objects.filter(company_id=factory.id, type="payout.status_changed").latest("id")
    assert event.data["new"] == "awaiting_confirmation"
    assert event.data["confirmation"]["package_info"] == wechat.bills[bill_no]["package_info"]
    # when: the payee confirms in WeChat and WeChat Pay notifies (twice)
    notified = wechat.confirm(bill_no)
    _deliver(api, [notified, notified], django_capture_on_commit_callbacks)
    # then: paid out once
    assert wechat.transfers_made == [bill_no]
    assert SettlementBatch.objects.get(id=batch.id).status == "paid"
    assert SettlementLine.objects.get(id=line.id).payout_status == "paid"
    assert _factory_balances(factory.id) == (0, 0, 14_250)
    assert LedgerTransaction.objects.filter(kind="payout_paid").count() == 1
    assert _balanced()
    # and a factory's "I confirmed" after that answers the line as it is
    again = client_for(user).post(f"/api/v1/settlement-lines/{line.id}/refresh", {}, format="json")
    assert (again.status_code, again.json()["payout_status"]) == (200, "paid")


def test_wechatpay_transfer_confirmation_refused_returns_the_line_to_the_next_batch(
    wechat, api, django_capture_on_commit_callbacks
):
    pair, batch = _batch()
    line = batch.lines.get()
    _approve_and_pay(batch, django_capture_on_commit_callbacks)
    # when: the payee's confirmation fails (the real name does not match) and WeChat Pay notifies
    notified = wechat.confirm(numbers.out_bill_no(line.payout_key), ok=False, reason="NAME_NOT_CORRECT")
    _deliver(api, [notified], django_capture_on_commit_callbacks)
    # then: nothing paid; the money back in payable; the batch failed; the line left it
    line.refresh_from_db()
    assert (line.payout_status, line.active) == ("returned", False)
    assert "NAME_NOT_CORRECT" in line.payout_reason
    assert SettlementBatch.objects.get(id=batch.id).status == "failed"
    assert _factory_balances(pair[1].id) == (14_250, 0, 0)
    assert wechat.transfers_made == []
    assert _balanced()
    # when: the next day's batch is built: the assignment is in it, under a new line and number
    following = settlement.settlement_build(cutoff=timezone.now() + timedelta(days=1))[0]
    assert list(following.lines.values_list("assignment_id", flat=True)) == [line.assignment_id]
    _approve_and_pay(following, django_capture_on_commit_callbacks)
    _deliver(
        api, [wechat.confirm(numbers.out_bill_no(following.lines.get().payout_key))], django_capture_on_commit_callbacks
    )
    # then: paid once, from the second bill
    assert _factory_balances(pair[1].id) == (0, 0, 14_250)
    assert wechat.transfers_made == [numbers.out_bill_no(following.lines.get().payout_key)]
    assert _balanced()


def test_wechatpay_transfer_not_confirmed_in_24_hours_returns_by_notification_or_by_the_sweep(
    wechat, api, django_capture_on_commit_callbacks
):
    # given: two factories' lines waiting for their payees
    first_pair, first = _batch()
    second_pair, second = _batch()
    for batch in (first, second):
        _approve_and_pay(batch, django_capture_on_commit_callbacks)
    # when: 24 hours pass: WeChat Pay closes both bills (FAIL) and notifies; the second
    # factory's notification is lost
    closed = wechat.advance(hours=24, minutes=1)
    assert len(closed) == 2
    first_bill = numbers.out_bill_no(first.lines.get().payout_key)
    delivered = [n for n in closed if first_bill.encode() in _resource_of(n)]
    _deliver(api, delivered, django_capture_on_commit_callbacks)
    # then: the first line is back in payable at once
    assert first.lines.get().payout_status == "returned"
    assert _factory_balances(first_pair[1].id) == (14_250, 0, 0)
    assert second.lines.get().payout_status == "awaiting_confirmation"
    # when: the money sweep runs after the confirmation deadline
    SettlementLine.objects.filter(batch=second).update(confirm_by=timezone.now() - timedelta(minutes=5))
    SettlementLine.objects.filter(batch=second).update(payout_updated_at=timezone.now() - timedelta(hours=1))
    money_sweep_task()
    # then: it asked WeChat Pay and booked the return
    assert second.lines.get().payout_status == "returned"
    assert _factory_balances(second_pair[1].id) == (14_250, 0, 0)
    assert wechat.transfers_made == []
    assert _balanced()


def _resource_of(notification) -> bytes:
    from payments.gateways.wechatpay.gateway import current_config
    from payments.gateways.wechatpay.notify import notification_open

    body, headers = notification
    return json.dumps(notification_open(body, headers, current_config())["resource"]).encode()


def test_wechatpay_transfer_taken_back_by_an_admin_returns_once_cancelled(
    wechat, api, django_capture_on_commit_callbacks
):
    pair, batch = _batch()
    line = batch.lines.get()
    _approve_and_pay(batch, django_capture_on_commit_callbacks)
    # when: an admin takes the transfer back (wrong payee) before the payee confirms
    line = settlement.payout_cancel(line_id=line.id, admin=fixtures.admin_user(), reason="wrong payee")
    # then: WeChat Pay accepted the cancel (CANCELING): the line still waits, nothing booked yet
    assert wechat.bills[numbers.out_bill_no(line.payout_key)]["state"] == "CANCELING"
    assert line.payout_status == "awaiting_confirmation"
    assert _factory_balances(pair[1].id) == (0, 14_250, 0)
    # when: the cancel is done and notified
    _deliver(api, wechat.finish_cancels(), django_capture_on_commit_callbacks)
    # then: the money is back in payable, and the trail says who took it back and why
    line.refresh_from_db()
    assert (line.payout_status, line.active) == ("returned", False)
    assert _factory_balances(pair[1].id) == (14_250, 0, 0)
    assert batch.history.filter(action="payout_cancel_asked", reason="wrong payee").count() == 1
    assert _balanced()


def test_wechatpay_transfer_retried_after_a_crash_is_one_bill(wechat, api, django_capture_on_commit_callbacks):
    from payments.gateways import TransferRequest
    from payments.services.payouts import _payee

    pair, batch = _batch()
    SettlementBatch.objects.filter(id=batch.id).update(status="approved")
    # given: a payout task that moved the money in transit, asked WeChat Pay, and died
    (line_id,) = settlement._payout_start(batch_id=batch.id)
    line = SettlementLine.objects.get(id=line_id)
    request = TransferRequest(
        key=line.payout_key, factory_id=pair[1].id, amount_fen=14_250, remark="r", payee=_payee(pair[1].id)
    )
    first = gateway().transfer(request)
    # when: the task runs again from the top, and the sweep asks too
    settlement.settlement_payout(batch_id=batch.id)
    settlement.payout_reconcile(line_id=line.id)
    # then: one bill, answered from WeChat Pay's book; the ledger moved once
    assert len(wechat.bills) == 1
    line.refresh_from_db()
    assert (line.payout_status, line.payout_reference) == ("awaiting_confirmation", first.reference)
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert _factory_balances(pair[1].id) == (0, 14_250, 0)
    assert _balanced()


def test_wechatpay_transfer_from_2000_yuan_sends_the_payees_name_encrypted(
    wechat, api, django_capture_on_commit_callbacks
):
    pair = fixtures.factory()
    services.payout_account_set(company_id=pair[1].id, wechat_openid=PAYEE, real_name="张三")
    fixtures.completed_assignment(pair, quantity=2000, unit_price_fen=150)  # ¥3,000 less commission
    batch = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    _approve_and_pay(batch, django_capture_on_commit_callbacks)
    sent = dict(wechat.request_bodies)["/v3/fund-app/mch-transfer/transfer-bills"]
    assert sent["transfer_amount"] >= 200_000
    assert sent["user_name"] != "张三"  # encrypted with the key named in Wechatpay-Serial
    assert wechat._decrypt_sensitive(PUBLIC_KEY_ID, sent["user_name"]) == "张三"
    assert batch.lines.get().payout_status == "awaiting_confirmation"


def test_wechatpay_payout_to_a_factory_without_a_payee_returns_the_money(wechat, django_capture_on_commit_callbacks):
    pair, batch = _batch(payee="")
    _approve_and_pay(batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "no payout account" in batch.reason
    assert wechat.bills == {}
    assert _factory_balances(pair[1].id) == (14_250, 0, 0)
    assert _balanced()


def test_wechatpay_legacy_batch_api_is_refused_to_an_upgraded_merchant(
    wechat, settings, django_capture_on_commit_callbacks
):
    # given: the legacy transfer API chosen by a merchant who enabled 商家转账 after 2025-01-15
    settings.WECHATPAY_TRANSFER_API = "legacy"
    pair, batch = _batch()
    # when
    _approve_and_pay(batch, django_capture_on_commit_callbacks)
    # then: WeChat Pay answers 403 NO_AUTH; the line is returned, nothing paid
    line = batch.lines.get()
    assert line.payout_status == "returned"
    assert "NO_AUTH" in line.payout_reason
    assert _factory_balances(pair[1].id) == (14_250, 0, 0)
    assert _balanced()


def test_wechatpay_legacy_batch_api_pays_a_merchant_who_still_has_it(
    settings, tmp_path, keys, api, django_capture_on_commit_callbacks
):
    standin = _start(settings, tmp_path, keys, legacy_transfers=True)
    try:
        settings.WECHATPAY_TRANSFER_API = "legacy"
        pair, batch = _batch()
        _approve_and_pay(batch, django_capture_on_commit_callbacks)
        batch_no = numbers.out_bill_no(batch.lines.get().payout_key)
        assert standin.batches[batch_no]["total_amount"] == 14_250
        assert batch.lines.get().payout_status == "sending"
        notified = standin.notification("MCHTRANSFER.BATCH.FINISHED", standin.finish_transfer(batch_no))
        _deliver(api, [notified], django_capture_on_commit_callbacks)
        assert SettlementBatch.objects.get(id=batch.id).status == "paid"
        assert _factory_balances(pair[1].id) == (0, 0, 14_250)
        assert _balanced()
    finally:
        standin.stop()


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
    # when: the bill (its SHA1 over the uncompressed file, as WeChat Pay gives it) is checked
    differences = services.bill_reconcile(bill_date=today)
    # then: the paid-and-billed job agrees; the others are listed
    found = sorted((d.kind, d.number, d.gateway_fen, d.ledger_fen) for d in differences)
    assert found == [
        ("not_in_bill", f"payment:{missing.payment.id}:captured", None, 15_000),
        ("not_in_ledger", "not-ours-123", 100, None),
        ("not_in_ledger", "payment999999N", 2_000, None),
    ]
    assert BillCheck.objects.get(bill_date=today).outcome == "differences"
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
    check = BillCheck.objects.get(bill_date=today)
    assert (check.outcome, check.rows, check.differences) == ("passed", 2, 0)


def test_wechatpay_bill_of_a_day_without_trades_is_empty(wechat):
    day = timezone.localdate() - timedelta(days=3)
    assert services.bill_reconcile(bill_date=day) == []
    assert BillCheck.objects.get(bill_date=day).outcome == "passed"


def test_wechatpay_bill_that_fails_its_hash_is_a_failed_check_not_no_differences(wechat):
    # given: a bill whose download does not match its hash
    today = timezone.localdate()
    wechat.add_bill(today.isoformat(), [], hash_value="0" * 40)
    # when: the daily task runs
    from payments.tasks import bill_reconcile_task

    assert bill_reconcile_task(today.isoformat()) == -1
    # then: the day is recorded as a failed check, with why; no differences are claimed
    check = BillCheck.objects.get(bill_date=today)
    assert (check.outcome, check.differences) == ("failed", 0)
    assert "SHA1" in check.error
    assert not BillDifference.objects.exists()
    # and the admin shows it as a failure, in Chinese
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/payments/billcheck/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "对账失败" in page


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


def test_bill_reconcile_command_lists_differences_and_fails(wechat, api, django_capture_on_commit_callbacks):
    job, order = _paid_job(wechat, api, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    wechat.add_bill(today.isoformat(), [])
    with pytest.raises(CommandError, match="1 处差异"):
        call_command("bill_reconcile", today.isoformat())
    assert BillDifference.objects.get().number == f"payment:{job.payment.id}:captured"
    with pytest.raises(CommandError, match="not a date"):
        call_command("bill_reconcile", "yesterday")


def test_bill_reconcile_command_with_the_sandbox_says_it_has_no_bill():
    with pytest.raises(CommandError, match="sandbox gateway has no daily bill"):
        call_command("bill_reconcile")


# --- the platform's keys: certificates, rotation, the switch to the public key ---------------


@pytest.fixture
def wechat_certificates(settings, tmp_path, keys):
    """A merchant on platform certificates only (no public key)."""
    standin = _start(settings, tmp_path, keys, public_key=False, certificates=[Signer.with_certificate(keys["cert1"])])
    yield standin
    standin.stop()
    assert standin.refused == []


def test_wechatpay_certificates_are_downloaded_and_verify_answers_and_notifications(
    wechat_certificates, api, django_capture_on_commit_callbacks
):
    standin = wechat_certificates
    # when: the first call of the gateway (the QR code) needs the platform's key
    job, order = _unpaid_job_with_qr(standin)
    # then: the certificate was downloaded, decrypted with the APIv3 key, and kept
    assert list(PlatformCertificate.objects.values_list("serial_no", flat=True)) == [standin.certificates[0].serial]
    # and a notification signed by it is taken
    notified = standin.notification("TRANSACTION.SUCCESS", standin.pay(order.out_trade_no))
    assert notified[1]["Wechatpay-Serial"] == standin.certificates[0].serial
    _deliver(api, [notified], django_capture_on_commit_callbacks)
    assert Job.objects.get(id=job.id).status == "open"


def test_wechatpay_rotated_certificate_is_fetched_when_a_notification_names_it(
    wechat_certificates, api, keys, django_capture_on_commit_callbacks
):
    standin = wechat_certificates
    job, order = _unpaid_job_with_qr(standin)
    # given: WeChat Pay issued a new certificate and signs with it
    standin.certificates.append(Signer.with_certificate(keys["cert2"]))
    notified = standin.notification("TRANSACTION.SUCCESS", standin.pay(order.out_trade_no))
    assert notified[1]["Wechatpay-Serial"] == standin.certificates[1].serial
    # when: the notification arrives
    _deliver(api, [notified], django_capture_on_commit_callbacks)
    # then: the new certificate was fetched, the notification verified, the job opened
    assert PlatformCertificate.objects.count() == 2
    assert Job.objects.get(id=job.id).status == "open"
    # and a serial nobody issued is refused; a flood of them downloads at most once a minute
    cache.clear()  # a minute later
    downloads = sum(1 for method, path in standin.requests if path == "/v3/certificates")
    for forged_serial in ("ABCDEF0123456789", "ABCDEF0123456780", "ABCDEF0123456781"):
        forged = standin.notification("TRANSACTION.SUCCESS", {"mchid": MCHID}, serial=forged_serial)
        response = _notify(api, *forged)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "unknown_serial"
    assert sum(1 for method, path in standin.requests if path == "/v3/certificates") == downloads + 1


def test_wechatpay_switch_to_the_public_key_takes_callbacks_signed_by_either(
    settings, tmp_path, keys, api, django_capture_on_commit_callbacks
):
    # given: a merchant switching: the public key configured beside the certificates, and
    # WeChat Pay signing half of the callbacks with each (its share rises day by day)
    standin = _start(
        settings,
        tmp_path,
        keys,
        certificates=[Signer.with_certificate(keys["cert1"])],
        callback_public_key_share=0.5,
    )
    try:
        serials = set()
        for _ in range(8):
            job, order = _unpaid_job_with_qr(standin)
            notified = standin.notification("TRANSACTION.SUCCESS", standin.pay(order.out_trade_no))
            serials.add(notified[1]["Wechatpay-Serial"])
            _deliver(api, [notified], django_capture_on_commit_callbacks)
            assert Job.objects.get(id=job.id).status == "open"
        # then: both keys signed, and every callback was taken
        assert serials == {PUBLIC_KEY_ID, standin.certificates[0].serial}
        # and answers are signed with the public key the requests name
        assert standin.refused == []
    finally:
        standin.stop()


def test_wechatpay_public_key_only_merchant_never_downloads_certificates(wechat):
    _unpaid_job_with_qr(wechat)
    assert ("GET", "/v3/certificates") not in wechat.requests
    assert PlatformCertificate.objects.count() == 0


# --- configuration ---------------------------------------------------------------------------


def test_wechatpay_start_up_refuses_an_incomplete_configuration_without_showing_secrets():
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECHATPAY_")}
    env.update(
        PAYMENT_PROVIDER="wechatpay",
        WECHATPAY_APIV3_KEY="the-secret-apiv3-key-0123456789ab",
        WECHATPAY_MCHID="1900009191",
        WECHATPAY_PLATFORM_CERTIFICATES="off",
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
    assert "WECHATPAY_PUBLIC_KEY_ID" in result.stderr
    assert "WECHATPAY_MCHID" not in result.stderr.split("not set:")[-1]
    assert "the-secret-apiv3-key" not in result.stderr


def test_wechatpay_check_refuses_unusable_key_files_naming_the_variable(wechat, settings, tmp_path, keys):
    assert [e.id for e in run_checks() if e.id.startswith("payments.")] == []
    (tmp_path / "broken.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    settings.WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "broken.pem")
    errors = [e for e in run_checks() if e.id == "payments.E001"]
    assert len(errors) == 1
    assert "WECHATPAY_PRIVATE_KEY_PATH" in errors[0].msg
    # a PKCS#1 key loads in OpenSSL but not in the WeChat Pay SDK: refused, with how to convert it
    (tmp_path / "pkcs1.pem").write_bytes(pkcs1_pem(keys["merchant"]))
    settings.WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "pkcs1.pem")
    message = [e.msg for e in run_checks() if e.id == "payments.E001"][0]
    assert "PKCS#8" in message and "openssl pkcs8 -topk8 -nocrypt" in message
    settings.WECHATPAY_PRIVATE_KEY_PATH = str(tmp_path / "apiclient_key.pem")
    settings.WECHATPAY_APIV3_KEY = "short"
    message = [e.msg for e in run_checks() if e.id == "payments.E001"][0]
    assert "WECHATPAY_APIV3_KEY" in message and "short" not in message.replace("WECHATPAY", "")


def test_wechatpay_answers_signed_by_another_key_are_refused_by_the_sdk(wechat, keys):
    job, order = _unpaid_job_with_qr(wechat)
    wechat.pay(order.out_trade_no)
    # given: something between us and WeChat Pay signs its answers with another key
    wechat.public_key.key = keys["stranger"]
    # then: an unverified answer is not believed: a transient error, and reconciliation waits
    with pytest.raises(GatewayError) as error:
        gateway().charge_status(PaymentInfo.of(job.payment))
    assert error.value.transient is True
    assert services.payments_reconcile(older_than_seconds=0) == 0
    assert Payment.objects.get(id=job.payment.id).status == "requires_payment"
    # and no QR code is shown from an unverified answer
    other = fixtures.job(paid=False)
    assert selectors.payment_summary(other.payment)["pay_url"] == ""


def test_wechatpay_check_command_makes_one_signed_call(wechat, settings, keys, capsys):
    # when: the credentials are right
    call_command("wechatpay_check")
    # then: a signed read-only call was answered and verified
    out = capsys.readouterr().out
    assert "WeChat Pay is ready" in out and PUBLIC_KEY_ID in out
    assert wechat.requests[-1][1].startswith("/v3/pay/transactions/out-trade-no/paymentcheck0N")
    # when: the merchant serial is wrong, WeChat Pay refuses the signature (401 SIGN_ERROR)
    settings.WECHATPAY_CERT_SERIAL_NO = "0000000000000000000000000000000000000000"
    with pytest.raises(CommandError, match="SIGN_ERROR"):
        call_command("wechatpay_check")
    wechat.refused.clear()
    # when: the platform public key is another one, the answer's signature fails
    settings.WECHATPAY_CERT_SERIAL_NO = MERCHANT_SERIAL
    wechat.public_key.key = keys["stranger"]
    with pytest.raises(CommandError, match="could not be verified"):
        call_command("wechatpay_check")
