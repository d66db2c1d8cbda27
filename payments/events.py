"""What payments tells each company's event stream (API.md "Real-time events"), one class per
type (``core.events``): a payment's moves to its SME, a settlement batch's and its payouts'
moves to the factory, emitted by ``payments.services.moves`` on each move."""

from core.admin import yuan
from core.events import EventType, Shape, field, register
from core.readable import iso_time
from payments.models import Payment
from payments.settlement_models import SettlementBatch, SettlementLine


@register
class PaymentStatusChanged(EventType):
    type = "payment.status_changed"
    audience = "the SME that pays"
    description = "The job's payment was captured, failed or refunded."
    payment_id: int = field("The payment.")
    job_id: int = field("The job it pays for.")
    old: str = field("The status before.", enum=Payment.Status.values)
    new: str = field("The status now.", enum=Payment.Status.values)


@register
class SettlementStatusChanged(EventType):
    type = "settlement.status_changed"
    audience = "the factory settled"
    description = "Its settlement batch was approved, is paying, paid, failed or was rejected."
    batch_id: int = field("The settlement batch.")
    old: str = field("The status before.", enum=SettlementBatch.Status.values)
    new: str = field("The status now.", enum=SettlementBatch.Status.values)
    total_fen: int = field("What the batch pays the factory, in fen.")


class PayoutConfirmation(Shape):
    description = "What the factory's app needs to open WeChat's confirmation page (requestMerchantTransfer)."
    package_info: str = field("WeChat's `package` for requestMerchantTransfer.")
    mch_id: str = field("The merchant id (mchId).")
    app_id: str = field("The app id (appId).")
    confirm_by: str = field("Until when the payee may confirm (+08:00).", format="date-time")


@register
class PayoutStatusChanged(EventType):
    type = "payout.status_changed"
    audience = "the factory paid"
    description = "A line of its settlement batch was sent, awaits its confirmation in WeChat, was paid or returned."
    batch_id: int = field("The settlement batch.")
    line_id: int = field("The batch's line.")
    assignment_id: int = field("The share the line pays.")
    old: str = field("The payout status before.", enum=SettlementLine.Payout.values)
    new: str = field("The payout status now.", enum=SettlementLine.Payout.values)
    amount_fen: int = field("What the line pays, in fen.")
    confirmation: PayoutConfirmation = field("Present when `new` is awaiting_confirmation.", optional=True)

    @classmethod
    def push(cls, data):
        if data["new"] != SettlementLine.Payout.AWAITING_CONFIRMATION:
            return None
        return (
            "请在微信中确认收款 Confirm the payout in WeChat",
            f"{yuan(data['amount_fen'])} · 结算 settlement #{data['batch_id']} · 24 小时内 within 24 h",
        )


def payment_status_changed(payment, *, old: str, new: str) -> None:
    PaymentStatusChanged.emit_one(
        payment.sme_id,
        {"payment_id": payment.id, "job_id": payment.job_id, "old": old, "new": new},
        topic=f"job:{payment.job_id}",
    )


def settlement_status_changed(batch, *, old: str, new: str) -> None:
    SettlementStatusChanged.emit_one(
        batch.factory_id, {"batch_id": batch.id, "old": old, "new": new, "total_fen": batch.total_fen}
    )


def payout_status_changed(line, *, old: str, new: str) -> None:
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
