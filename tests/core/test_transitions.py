"""core.transitions.Machine: guard by the table, retry is a no-op, update_fields, one audit row."""

import pytest

from core.errors import ConflictError, NotFoundError
from core.transitions import lock
from payments.models import Payment, PaymentHistory
from payments.transitions import PAYMENT
from tests import fixtures

pytestmark = pytest.mark.django_db


def _unpaid_payment() -> Payment:
    return fixtures.job(paid=False).payment


def test_machine_move_saves_status_and_named_fields_and_writes_one_audit_row():
    # given: a payment awaiting the gateway
    payment = _unpaid_payment()
    before = PaymentHistory.objects.filter(payment=payment).count()
    admin = fixtures.admin_user()
    # when: it fails, with its reason saved; another attribute changed in memory is not named
    payment.failure_reason = "card declined"
    payment.provider_ref = "not-saved"
    moved = PAYMENT.move(payment, Payment.Status.FAILED, actor=admin, reason="declined", fields=["failure_reason"])
    # then
    assert moved is True
    stored = Payment.objects.get(id=payment.id)
    assert (stored.status, stored.failure_reason, stored.provider_ref) == ("failed", "card declined", "")
    events = list(PaymentHistory.objects.filter(payment=payment).order_by("id"))[before:]
    assert [(e.action, e.old_status, e.new_status, e.reason, e.actor_id, e.actor_label) for e in events] == [
        ("failed", "requires_payment", "failed", "declined", admin.id, admin.username)
    ]


def test_machine_move_to_the_current_state_is_a_retry_that_changes_nothing():
    # given: a payment already failed
    payment = _unpaid_payment()
    PAYMENT.move(payment, Payment.Status.FAILED)
    events = PaymentHistory.objects.filter(payment=payment).count()
    # when: the same move again
    moved = PAYMENT.move(payment, Payment.Status.FAILED)
    # then
    assert moved is False
    assert PaymentHistory.objects.filter(payment=payment).count() == events


def test_machine_move_not_in_the_table_is_409_naming_the_state_it_needs_and_changes_nothing():
    # given: a payment awaiting the gateway (partially_refunded needs succeeded)
    payment = _unpaid_payment()
    events = PaymentHistory.objects.filter(payment=payment).count()
    # when
    with pytest.raises(ConflictError) as refused:
        PAYMENT.move(payment, Payment.Status.PARTIALLY_REFUNDED)
    # then
    assert refused.value.code == "payment_not_succeeded"
    assert refused.value.status_code == 409
    assert Payment.objects.get(id=payment.id).status == "requires_payment"
    assert PaymentHistory.objects.filter(payment=payment).count() == events


def test_machine_conflict_with_several_allowed_states_has_one_generic_code():
    payment = _unpaid_payment()
    with pytest.raises(ConflictError) as refused:
        PAYMENT.move(payment, Payment.Status.REFUNDED)  # from succeeded or partially_refunded
    assert refused.value.code == "payment_not_in_a_state_that_allows_this"
    assert refused.value.fields == {"status": ["requires_payment"]}


def test_lock_of_a_missing_row_is_404_in_the_error_shape():
    with pytest.raises(NotFoundError) as missing:
        lock(Payment, 10**9, message="No such payment.")
    assert (missing.value.code, missing.value.message) == ("not_found", "No such payment.")
