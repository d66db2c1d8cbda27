"""The sandbox gateway's pay page, standing in for a real gateway's checkout
(``SandboxGateway.checkout``): only whoever holds the payment's link can pay or
decline it, only while it still requires payment, and the gateway's own book makes a
second press of the button send nothing twice."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ConflictError, InvalidInputError, NotFoundError
from payments.gateways import active
from payments.gateways.sandbox.delivery import sandbox_send
from payments.gateways.sandbox.gateway import SandboxGateway
from payments.gateways.sandbox.signing import pay_token_valid
from payments.models import Payment

# Test knobs of the pay page (?duplicate=1, ?delay=N): only with DEBUG or SANDBOX_TEST_KNOBS.
MAX_COPIES = 2
MAX_DELAY_SECONDS = 600


def sandbox_payment_for_link(*, payment_id: int, token: str) -> Payment:
    """The payment a pay link names; 404 for a wrong token (as for no such payment)."""
    active(SandboxGateway)
    payment = Payment.objects.filter(id=payment_id).first()
    if payment is None or not pay_token_valid(payment_id, token):
        raise NotFoundError(_("No such payment."))
    return payment


def _test_knobs(copies: int, delay_seconds: int) -> tuple[int, int]:
    if (copies, delay_seconds) == (1, 0):
        return 1, 0
    if not (settings.DEBUG or settings.SANDBOX_TEST_KNOBS):
        raise InvalidInputError(
            _("duplicate and delay are sandbox test knobs, off in production."),
            code="sandbox_knobs_off",
            fields={"duplicate": [_("Off.")], "delay": [_("Off.")]},
        )
    return min(copies, MAX_COPIES), min(delay_seconds, MAX_DELAY_SECONDS)


@transaction.atomic
def sandbox_pay(*, payment_id: int, token: str, fail: bool = False, copies: int = 1, delay_seconds: int = 0) -> dict:
    """Charge (or decline) at the gateway, then send the signed webhook from a task after
    commit. The platform's own Payment changes only when that webhook arrives, exactly as
    with a real gateway."""
    payment = sandbox_payment_for_link(payment_id=payment_id, token=token)
    copies, delay_seconds = _test_knobs(copies, delay_seconds)
    payment = Payment.objects.select_for_update().get(id=payment.id)
    if payment.status != Payment.Status.REQUIRES_PAYMENT:
        raise ConflictError(
            _("This payment is %(status)s.") % {"status": payment.get_status_display().lower()},
            code="payment_not_payable",
        )
    gateway = SandboxGateway()
    if fail:
        _reference, replayed = gateway.decline(payment_id=payment.id, amount_fen=payment.amount_fen)
        data, event_type = {"payment_id": payment.id, "reason": "declined by the sandbox"}, "payment.failed"
    else:
        reference, replayed = gateway.charge(payment_id=payment.id, amount_fen=payment.amount_fen)
        data, event_type = {"payment_id": payment.id, "charge_id": reference}, "payment.succeeded"
    if replayed:
        # The gateway already did this and its webhook is on its way: nothing is sent twice.
        raise ConflictError(
            _("This payment was already answered at the gateway; its confirmation is on its way."),
            code="payment_already_answered",
        )
    transaction.on_commit(lambda: sandbox_send(event_type, data, copies=copies, delay_seconds=delay_seconds))
    return {
        "payment_id": payment.id,
        "result": "declined" if fail else "paid",
        "webhook": event_type,
        "copies": copies,
        "delay_seconds": delay_seconds,
    }
