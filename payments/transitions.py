"""The state machines of payments, refunds, settlement batches and their lines' payouts
(``core.transitions``): which status may follow which and where each move's audit row goes.
The moves that companies hear of are made by ``payments.services.moves``."""

from django.utils.translation import gettext_lazy as _

from core.transitions import Machine
from payments.models import Payment, PaymentHistory, Refund, SettlementBatch, SettlementHistory, SettlementLine

P = Payment.Status
PAYMENT = Machine(
    name="payment",
    label=_("payment"),
    allowed={
        P.SUCCEEDED: frozenset({P.REQUIRES_PAYMENT, P.FAILED}),
        P.FAILED: frozenset({P.REQUIRES_PAYMENT}),
        P.PARTIALLY_REFUNDED: frozenset({P.SUCCEEDED}),
        P.REFUNDED: frozenset({P.SUCCEEDED, P.PARTIALLY_REFUNDED}),
    },
    event_model=PaymentHistory,
    event_subject=lambda payment: {"payment": payment},
)

R = Refund.Status
REFUND = Machine(
    name="refund",
    label=_("refund"),
    allowed={
        # From failed too: a rerun that finds the gateway did send it books what happened.
        R.SUCCEEDED: frozenset({R.PENDING, R.FAILED}),
        R.FAILED: frozenset({R.PENDING}),
        R.PENDING: frozenset({R.FAILED}),  # an admin sends a failed refund again
    },
    event_model=PaymentHistory,
    event_subject=lambda refund: {"payment_id": refund.payment_id, "refund": refund},
)

B = SettlementBatch.Status
SETTLEMENT = Machine(
    name="batch",
    label=_("settlement batch"),
    allowed={
        B.APPROVED: frozenset({B.PENDING_REVIEW}),
        B.PAYING: frozenset({B.APPROVED}),
        B.PAID: frozenset({B.PAYING}),  # every line's transfer ended, at least one paid
        B.FAILED: frozenset({B.PAYING}),  # every line's transfer came back (to payable)
        B.REJECTED: frozenset({B.PENDING_REVIEW}),
    },
    event_model=SettlementHistory,
    event_subject=lambda batch: {"batch": batch},
)

L = SettlementLine.Payout
LINE_PAYOUT = Machine(
    name="payout",
    label=_("payout"),
    status_field="payout_status",
    allowed={
        L.SENDING: frozenset({L.UNSENT}),
        L.AWAITING_CONFIRMATION: frozenset({L.SENDING}),
        L.PAID: frozenset({L.SENDING, L.AWAITING_CONFIRMATION}),
        L.RETURNED: frozenset({L.SENDING, L.AWAITING_CONFIRMATION}),
    },
    event_model=SettlementHistory,
    event_subject=lambda line: {"batch_id": line.batch_id},
)
