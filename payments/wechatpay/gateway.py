"""The WeChat Pay gateway: the adapter interface of ``payments.gateway`` on the
``wechatpayv3`` SDK (requests signed with the merchant key, answers verified against the
platform key). Amounts are fen end to end: WeChat Pay's ``total``, ``refund`` and
``transfer_amount`` are fen too.

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
from functools import lru_cache

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from wechatpayv3 import WeChatPay, WeChatPayType

from payments.gateway import GatewayError, GatewayResult
from payments.models import PayoutAccount, WechatPayOrder
from payments.wechatpay import notify, numbers
from payments.wechatpay.config import WechatPayConfig, WechatPayConfigError, wechatpay_config

logger = logging.getLogger(__name__)

PAY_TYPES = {"native": WeChatPayType.NATIVE, "app": WeChatPayType.APP, "jsapi": WeChatPayType.JSAPI}
TRANSIENT_CODES = {"SYSTEM_ERROR", "FREQUENCY_LIMITED", "BANK_ERROR", "SYSTEMERROR"}
# WeChat Pay requires the payee's real name on a transfer from ¥2,000.
NAME_REQUIRED_FROM_FEN = 200_000


@lru_cache(maxsize=4)
def _client(config: WechatPayConfig) -> WeChatPay:
    # No logger: the SDK would log request headers and decrypted notifications.
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=config.mchid,
        private_key=config.private_key_pem,
        cert_serial_no=config.cert_serial_no,
        appid=config.appid,
        apiv3_key=config.apiv3_key,
        notify_url=config.notify_url,
        timeout=(5, 20),
        public_key=config.platform_public_key_pem,
        public_key_id=config.platform_serial,
    )
    # The SDK has no public setting for its API host; its core keeps it here. Production
    # leaves WECHATPAY_API_BASE_URL at https://api.mch.weixin.qq.com; tests use a stand-in.
    client._core._gate_way = config.api_base_url
    return client


@lru_cache(maxsize=4)
def _config(*values) -> WechatPayConfig:
    return wechatpay_config()


def current_config() -> WechatPayConfig:
    """The configuration, read again only when a setting changes (the key files once)."""
    names = [*settings.WECHATPAY_SETTINGS, "WECHATPAY_API_BASE_URL", "WECHATPAY_TRANSFER_SCENE_ID"]
    return _config(*(getattr(settings, name, "") for name in names))


class WechatPayGateway:
    name = "wechatpay"

    def __init__(self):
        try:
            self.config = current_config()
            self.client = _client(self.config)
        except WechatPayConfigError as exc:  # `manage.py check` names it at deploy; until fixed, retried
            raise GatewayError(f"WeChat Pay is not configured: {exc}", transient=True) from None

    # --- calls -----------------------------------------------------------------------

    def _call(self, what: str, method, *args, **kwargs) -> tuple[int, dict]:
        """One SDK call: (HTTP status, JSON body). Raises GatewayError for what is not an answer."""
        try:
            status, message = method(*args, **kwargs)
        except requests.RequestException as exc:
            raise GatewayError(f"WeChat Pay {what}: {type(exc).__name__}", transient=True) from None
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

    # --- charge ------------------------------------------------------------------------

    def _order(self, payment, channel: str, payer_openid: str = "") -> WechatPayOrder:
        """The payment's order on this channel, opened at WeChat Pay the first time. Opening
        it again with the same number and amount gives the same code_url or prepay_id."""
        existing = WechatPayOrder.objects.filter(payment=payment, channel=channel).first()
        if existing is not None and not existing.closed:
            return existing
        trade_no = numbers.out_trade_no(payment.id, channel)
        status, body = self._call(
            "order",
            self.client.pay,
            description=f"Job {payment.job_id} 共享工厂加工费",
            out_trade_no=trade_no,
            amount={"total": int(payment.amount_fen), "currency": payment.currency},
            payer={"openid": payer_openid} if payer_openid else None,
            pay_type=PAY_TYPES[channel],
        )
        if status != 200 or not (body.get("code_url") or body.get("prepay_id")):
            raise self._refusal("order", status, body)
        fields = {"code_url": str(body.get("code_url", ""))[:200], "prepay_id": str(body.get("prepay_id", ""))[:64]}
        try:
            with transaction.atomic():
                order, _ = WechatPayOrder.objects.update_or_create(
                    payment=payment, channel=channel, defaults={"out_trade_no": trade_no, "closed": False, **fields}
                )
        except IntegrityError:
            order = WechatPayOrder.objects.get(payment=payment, channel=channel)
        return order

    def pay_url(self, payment, request=None) -> str:
        """The Native order's code_url (the SME shows it as a QR code and scans it with
        WeChat). Empty when the payment is being paid in the app instead, or WeChat Pay
        cannot be reached now (the page is asked for again)."""
        orders = {order.channel: order for order in payment.wechatpay_orders.all()}
        if any(channel != "native" and not order.closed for channel, order in orders.items()):
            return ""
        try:
            return self._order(payment, "native").code_url
        except GatewayError as exc:
            logger.warning("payment %s: no WeChat Pay QR code now: %s", payment.id, exc)
            return ""

    def prepay(self, payment, *, channel: str, openid: str = "") -> dict:
        """What the app's WeChat SDK (``app``) or a WeChat web page's JSAPI (``jsapi``)
        needs to pay, signed with the merchant key. Orders on the other channels are closed
        first, so the payment can be paid once only."""
        for order in payment.wechatpay_orders.filter(closed=False).exclude(channel=channel):
            self._close(order)
        order = self._order(payment, channel, payer_openid=openid)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        if channel == "app":
            signature = self.client.sign([self.config.appid, timestamp, nonce, order.prepay_id])
            return {
                "appid": self.config.appid,
                "partnerid": self.config.mchid,
                "prepayid": order.prepay_id,
                "package": "Sign=WXPay",
                "noncestr": nonce,
                "timestamp": timestamp,
                "sign": signature,
            }
        package = f"prepay_id={order.prepay_id}"
        return {
            "appId": self.config.appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": self.client.sign([self.config.appid, timestamp, nonce, package]),
        }

    def _close(self, order: WechatPayOrder) -> None:
        status, body = self._call("close", self.client.close, out_trade_no=order.out_trade_no)
        if status not in (200, 204):
            if body.get("code") == "ORDERPAID":
                raise GatewayError("This payment was already paid at WeChat Pay.")
            raise self._refusal("close", status, body)
        WechatPayOrder.objects.filter(id=order.id).update(closed=True)

    def charge_outcome(self, *, payment) -> tuple[str, str]:
        """Asks WeChat Pay about each order opened for the payment: ("paid", transaction
        id) when one was paid, with the amount checked; ("declined", reason) when payment
        failed; ("unknown", "") while nobody has paid (NOTPAY) or no order was opened."""
        declined = ""
        for order in payment.wechatpay_orders.order_by("id"):
            status, body = self._call("query", self.client.query, out_trade_no=order.out_trade_no)
            if status == 404:
                continue
            if status != 200:
                raise self._refusal("query", status, body)
            state = body.get("trade_state")
            if state == "SUCCESS":
                total = (body.get("amount") or {}).get("total")
                if total != payment.amount_fen:
                    logger.error("payment %s: WeChat Pay order %s paid %r fen", payment.id, order.out_trade_no, total)
                    raise GatewayError(f"order {order.out_trade_no} was paid {total!r} fen, not {payment.amount_fen}")
                return "paid", str(body.get("transaction_id", ""))
            if state == "PAYERROR":
                declined = f"WeChat Pay: {body.get('trade_state_desc') or state}"[:200]
        return ("declined", declined) if declined else ("unknown", "")

    # --- refunds -----------------------------------------------------------------------

    def refund(self, *, payment, amount_fen: int, key: str) -> GatewayResult:
        """A domestic refund whose ``out_refund_no`` is our key: sending it again (a task
        rerun after a crash) names the same refund, which WeChat Pay makes once."""
        refund_no = numbers.out_refund_no(key)
        kwargs = {"transaction_id": payment.provider_ref} if payment.provider_ref else {}
        if not kwargs:
            order = payment.wechatpay_orders.order_by("id").first()
            if order is None:
                raise GatewayError(f"payment {payment.id} has no WeChat Pay order to refund")
            kwargs = {"out_trade_no": order.out_trade_no}
        status, body = self._call(
            "refund",
            self.client.refund,
            out_refund_no=refund_no,
            amount={"refund": int(amount_fen), "total": int(payment.amount_fen), "currency": payment.currency},
            **kwargs,
        )
        replayed = False
        if status != 200:
            # Already asked for under this number (a rerun): what WeChat Pay knows of it.
            found, known = self._call("refund query", self.client.query_refund, out_refund_no=refund_no)
            if found != 200:
                raise self._refusal("refund", status, body)
            body, replayed = known, True
        if (body.get("amount") or {}).get("refund", amount_fen) != amount_fen:
            raise GatewayError(f"refund number {refund_no} was used for another amount")
        if body.get("status") in ("CLOSED", "ABNORMAL"):
            raise GatewayError(f"WeChat Pay refund {body.get('status')}")
        return GatewayResult(reference=str(body.get("refund_id", "")), replayed=replayed)

    # --- payouts -------------------------------------------------------------------------

    def payout(self, *, company_id: int, amount_fen: int, key: str, batch_id: int, attempt: int) -> GatewayResult:
        """A merchant transfer batch of one transfer, to the factory's payee openid, whose
        ``out_batch_no`` is the attempt's key; the result arrives as a notification
        (MCHTRANSFER.BATCH.FINISHED) or is asked for by ``payout_outcome``."""
        account = PayoutAccount.objects.filter(company_id=company_id).first()
        if account is None:
            raise GatewayError(f"factory {company_id} has no payout account (WeChat openid) set in the admin")
        batch_no = numbers.out_batch_no(key)
        detail = {
            "out_detail_no": batch_no + "D1",
            "transfer_amount": int(amount_fen),
            "transfer_remark": f"结算 settlement {batch_id}"[:32],
            "openid": account.wechat_openid,
        }
        if amount_fen >= NAME_REQUIRED_FROM_FEN:
            if not account.real_name:
                raise GatewayError(f"factory {company_id}: WeChat Pay needs the payee's real name from ¥2,000")
            detail["user_name"] = account.real_name  # the SDK encrypts it with the platform key
        status, body = self._call(
            "transfer",
            self.client.transfer_batch,
            out_batch_no=batch_no,
            batch_name=f"结算批次 {batch_id}",
            batch_remark=f"Settlement batch {batch_id}"[:32],
            total_amount=int(amount_fen),
            total_num=1,
            transfer_detail_list=[detail],
            transfer_scene_id=self.config.transfer_scene_id or None,
        )
        if status == 200:
            return GatewayResult(reference=str(body.get("batch_id", "")))
        found, known = self._query_batch(batch_no)
        if found == 200:
            batch = known.get("transfer_batch") or {}
            if batch.get("total_amount", amount_fen) != amount_fen:
                raise GatewayError(f"payout number {batch_no} was used for another amount")
            return GatewayResult(reference=str(batch.get("batch_id", "")), replayed=True)
        raise self._refusal("transfer", status, body)

    def _query_batch(self, batch_no: str) -> tuple[int, dict]:
        return self._call("transfer query", self.client.transfer_query_out_batch_no, out_batch_no=batch_no)

    def payout_outcome(self, *, key: str) -> tuple[str, str]:
        """("paid", WeChat batch id), ("pending", ""), ("failed", reason) or ("unknown", "")."""
        status, body = self._query_batch(numbers.out_batch_no(key))
        if status == 404:
            return "unknown", ""
        if status != 200:
            raise self._refusal("transfer query", status, body)
        batch = body.get("transfer_batch") or {}
        state = batch.get("batch_status")
        if state == "FINISHED" and batch.get("success_num") == batch.get("total_num") and not batch.get("fail_num"):
            return "paid", str(batch.get("batch_id", ""))
        if state in ("FINISHED", "CLOSED"):
            return "failed", str(batch.get("close_reason") or "the transfer failed")
        return "pending", ""

    # --- notifications and bills ---------------------------------------------------------

    def webhook_verify(self, raw_body: bytes, headers, *, now: float | None = None) -> dict:
        """A verified notification as a platform event ({id, type, created, data})."""
        return notify.event_from(notify.notification_open(raw_body, headers, self.config, now=now), self.config)

    def trade_bill(self, bill_date) -> str:
        """The day's trade bill (交易账单, all trades) as text, its hash checked."""
        status, body = self._call("bill", self.client.trade_bill, bill_date=bill_date.isoformat(), tar_type="GZIP")
        if status != 200 or not body.get("download_url"):
            if body.get("code") == "NO_STATEMENT_EXIST":
                return ""
            raise self._refusal("bill", status, body)
        try:
            code, content = self.client.download_bill(body["download_url"])
        except requests.RequestException as exc:
            raise GatewayError(f"WeChat Pay bill download: {type(exc).__name__}", transient=True) from None
        if code != 200 or not isinstance(content, bytes):
            raise GatewayError(f"WeChat Pay bill download: {code}", transient=True)
        if body.get("hash_type", "SHA1") == "SHA1" and hashlib.sha1(content).hexdigest() != body.get("hash_value"):  # noqa: S324 - WeChat Pay's own check
            raise GatewayError("WeChat Pay bill download: the file's SHA1 does not match", transient=True)
        try:
            return gzip.decompress(content).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise GatewayError("WeChat Pay bill download: not a gzipped UTF-8 file") from None
