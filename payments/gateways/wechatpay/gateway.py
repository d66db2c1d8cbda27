"""The WeChat Pay gateway: ``payments.gateways.interface`` on the ``wechatpayv3`` SDK
(requests signed with the merchant key, answers verified against WeChat Pay's keys).
Amounts are fen end to end: WeChat Pay's ``total``, ``refund`` and ``transfer_amount`` are
fen too.

- Charges: an order per payment and channel (a Native QR code, the SME app, a WeChat page),
  each channel under its own AppID, opened with ``time_expire`` two hours on: WeChat Pay's
  ``code_url`` and ``prepay_id`` live two hours. Asked for again when it has expired (or is
  about to), the order is closed at WeChat Pay and a new one opened under a new number
  (``payment12N2``); closing a paid order fails (ORDERPAID), so a payment is never paid on
  two live orders. Every order of a payment is asked about by reconciliation, so a late
  notification of a closed one is still settled, once.
- Transfers to factories: the upgraded 商家转账 (``POST /v3/fund-app/mch-transfer/transfer-bills``,
  one bill per settlement line, the payee confirms in WeChat with the ``package_info``; a
  bill not confirmed within 24 hours is closed by WeChat Pay), or, with
  ``WECHATPAY_TRANSFER_API=legacy``, the pre-2025 batch API for merchants who still have it.

Failures are ``GatewayError``: a network failure, a 5xx, a rate limit or an answer whose
signature does not verify is transient (the task retries with the same merchant number, so
the movement still happens once); a 4xx refusal is final.
"""

import gzip
import hashlib
import json
import logging
import secrets
import time
from datetime import timedelta
from functools import lru_cache

import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.utils import build_authorization, load_private_key, rsa_verify

from payments.gateways.interface import (
    BillRow,
    Channel,
    ChargeState,
    ChargeStatus,
    Checkout,
    GatewayError,
    Message,
    NotOffered,
    PaymentInfo,
    RefundRequest,
    RefundResult,
)
from payments.gateways.wechatpay import bill, keys, notify, numbers
from payments.gateways.wechatpay.config import WechatPayConfig, WechatPayConfigError, wechatpay_config
from payments.gateways.wechatpay.transfers import TransfersMixin
from payments.models import WechatPayOrder

logger = logging.getLogger(__name__)

PAY_TYPES = {"native": WeChatPayType.NATIVE, "app": WeChatPayType.APP, "jsapi": WeChatPayType.JSAPI}
TRANSIENT_CODES = {"SYSTEM_ERROR", "FREQUENCY_LIMITED", "BANK_ERROR", "SYSTEMERROR"}
# A QR code (code_url) or prepay id is valid 2 hours; orders are opened to expire then.
ORDER_LIFETIME = timedelta(hours=2)


@lru_cache(maxsize=8)
def _client(config: WechatPayConfig, certificate_pems: tuple[str, ...]) -> WeChatPay:
    """The SDK client. It names our encryption key in every request's Wechatpay-Serial (so
    WeChat Pay signs its answers with that key) and trusts every stored platform certificate
    for answers signed by one. No logger: the SDK would log headers and decrypted data."""
    serial, pem = keys.encryption_key(config)
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=config.mchid,
        private_key=config.private_key_pem,
        cert_serial_no=config.cert_serial_no,
        appid=config.native_appid,
        apiv3_key=config.apiv3_key,
        notify_url=config.notify_url,
        timeout=(5, 20),
        public_key=pem,
        public_key_id=serial,
    )
    # The SDK has no public setting for its API host; its core keeps it here. Production
    # leaves WECHATPAY_API_BASE_URL at https://api.mch.weixin.qq.com; tests use a stand-in.
    client._core._gate_way = config.api_base_url
    client._core._certificates[:] = [x509.load_pem_x509_certificate(p.encode()) for p in certificate_pems]
    return client


@lru_cache(maxsize=4)
def _config(*values) -> WechatPayConfig:
    return wechatpay_config()


def current_config() -> WechatPayConfig:
    """The configuration, read again only when a setting changes (the key files once)."""
    names = [*settings.WECHATPAY_SETTINGS, *settings.WECHATPAY_OPTIONAL_SETTINGS, "WECHATPAY_ORDER_RENEW_SECONDS"]
    return _config(*(getattr(settings, name, "") for name in names))


