"""The state machines of payments, refunds, settlement batches and their lines' payouts
(``core.transitions``): which status may follow which, where each move's audit row goes, and
which company's event stream hears of it (``payment.status_changed`` to the SME,
``settlement.status_changed`` and ``payout.status_changed`` to the factory)."""

from django.utils.translation import gettext_lazy as _

from core.readable import iso_time
from core.transitions import Machine
from payments.events import PaymentStatusChanged, PayoutStatusChanged, SettlementStatusChanged
from payments.models import Payment, PaymentEvent, Refund, SettlementBatch, SettlementEvent, SettlementLine


def _payment_moved(payment, old: str, new: str) -> None:
    PaymentStatusChanged.emit_one(
        payment.sme_id,
        {"payment_id": payment.id, "job_id": payment.job_id, "old": old, "new": new},
        topic=f"job:{payment.job_id}",
    )


def _batch_moved(batch, old: str, new: str) -> None:
    SettlementStatusChanged.emit_one(
        batch.factory_id, {"batch_id": batch.id, "old": old, "new": new, "total_fen": batch.total_fen}
    )


def _line_moved(line, old: str, new: str) -> None:
    data = {
        "batch_id": line.batch_id,
        "line_id": line.id,
        "assignment_id": line.assignment_id,
        "old": old,
        "new": new,
        "amount_fen": line.amount_fen,
    }
    if new == SettlementLine.Payout.AWAITING_CONFIRMATION:
        # What the factory's app needs to open WeChat's confirmation page
        # (requestMerchantTransfer: mchId, appId, package), and until when.
        data["confirmation"] = {
            **line.confirmation,
            "confirm_by": iso_time(line.confirm_by),
        }
    PayoutStatusChanged.emit_one(line.batch.factory_id, data)


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
    event_model=PaymentEvent,
    event_subject=lambda payment: {"payment": payment},
    on_move=_payment_moved,
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
    event_model=PaymentEvent,
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
    event_model=SettlementEvent,
    event_subject=lambda batch: {"batch": batch},
    on_move=_batch_moved,
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
    event_model=SettlementEvent,
    event_subject=lambda line: {"batch_id": line.batch_id},
    on_move=_line_moved,
)
