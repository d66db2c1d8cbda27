"""The sandbox gateway's pay page, standing in for a real gateway's (``payments.gateway``)."""

from django.conf import settings
from django.db import transaction

from core.errors import ConflictError, NotFoundError
from payments.gateway import SandboxGateway, sandbox_send
from payments.models import Payment


@transaction.atomic
def sandbox_pay(*, payment_id: int, fail: bool = False, copies: int = 1, delay_seconds: int = 0) -> dict:
    """Stand in for the gateway's pay page: charge (or decline), then send the signed
    webhook from a task after commit. The platform's own Payment changes only when that
    webhook arrives, exactly as with a real gateway."""
    if settings.PAYMENT_PROVIDER != "sandbox":
        raise NotFoundError("The sandbox gateway is not enabled.")
    payment = Payment.objects.filter(id=payment_id).first()
    if payment is None:
        raise NotFoundError("No such payment.")
    if payment.status not in (Payment.Status.REQUIRES_PAYMENT, Payment.Status.FAILED):
        raise ConflictError(f"This payment is {payment.status}.", code="payment_not_payable")
    if fail:
        data, event_type = {"payment_id": payment.id, "reason": "declined by the sandbox"}, "payment.failed"
    else:
        charge = SandboxGateway().charge(payment=payment, key=f"charge:{payment.id}")
        data, event_type = {"payment_id": payment.id, "charge_id": charge.reference}, "payment.succeeded"
    transaction.on_commit(lambda: sandbox_send(event_type, data, copies=copies, delay_seconds=delay_seconds))
    return {
        "payment_id": payment.id,
        "result": "declined" if fail else "paid",
        "webhook": event_type,
        "copies": copies,
        "delay_seconds": delay_seconds,
    }
