"""The sandbox gateway's signatures: the pay link's token, and the HMAC-SHA256 over the raw
body of each webhook it sends (``X-Signature: sha256=<hex>``), with the event's own
timestamp checked on arrival (five minutes either way)."""

import hashlib
import hmac
import json
import time
import uuid

from django.conf import settings
from django.utils.crypto import salted_hmac

from core.api.base import json_problem
from payments.gateways.interface import WebhookSignatureError

WEBHOOK_MAX_AGE_SECONDS = 300
SIGNATURE_HEADER = "X-Signature"


def pay_token(payment_id: int) -> str:
    """The pay link's token: an HMAC of the payment id under the site's secret (nothing to store)."""
    return salted_hmac("sandbox-pay-link", str(payment_id), algorithm="sha256").hexdigest()[:32]


def pay_token_valid(payment_id: int, token: str) -> bool:
    return hmac.compare_digest(pay_token(payment_id), token or "")


def sign(body: bytes, secret: str | None = None) -> str:
    secret = secret if secret is not None else settings.PAYMENT_WEBHOOK_SECRET
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def webhook_verify(raw_body: bytes, signature: str | None, *, now: float | None = None) -> dict:
    """Check the signature over the raw body and the event's age; returns the event."""
    if not signature or not hmac.compare_digest(sign(raw_body), signature.strip()):
        raise WebhookSignatureError("The webhook signature does not match.")
    try:
        event = json.loads(raw_body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise WebhookSignatureError("The webhook body is not JSON.", code="invalid_webhook") from None
    problem = json_problem(event)
    if problem:
        raise WebhookSignatureError(f"The webhook body is not usable JSON: {problem}.", code="invalid_webhook")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise WebhookSignatureError("The webhook has no id or type.", code="invalid_webhook")
    created = event.get("created")
    now = time.time() if now is None else now
    if not isinstance(created, int | float) or abs(now - created) > WEBHOOK_MAX_AGE_SECONDS:
        raise WebhookSignatureError("The webhook is too old (or from the future).", code="stale_webhook")
    return event


def event_body(event_type: str, data: dict, *, event_id: str | None = None) -> tuple[bytes, str]:
    """A signed webhook body, as the sandbox sends it (signed when it is sent)."""
    body = json.dumps(
        {"id": event_id or f"evt_{uuid.uuid4().hex}", "type": event_type, "created": int(time.time()), "data": data},
        separators=(",", ":"),
    ).encode()
    return body, sign(body)
