"""WeChat Pay's notifications (回调通知), checked and opened as its protocol says, then
translated into the platform's messages (``payments.gateways.interface``), which
``payments.services.webhooks`` stores once and applies after commit.

A notification is accepted only when ``Wechatpay-Serial`` names a key we trust (the WeChat
Pay public key, or a platform certificate still valid: ``keys``), the
``Wechatpay-Timestamp`` is within five minutes, ``Wechatpay-Signature`` is that key's
RSA-SHA256 signature of ``timestamp\\nnonce\\nbody\\n`` over the raw body, and the
AEAD_AES_256_GCM resource opens under our APIv3 key
(签名验证: https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml). WeChat Pay signs
each retry afresh, so a late retry is never stale; a replay of one we took has the same
``id`` and is stored once.
"""

import json
import time

from wechatpayv3.utils import aes_decrypt, rsa_verify

from payments.gateways.interface import (
    Message,
    PaymentSucceeded,
    RefundFailed,
    RefundSucceeded,
    TransferChanged,
    TransferState,
    Unhandled,
    WebhookSignatureError,
)
from payments.gateways.wechatpay import keys, numbers

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
HEADERS = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial")
MAX_AGE_SECONDS = 300
# 商家转账 (transfer-bills) final states: SUCCESS pays; FAIL (refused, or closed after 24 hours
# unconfirmed) and CANCELLED (we took it back) pay nothing
# (商家转账回调通知:
# https://pay.weixin.qq.com/docs/merchant/apis/batch-transfer-to-balance/callback-notice.html).
TRANSFER_STATES = {"SUCCESS": TransferState.PAID, "FAIL": TransferState.RETURNED, "CANCELLED": TransferState.RETURNED}


def _json(text, what: str):
    try:
        value = json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError):
        raise WebhookSignatureError(f"The {what} is not JSON.", code="invalid_webhook") from None
    if not isinstance(value, dict):
        raise WebhookSignatureError(f"The {what} is not a JSON object.", code="invalid_webhook")
    return value


def _key_for(config, serial: str):
    key = keys.verification_key(config, serial)
    if key is None and keys.certificates_refresh_if_due(config):
        key = keys.verification_key(config, serial)  # a certificate WeChat Pay issued since
    if key is None:
        raise WebhookSignatureError("Wechatpay-Serial names no key we trust.", code="unknown_serial")
    return key


