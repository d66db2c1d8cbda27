"""The sandbox gateway: a gateway that runs on our own machine and behaves like a real one.

Its pay page (``POST /sandbox/pay/{id}/{token}``, ``payments.gateways.sandbox.checkout``)
records a charge in the gateway's own book (``SandboxOperation``) and then calls our webhook
over HTTP from a Celery task (``payments.gateways.sandbox.delivery``), with a body signed by
HMAC-SHA256 (``X-Signature: sha256=<hex>``) carrying its own timestamp. It can decline,
deliver a webhook twice or late, and be told to refuse refunds and transfers
(``SANDBOX_FAIL``). Refunds and transfers are idempotent on its side by the key we send, as
real gateways' idempotency keys are; a transfer is paid at once (no payee confirmation)
and its news arrives by webhook.
"""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction

from payments.gateways.interface import (
    Channel,
    ChargeState,
    ChargeStatus,
    Checkout,
    GatewayError,
    Message,
    NotOffered,
    PaymentFailed,
    PaymentInfo,
    PaymentSucceeded,
    RefundRequest,
    RefundResult,
    TransferChanged,
    TransferRequest,
    TransferState,
    TransferStatus,
    Unhandled,
    WebhookSignatureError,
)
from payments.gateways.sandbox.delivery import sandbox_send
from payments.gateways.sandbox.signing import SIGNATURE_HEADER, pay_token, webhook_verify
from payments.models import SandboxOperation


def message_of(event: dict) -> Message:
    """The sandbox's wire events as the platform's messages."""
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    event_id, kind = event["id"][:100], event["type"]
    try:
        if kind == "payment.succeeded":
            return PaymentSucceeded(
                id=event_id, payment_id=int(data["payment_id"]), reference=str(data.get("charge_id", ""))
            )
        if kind == "payment.failed":
            return PaymentFailed(
                id=event_id, payment_id=int(data["payment_id"]), reason=str(data.get("reason", "declined"))
            )
        if kind in ("payout.paid", "payout.failed"):
            state = TransferState.PAID if kind == "payout.paid" else TransferState.RETURNED
            return TransferChanged(
                id=event_id,
                key=str(data["key"]),
                state=state,
                reference=str(data.get("ref", "")),
                reason=str(data.get("reason", "")),
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookSignatureError(f"The webhook's data is not usable: {exc}.", code="invalid_webhook") from None
    return Unhandled(id=event_id, kind=kind[:50])


class SandboxGateway:
    name = "sandbox"
    real_money = False

    # --- charges ----------------------------------------------------------------------------

    def checkout(self, payment: PaymentInfo, *, channel=None, payer: str = "", request=None) -> Checkout:
        """The pay page for one payment: its link carries an unguessable token bound to the
        payment, so only whoever holds the link can pay or decline it."""
        if channel not in (None, Channel.LINK):
            raise NotOffered(f"the sandbox has no {channel} channel")
        path = f"/sandbox/pay/{payment.id}/{pay_token(payment.id)}"
        url = (
            request.build_absolute_uri(path)
            if request is not None
            else settings.PAYMENT_WEBHOOK_BASE_URL.rstrip("/") + path
        )
        return Checkout(channel=Channel.LINK, url=url)

    def charge_status(self, payment: PaymentInfo) -> ChargeStatus:
        book = {
            operation.kind: operation
            for operation in SandboxOperation.objects.filter(key__in=[f"charge:{payment.id}", f"decline:{payment.id}"])
        }
        if "charge" in book:
            return ChargeStatus(ChargeState.PAID, reference=book["charge"].reference)
        if "decline" in book:
            return ChargeStatus(ChargeState.DECLINED, reason="declined by the sandbox")
        return ChargeStatus(ChargeState.UNKNOWN)

    def charge(self, *, payment_id: int, amount_fen: int) -> tuple[str, bool]:
        """The payer pays at the pay page: (reference, replayed)."""
        return self._operation(key=f"charge:{payment_id}", kind="charge", amount_fen=amount_fen)

    def decline(self, *, payment_id: int, amount_fen: int) -> tuple[str, bool]:
        """The payer declined at the pay page (recorded once, like a charge)."""
        return self._operation(key=f"decline:{payment_id}", kind="decline", amount_fen=amount_fen)

    # --- refunds and transfers ----------------------------------------------------------------

    def refund(self, request: RefundRequest) -> RefundResult:
        reference, replayed = self._operation(key=request.key, kind="refund", amount_fen=request.amount_fen)
        return RefundResult(reference=reference, replayed=replayed)

    def transfer(self, request: TransferRequest) -> TransferStatus:
        """Pay a factory: recorded in the gateway's book at once (``transfer_status`` says
        paid), and answered as accepted, the same when asked again with the same key; the
        outcome arrives as a signed ``payout.paid`` webhook, as a real gateway's would."""
        reference, replayed = self._operation(key=request.key, kind="payout", amount_fen=request.amount_fen)
        if not replayed:
            data = {"key": request.key, "ref": reference}
            transaction.on_commit(lambda: sandbox_send("payout.paid", data))
        return TransferStatus(TransferState.PROCESSING, reference=reference)

    def transfer_status(self, key: str) -> TransferStatus:
        operation = SandboxOperation.objects.filter(key=key, kind="payout").first()
        if operation is None:
            return TransferStatus(TransferState.UNKNOWN)
        return TransferStatus(TransferState.PAID, reference=operation.reference)

    def transfer_cancel(self, key: str) -> TransferStatus:
        raise NotOffered("the sandbox pays transfers at once; there is nothing to cancel")

    # --- callbacks and bills ------------------------------------------------------------------

    def verify_webhook(self, raw_body: bytes, headers, *, now: float | None = None) -> Message:
        return message_of(webhook_verify(raw_body, headers.get(SIGNATURE_HEADER), now=now))

    def daily_bill(self, day):
        raise NotOffered("the sandbox gateway has no daily bill")

    def keys_refresh(self) -> list[str]:
        return []  # one shared secret (PAYMENT_WEBHOOK_SECRET), nothing to fetch

    # --- the gateway's own book ---------------------------------------------------------------

    def _operation(self, *, key: str, kind: str, amount_fen: int) -> tuple[str, bool]:
        # A key seen before is answered from the gateway's book first, as real gateways do:
        # whatever the gateway's mood now, what it already did stays done.
        existing = SandboxOperation.objects.filter(key=key).first()
        if existing is not None:
            return self._replayed(existing, kind=kind, amount_fen=amount_fen)
        if kind in getattr(settings, "SANDBOX_FAIL", set()):
            raise GatewayError(f"sandbox gateway told to fail {kind}s")
        try:
            with transaction.atomic():
                operation = SandboxOperation.objects.create(
                    key=key, kind=kind, amount_fen=amount_fen, reference=f"{kind}_{uuid.uuid4().hex[:16]}"
                )
                return operation.reference, False
        except IntegrityError:
            return self._replayed(SandboxOperation.objects.get(key=key), kind=kind, amount_fen=amount_fen)

    @staticmethod
    def _replayed(operation, *, kind, amount_fen) -> tuple[str, bool]:
        if operation.amount_fen != amount_fen or operation.kind != kind:
            raise GatewayError(f"idempotency key {operation.key} reused with another request")
        return operation.reference, True
