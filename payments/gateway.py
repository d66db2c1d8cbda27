"""Payment gateway adapters. The platform talks to a gateway only through this interface;
a real provider is another adapter with the same methods: WeChat Pay's is
``payments.wechatpay.gateway.WechatPayGateway`` (``PAYMENT_PROVIDER=wechatpay``).

The sandbox adapter behaves like a real gateway: its pay page (``POST /sandbox/pay/{id}``)
records a charge and then calls our webhook over HTTP from a Celery task, with a body
signed by HMAC-SHA256 (``X-Signature: sha256=<hex>``) carrying its own timestamp. It can
decline, deliver a webhook twice, or deliver it late. Refunds and payouts are idempotent
on the gateway's side by the key we send, as real gateways' idempotency keys are.
"""

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from core.api.base import json_problem
from core.errors import ApplicationError
from core.queue import send
from payments.models import SandboxOperation

WEBHOOK_MAX_AGE_SECONDS = 300
SIGNATURE_HEADER = "X-Signature"


class WebhookSignatureError(ApplicationError):
    code = "invalid_signature"


class GatewayError(Exception):
    """A gateway call failed; ``transient`` failures are retried, the rest are final."""

    def __init__(self, message, *, transient=False):
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class GatewayResult:
    reference: str
    replayed: bool = False


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


class SandboxGateway:
    name = "sandbox"

    def pay_url(self, payment, request=None) -> str:
        """The checkout link for one payment: it carries an unguessable token bound to the
        payment, so only whoever holds the link can pay or decline it."""
        path = f"/sandbox/pay/{payment.id}/{pay_token(payment.id)}"
        if request is not None:
            return request.build_absolute_uri(path)
        return settings.PAYMENT_WEBHOOK_BASE_URL.rstrip("/") + path

    def webhook_verify(self, raw_body: bytes, headers, *, now: float | None = None) -> dict:
        """The event of a webhook whose ``X-Signature`` checks out (``webhook_verify``)."""
        return webhook_verify(raw_body, headers.get(SIGNATURE_HEADER), now=now)

    def event(self, event_type: str, data: dict, *, event_id: str | None = None) -> tuple[bytes, str]:
        """A signed webhook body, as the gateway would send it."""
        body = json.dumps(
            {
                "id": event_id or f"evt_{uuid.uuid4().hex}",
                "type": event_type,
                "created": int(time.time()),
                "data": data,
            },
            separators=(",", ":"),
        ).encode()
        return body, sign(body)

    def _operation(self, *, key: str, kind: str, amount_fen: int) -> GatewayResult:
        # A key seen before is answered from the gateway's book first, as real gateways do:
        # whatever the gateway's mood now, what it already did stays done.
        existing = SandboxOperation.objects.filter(key=key).first()
        if existing is not None:
            return self._replayed(existing, kind=kind, amount_fen=amount_fen)
        if SandboxGatewaySwitch.fail(kind):
            raise GatewayError(f"sandbox gateway told to fail {kind}s")
        try:
            with transaction.atomic():
                operation = SandboxOperation.objects.create(
                    key=key, kind=kind, amount_fen=amount_fen, reference=f"{kind}_{uuid.uuid4().hex[:16]}"
                )
                return GatewayResult(reference=operation.reference)
        except IntegrityError:
            return self._replayed(SandboxOperation.objects.get(key=key), kind=kind, amount_fen=amount_fen)

    @staticmethod
    def _replayed(operation, *, kind, amount_fen) -> GatewayResult:
        if operation.amount_fen != amount_fen or operation.kind != kind:
            raise GatewayError(f"idempotency key {operation.key} reused with another request")
        return GatewayResult(reference=operation.reference, replayed=True)

    def payout_outcome(self, *, key: str) -> tuple[str, str]:
        """What the gateway's book says of a payout key: ("paid", reference) or ("unknown", "").

        A real adapter may also answer "pending" or "failed"; the sandbox executes a payout
        at once or refuses it without recording anything.
        """
        operation = SandboxOperation.objects.filter(key=key, kind="payout").first()
        return ("paid", operation.reference) if operation else ("unknown", "")

    def charge_outcome(self, *, payment) -> tuple[str, str]:
        """What the gateway's book says of a payment: ("paid", charge reference),
        ("declined", reason) or ("unknown", ""). The gateway is the source of truth for "was
        it paid"; the reconciliation sweep asks this when a webhook may have been lost."""
        book = {
            operation.kind: operation
            for operation in SandboxOperation.objects.filter(key__in=[f"charge:{payment.id}", f"decline:{payment.id}"])
        }
        if "charge" in book:
            return "paid", book["charge"].reference
        if "decline" in book:
            return "declined", "declined by the sandbox"
        return "unknown", ""

    def refund(self, *, payment, amount_fen: int, key: str) -> GatewayResult:
        return self._operation(key=key, kind="refund", amount_fen=amount_fen)

    def payout(self, *, company_id: int, amount_fen: int, key: str, batch_id: int, attempt: int) -> GatewayResult:
        """Pay a factory; the outcome arrives later as a signed ``payout.paid`` webhook."""
        result = self._operation(key=key, kind="payout", amount_fen=amount_fen)
        data = {"batch_id": batch_id, "attempt": attempt, "ref": result.reference}
        transaction.on_commit(lambda: sandbox_send("payout.paid", data))
        return result

    def decline(self, *, payment, key: str) -> GatewayResult:
        """The payer declined at the pay page (recorded once, like a charge)."""
        return self._operation(key=key, kind="decline", amount_fen=payment.amount_fen)

    def charge(self, *, payment, key: str) -> GatewayResult:
        return self._operation(key=key, kind="charge", amount_fen=payment.amount_fen)


class SandboxGatewaySwitch:
    """Tell the sandbox to refuse refunds or payouts (``SANDBOX_FAIL`` setting, a set of kinds)."""

    @staticmethod
    def fail(kind: str) -> bool:
        return kind in getattr(settings, "SANDBOX_FAIL", set())


ADAPTERS = {"sandbox": SandboxGateway}


def _wechatpay():
    from payments.wechatpay.gateway import WechatPayGateway  # it builds on this module

    return WechatPayGateway()


def gateway():
    if settings.PAYMENT_PROVIDER == "wechatpay":
        return _wechatpay()
    try:
        return ADAPTERS[settings.PAYMENT_PROVIDER]()
    except KeyError:
        raise GatewayError(f"unknown PAYMENT_PROVIDER {settings.PAYMENT_PROVIDER!r}") from None


def sandbox_send(event_type: str, data: dict, *, copies: int = 1, delay_seconds: int = 0) -> str:
    """Queue a sandbox webhook (possibly twice, possibly late); returns the event id. Each
    delivery attempt is built and signed when it is sent, as real gateways do, so a delayed
    or retried delivery is fresh; the event id stays the same, so it is stored once."""
    from payments.tasks import sandbox_webhook_deliver_task  # the task module imports this one

    event_id = f"evt_{uuid.uuid4().hex}"
    for _ in range(copies):
        send(sandbox_webhook_deliver_task, event_type, data, event_id, countdown=delay_seconds)
    return event_id