def notification_open(raw_body: bytes, headers, config, *, now: float | None = None) -> dict:
    """Verify a notification and return it with its ``resource`` decrypted (a dict)."""
    signature, timestamp, nonce, serial = (str(headers.get(name) or "") for name in HEADERS)
    if not (signature and timestamp and nonce and serial):
        raise WebhookSignatureError("The Wechatpay-Signature, -Timestamp, -Nonce and -Serial headers are required.")
    if headers.get("Wechatpay-Signature-Type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
        raise WebhookSignatureError("Unsupported Wechatpay-Signature-Type.")
    now = time.time() if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise WebhookSignatureError("The notification is too old (or from the future).", code="stale_webhook")
    try:
        body = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookSignatureError("The notification body is not UTF-8.", code="invalid_webhook") from None
    if not rsa_verify(timestamp, nonce, body, signature, _key_for(config, serial)):
        raise WebhookSignatureError("The Wechatpay-Signature does not match.")
    notification = _json(body, "notification")
    resource = notification.get("resource")
    if not isinstance(notification.get("id"), str) or not isinstance(notification.get("event_type"), str):
        raise WebhookSignatureError("The notification has no id or event_type.", code="invalid_webhook")
    if not isinstance(resource, dict) or resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise WebhookSignatureError("The notification's resource is not AEAD_AES_256_GCM.", code="invalid_webhook")
    parts = [resource.get(name) for name in ("nonce", "ciphertext")] + [resource.get("associated_data") or ""]
    if not all(isinstance(part, str) for part in parts) or not parts[0] or not parts[1]:
        raise WebhookSignatureError("The notification's resource is incomplete.", code="invalid_webhook")
    try:
        plain = aes_decrypt(nonce=parts[0], ciphertext=parts[1], associated_data=parts[2], apiv3_key=config.apiv3_key)
    except (ValueError, TypeError):  # bad base64, a nonce of the wrong length
        plain = None
    if plain is None:
        raise WebhookSignatureError("The notification's resource does not open with our APIv3 key.")
    return {**notification, "resource": _json(plain, "notification's resource")}


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer amount: {value!r}")
    return value


def _ours(resource: dict, config) -> None:
    merchant = resource.get("mchid", resource.get("mch_id", config.mchid))
    if merchant != config.mchid:
        raise ValueError("the notification is for another merchant")


def message_of(notification: dict, config) -> Message:
    """The message a verified notification stands for. One we do not act on is
    ``Unhandled`` (stored and ignored); one whose content is unusable is refused (WeChat Pay
    shows it to the merchant and retries)."""
    kind = notification["event_type"]
    resource = notification["resource"]
    notification_id = notification["id"][:100]
    try:
        _ours(resource, config)
        if kind == "TRANSACTION.SUCCESS" and resource.get("trade_state") == "SUCCESS":
            trade_no = resource.get("out_trade_no")
            if resource.get("appid") != config.appid_for(numbers.channel_of(trade_no)):
                raise ValueError("the notification is for another AppID than the order's channel")
            amount = resource.get("amount") or {}
            return PaymentSucceeded(
                id=notification_id,
                payment_id=numbers.payment_id_of(trade_no),
                reference=str(resource.get("transaction_id", ""))[:64],
                amount_fen=_int(amount.get("total")),
                currency=str(amount.get("currency", "")),
            )
        if kind.startswith("REFUND."):
            key = numbers.refund_key_of(resource.get("out_refund_no"))
            reference = str(resource.get("refund_id", ""))[:64]
            status = resource.get("refund_status")
            if kind == "REFUND.SUCCESS" and status == "SUCCESS":
                return RefundSucceeded(id=notification_id, key=key, reference=reference)
            if kind in ("REFUND.ABNORMAL", "REFUND.CLOSED"):
                return RefundFailed(id=notification_id, key=key, reason=f"WeChat Pay refund {status or kind}")
        if kind == "MCHTRANSFER.BILL.FINISHED" and resource.get("state") in TRANSFER_STATES:
            state = resource["state"]
            return TransferChanged(
                id=notification_id,
                key=numbers.transfer_key_of(resource.get("out_bill_no")),
                state=TRANSFER_STATES[state],
                reference=str(resource.get("transfer_bill_no", ""))[:64],
                reason="" if state == "SUCCESS" else f"WeChat Pay: {state} {resource.get('fail_reason', '')}".strip(),
            )
        if kind in ("MCHTRANSFER.BATCH.FINISHED", "MCHTRANSFER.BATCH.CLOSED"):  # the legacy batch API
            total, succeeded = resource.get("total_num"), resource.get("success_num")
            paid = resource.get("batch_status") == "FINISHED" and succeeded == total and not resource.get("fail_num")
            closed = resource.get("batch_status") in ("FINISHED", "CLOSED")
            if paid or closed:
                reason = resource.get("close_reason") or f"{resource.get('fail_num', 0)} transfer(s) failed"
                return TransferChanged(
                    id=notification_id,
                    key=numbers.transfer_key_of(resource.get("out_batch_no")),
                    state=TransferState.PAID if paid else TransferState.RETURNED,
                    reference=str(resource.get("batch_id", ""))[:64],
                    reason="" if paid else f"WeChat Pay: {reason}"[:200],
                )
    except (ValueError, TypeError, AttributeError) as exc:
        raise WebhookSignatureError(f"The notification is not usable: {exc}.", code="invalid_webhook") from None
    return Unhandled(id=notification_id, kind=kind[:50], summary=str(notification.get("summary", ""))[:100])
