"""WeChat Pay's notifications (回调通知), checked and opened as its protocol says, then
translated into the platform's own webhook events (the types the sandbox sends, plus refund
results), which ``payments.services.webhooks`` stores once and applies after commit.

A notification is accepted only when the ``Wechatpay-Serial`` names our platform key, the
``Wechatpay-Timestamp`` is within five minutes, ``Wechatpay-Signature`` is the platform's
RSA-SHA256 signature of ``timestamp\\nnonce\\nbody\\n`` over the raw body, and the
AEAD_AES_256_GCM resource opens under our APIv3 key. WeChat Pay signs each retry afresh, so
a late retry is never stale; a replay of one we took has the same ``id`` and is stored once.
"""

import json
import time

from wechatpayv3.utils import aes_decrypt, rsa_verify

from payments.gateway import WEBHOOK_MAX_AGE_SECONDS, WebhookSignatureError
from payments.wechatpay import numbers

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
HEADERS = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial")


def _json(text, what: str):
    try:
        value = json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError):
        raise WebhookSignatureError(f"The {what} is not JSON.", code="invalid_webhook") from None
    if not isinstance(value, dict):
        raise WebhookSignatureError(f"The {what} is not a JSON object.", code="invalid_webhook")
    return value


def notification_open(raw_body: bytes, headers, config, *, now: float | None = None) -> dict:
    """Verify a notification and return it with its ``resource`` decrypted (a dict)."""
    signature, timestamp, nonce, serial = (str(headers.get(name) or "") for name in HEADERS)
    if not (signature and timestamp and nonce and serial):
        raise WebhookSignatureError("The Wechatpay-Signature, -Timestamp, -Nonce and -Serial headers are required.")
    if headers.get("Wechatpay-Signature-Type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
        raise WebhookSignatureError("Unsupported Wechatpay-Signature-Type.")
    if serial != config.platform_serial:
        raise WebhookSignatureError("Wechatpay-Serial does not name our platform key.", code="unknown_serial")
    now = time.time() if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > WEBHOOK_MAX_AGE_SECONDS:
        raise WebhookSignatureError("The notification is too old (or from the future).", code="stale_webhook")
    try:
        body = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookSignatureError("The notification body is not UTF-8.", code="invalid_webhook") from None
    if not rsa_verify(timestamp, nonce, body, signature, config.platform_public_key):
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


def event_from(notification: dict, config) -> dict:
    """The platform event ({id, type, created, data}) a verified notification stands for.
    A notification we do not act on becomes ``wechatpay.<event_type>``, stored and ignored;
    one whose content is unusable is refused (WeChat Pay shows it to the merchant)."""
    kind = notification["event_type"]
    resource = notification["resource"]
    event = {
        "id": notification["id"],
        "type": "wechatpay." + kind.lower()[:38],
        "created": notification.get("create_time", ""),
        "data": {},
        "wechatpay": {"event_type": kind, "summary": str(notification.get("summary", ""))[:100]},
    }
    try:
        if resource.get("mchid", config.mchid) != config.mchid:
            raise ValueError("the notification is for another merchant")
        if kind == "TRANSACTION.SUCCESS" and resource.get("trade_state") == "SUCCESS":
            if resource.get("appid", config.appid) != config.appid:
                raise ValueError("the notification is for another app id")
            amount = resource.get("amount") or {}
            event["type"] = "payment.succeeded"
            event["data"] = {
                "payment_id": numbers.payment_id_of(resource.get("out_trade_no")),
                "charge_id": str(resource.get("transaction_id", ""))[:64],
                "amount_fen": _int(amount.get("total")),
                "currency": str(amount.get("currency", "CNY")),
            }
        elif kind.startswith("REFUND."):
            status = resource.get("refund_status")
            key = numbers.refund_key_of(resource.get("out_refund_no"))
            ref = str(resource.get("refund_id", ""))[:64]
            if kind == "REFUND.SUCCESS" and status == "SUCCESS":
                amount = _int((resource.get("amount") or {}).get("refund"))
                event["type"], event["data"] = "refund.succeeded", {"refund_key": key, "ref": ref, "amount_fen": amount}
            elif kind in ("REFUND.ABNORMAL", "REFUND.CLOSED"):
                reason = f"WeChat Pay refund {status or kind}"
                event["type"], event["data"] = "refund.failed", {"refund_key": key, "ref": ref, "reason": reason}
        elif kind.startswith("MCHTRANSFER.BATCH."):
            batch_id, attempt = numbers.batch_of(resource.get("out_batch_no"))
            status = resource.get("batch_status")
            data = {"batch_id": batch_id, "attempt": attempt, "ref": str(resource.get("batch_id", ""))[:64]}
            total, succeeded = resource.get("total_num"), resource.get("success_num")
            if status == "FINISHED" and succeeded == total and not resource.get("fail_num"):
                event["type"], event["data"] = "payout.paid", data
            elif status in ("FINISHED", "CLOSED"):
                reason = resource.get("close_reason") or f"{resource.get('fail_num', 0)} transfer(s) failed"
                event["type"], event["data"] = "payout.failed", {**data, "reason": f"WeChat Pay: {reason}"[:200]}
    except (ValueError, TypeError, AttributeError) as exc:
        raise WebhookSignatureError(f"The notification is not usable: {exc}.", code="invalid_webhook") from None
    return event