def _rfc3339(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


class WechatPayGateway(TransfersMixin):
    name = "wechatpay"
    real_money = True

    def __init__(self):
        try:
            self.config = current_config()
        except WechatPayConfigError as exc:  # `manage.py check` names it at deploy; until fixed, retried
            raise GatewayError(f"WeChat Pay is not configured: {exc}", transient=True) from None
        self._client = None

    @property
    def client(self) -> WeChatPay:
        if self._client is None:
            if self.config.certificates and not self.config.public_key_id and not keys.certificates():
                keys.certificates_refresh(self.config)  # certificates only, none known yet
            pems = tuple(
                certificate.public_bytes(Encoding.PEM).decode()
                for certificate in (keys.certificates() if self.config.certificates else [])
            )
            self._client = _client(self.config, pems)
        return self._client

    # --- calls ---------------------------------------------------------------------------

    def _call(self, what: str, method, *args, **kwargs) -> tuple[int, dict]:
        """One SDK call: (HTTP status, JSON body). Raises GatewayError for what is not an answer."""
        try:
            status, message = method(*args, **kwargs)
        except requests.RequestException as exc:
            raise GatewayError(f"WeChat Pay {what}: {type(exc).__name__}", transient=True) from None
        except GatewayError:
            raise
        except Exception as exc:  # noqa: BLE001 - the SDK raises bare Exception (e.g. a bad answer signature)
            raise GatewayError(f"WeChat Pay {what}: {exc}", transient=True) from None
        body = {}
        if isinstance(message, str | bytes) and message:
            try:
                body = json.loads(message)
            except ValueError:
                body = {"raw": message}
        if not isinstance(body, dict):
            body = {}
        if status >= 500 or status == 429 or body.get("code") in TRANSIENT_CODES:
            raise GatewayError(f"WeChat Pay {what}: {status} {body.get('code', '')}", transient=True)
        return status, body

    @staticmethod
    def _refusal(what: str, status: int, body: dict) -> GatewayError:
        return GatewayError(f"WeChat Pay refused the {what}: {status} {body.get('code', '')} {body.get('message', '')}")

    # --- charges ---------------------------------------------------------------------------

    def _order(self, payment: PaymentInfo, channel: str, payer: str = "") -> WechatPayOrder:
        """The payment's open order on this channel while it has more than the renewal margin
        left; otherwise the old one is closed and a new one opened under the next number."""
        now = timezone.now()
        margin = timedelta(seconds=self.config.order_renew_seconds)
        current = WechatPayOrder.objects.filter(payment_id=payment.id, channel=channel, closed=False).first()
        if current is not None:
            if current.expires_at is None or current.expires_at - now > margin:
                return current
            self._close(current)  # expired or about to: a paid one raises, and is not replaced
        renewal = WechatPayOrder.objects.filter(payment_id=payment.id, channel=channel).count() + 1
        trade_no = numbers.out_trade_no(payment.id, channel, renewal)
        expires = (now + ORDER_LIFETIME).replace(microsecond=0)  # as sent in time_expire
        appid = self.config.appid_for(channel)
        status, body = self._call(
            "order",
            self.client.pay,
            description=f"Job {payment.job_id} 共享工厂加工费",
            out_trade_no=trade_no,
            amount={"total": int(payment.amount_fen), "currency": payment.currency},
            payer={"openid": payer} if payer else None,
            time_expire=_rfc3339(expires),
            appid=appid,
            pay_type=PAY_TYPES[channel],
        )
        if status != 200 or not (body.get("code_url") or body.get("prepay_id")):
            raise self._refusal("order", status, body)
        try:
            with transaction.atomic():
                return WechatPayOrder.objects.create(
                    payment_id=payment.id,
                    channel=channel,
                    out_trade_no=trade_no,
                    appid=appid,
                    code_url=str(body.get("code_url", ""))[:200],
                    prepay_id=str(body.get("prepay_id", ""))[:64],
                    expires_at=expires,
                )
        except IntegrityError:  # a concurrent request opened it first
            return WechatPayOrder.objects.get(payment_id=payment.id, channel=channel, closed=False)

    def _close(self, order: WechatPayOrder) -> None:
        status, body = self._call("close", self.client.close, out_trade_no=order.out_trade_no)
        if status not in (200, 204):
            if body.get("code") == "ORDERPAID":
                raise GatewayError("This payment was already paid at WeChat Pay.")
            raise self._refusal("close", status, body)
        WechatPayOrder.objects.filter(id=order.id).update(closed=True)

    def checkout(self, payment: PaymentInfo, *, channel=None, payer: str = "", request=None):
        """Native (the default): the QR code's content, or an empty URL while the payment is
        being paid in the app or on a WeChat page instead. App and JSAPI: what the app's
        WeChat SDK or the page's JSAPI needs, signed with the merchant key; orders on the
        other channels are closed first, so the payment can be paid once only."""
        channel = Channel(channel or Channel.NATIVE)
        if channel == Channel.LINK:
            raise NotOffered("WeChat Pay has no pay page of its own; use native, app or jsapi")
        if channel == Channel.JSAPI and not payer:
            raise GatewayError("A JSAPI payment needs the payer's openid.")
        if channel == Channel.NATIVE:
            if WechatPayOrder.objects.filter(payment_id=payment.id, closed=False).exclude(channel="native").exists():
                return Checkout(channel=channel)
            order = self._order(payment, "native")
            return Checkout(channel=channel, url=order.code_url, expires_at=order.expires_at)
        for order in WechatPayOrder.objects.filter(payment_id=payment.id, closed=False).exclude(channel=channel):
            self._close(order)
        order = self._order(payment, channel.value, payer)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        if channel == Channel.APP:
            params = {
                "appid": order.appid,
                "partnerid": self.config.mchid,
                "prepayid": order.prepay_id,
                "package": "Sign=WXPay",
                "noncestr": nonce,
                "timestamp": timestamp,
                "sign": self.client.sign([order.appid, timestamp, nonce, order.prepay_id]),
            }
        else:
            package = f"prepay_id={order.prepay_id}"
            params = {
                "appId": order.appid,
                "timeStamp": timestamp,
                "nonceStr": nonce,
                "package": package,
                "signType": "RSA",
                "paySign": self.client.sign([order.appid, timestamp, nonce, package]),
            }
        return Checkout(channel=channel, params=params, expires_at=order.expires_at)

    def charge_status(self, payment: PaymentInfo) -> ChargeStatus:
        """Asks WeChat Pay about every order opened for the payment, closed ones too (one
        may have been paid just before it was closed): paid when one was, with the amount
        and currency checked; declined when payment failed; unknown while nobody has paid."""
        declined = ""
        for order in WechatPayOrder.objects.filter(payment_id=payment.id).order_by("id"):
            status, body = self._call("query", self.client.query, out_trade_no=order.out_trade_no)
            if status == 404:
                continue
            if status != 200:
                raise self._refusal("query", status, body)
            state = body.get("trade_state")
            if state == "SUCCESS":
                amount = body.get("amount") or {}
                if amount.get("total") != payment.amount_fen or amount.get("currency", "CNY") != payment.currency:
                    logger.error("payment %s: WeChat Pay order %s paid %r", payment.id, order.out_trade_no, amount)
                    raise GatewayError(f"order {order.out_trade_no} was paid {amount!r}, not {payment.amount_fen} fen")
                return ChargeStatus(ChargeState.PAID, reference=str(body.get("transaction_id", "")))
            if state == "PAYERROR":
                declined = f"WeChat Pay: {body.get('trade_state_desc') or state}"[:200]
        return ChargeStatus(ChargeState.DECLINED, reason=declined) if declined else ChargeStatus(ChargeState.UNKNOWN)

    # --- refunds ---------------------------------------------------------------------------

    def refund(self, request: RefundRequest) -> RefundResult:
        """A domestic refund whose ``out_refund_no`` is our key: sending it again (a task
        rerun after a crash) names the same refund, which WeChat Pay makes once."""
        payment = request.payment
        refund_no = numbers.out_refund_no(request.key)
        kwargs = {"transaction_id": payment.reference} if payment.reference else {}
        if not kwargs:
            order = WechatPayOrder.objects.filter(payment_id=payment.id).order_by("id").first()
            if order is None:
                raise GatewayError(f"payment {payment.id} has no WeChat Pay order to refund")
            kwargs = {"out_trade_no": order.out_trade_no}
        status, body = self._call(
            "refund",
            self.client.refund,
            out_refund_no=refund_no,
            amount={"refund": int(request.amount_fen), "total": int(payment.amount_fen), "currency": payment.currency},
            **kwargs,
        )
        replayed = False
        if status != 200:
            # Already asked for under this number (a rerun): what WeChat Pay knows of it.
            found, known = self._call("refund query", self.client.query_refund, out_refund_no=refund_no)
            if found != 200:
                raise self._refusal("refund", status, body)
            body, replayed = known, True
        if (body.get("amount") or {}).get("refund", request.amount_fen) != request.amount_fen:
            raise GatewayError(f"refund number {refund_no} was used for another amount")
        if body.get("status") in ("CLOSED", "ABNORMAL"):
            raise GatewayError(f"WeChat Pay refund {body.get('status')}")
        return RefundResult(reference=str(body.get("refund_id", "")), replayed=replayed)

    # --- notifications and bills -------------------------------------------------------------

    def verify_webhook(self, raw_body: bytes, headers, *, now: float | None = None) -> Message:
        return notify.message_of(notify.notification_open(raw_body, headers, self.config, now=now), self.config)

    def daily_bill(self, day) -> list[BillRow]:
        """The day's trade bill (交易账单, all trades), its hash checked over the uncompressed
        bill as WeChat Pay computes it ("原始账单（gzip需要解压缩）的摘要值",
        https://pay.weixin.qq.com/doc/v3/merchant/4012556654)."""
        status, body = self._call("bill", self.client.trade_bill, bill_date=day.isoformat(), tar_type="GZIP")
        if status != 200 or not body.get("download_url"):
            if body.get("code") == "NO_STATEMENT_EXIST":
                return []
            raise self._refusal("bill", status, body)
        try:
            code, content = self.client.download_bill(body["download_url"])
        except requests.RequestException as exc:
            raise GatewayError(f"WeChat Pay bill download: {type(exc).__name__}", transient=True) from None
        if code != 200 or not isinstance(content, bytes):
            raise GatewayError(f"WeChat Pay bill download: {code}", transient=True)
        try:
            raw = gzip.decompress(content)
        except (OSError, EOFError):
            raise GatewayError("WeChat Pay bill download: not a gzip file") from None
        if body.get("hash_type", "SHA1") != "SHA1":
            raise GatewayError(f"WeChat Pay bill: unknown hash type {body.get('hash_type')!r}")
        if hashlib.sha1(raw).hexdigest().lower() != str(body.get("hash_value", "")).lower():  # noqa: S324 - WeChat Pay's own check
            raise GatewayError("WeChat Pay bill download: the bill's SHA1 does not match", transient=True)
        try:
            return bill.bill_rows(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise GatewayError("WeChat Pay bill download: not a UTF-8 file") from None
        except bill.BillFormatError as exc:
            raise GatewayError(f"WeChat Pay bill: {exc}") from None

    # --- keys ----------------------------------------------------------------------------------

    def keys_refresh(self) -> list[str]:
        """Download the platform certificates (certificate mode); the serials now trusted."""
        if not self.config.certificates:
            return [self.config.public_key_id]
        return keys.certificates_refresh(self.config)

    def probe(self) -> str:
        """One signed read-only call, for ``manage.py wechatpay_check``: a query of an order
        number that cannot exist. A wrong merchant key or serial is refused (401); the answer
        (a 404, which the SDK would not check) is verified here against our platform keys,
        so a wrong platform key shows too."""
        path = f"/v3/pay/transactions/out-trade-no/paymentcheck0N?mchid={self.config.mchid}"
        serial, _pem = keys.encryption_key(self.config)
        private_key = load_private_key(self.config.private_key_pem)
        headers = {
            "Accept": "application/json",
            "Wechatpay-Serial": serial,
            "Authorization": build_authorization(
                path, "GET", self.config.mchid, self.config.cert_serial_no, private_key
            ),
        }
        try:
            response = requests.get(self.config.api_base_url + path, headers=headers, timeout=(5, 20))
        except requests.RequestException as exc:
            raise GatewayError(f"WeChat Pay probe: {type(exc).__name__}", transient=True) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 401 or not response.headers.get("Wechatpay-Signature"):
            raise self._refusal("probe", response.status_code, body if isinstance(body, dict) else {})
        named = response.headers.get("Wechatpay-Serial", "")
        key = keys.verification_key(self.config, named)
        signed = [response.headers.get(name, "") for name in ("Wechatpay-Timestamp", "Wechatpay-Nonce")]
        if key is None or not rsa_verify(*signed, response.text, response.headers["Wechatpay-Signature"], key):
            raise GatewayError(f"WeChat Pay probe: the answer signed by {named!r} does not verify with our keys")
        return f"{response.status_code} {body.get('code', '') if isinstance(body, dict) else ''}".strip()
