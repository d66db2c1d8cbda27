"""Every move of a payment, a settlement batch or a payout that a company hears of: each
moves the row through its machine (``payments.transitions``, caller holds the lock) and,
when it moved, tells the company's stream in the same transaction (``payments.events``).
No other module moves these machines (tests/test_architecture.py holds it). Each returns
False for a retry (already there: nothing saved, nothing told)."""

from payments import events
from payments.transitions import LINE_PAYOUT, PAYMENT, SETTLEMENT


def payment_move(payment, to: str, **move) -> bool:
    """``payment.status_changed`` to the SME that pays."""
    was = payment.status
    moved = PAYMENT.move(payment, to, **move)
    if moved:
        events.payment_status_changed(payment, old=was, new=to)
    return moved


def batch_move(batch, to: str, **move) -> bool:
    """``settlement.status_changed`` to the factory settled."""
    was = batch.status
    moved = SETTLEMENT.move(batch, to, **move)
    if moved:
        events.settlement_status_changed(batch, old=was, new=to)
    return moved


def payout_move(line, to: str, **move) -> bool:
    """``payout.status_changed`` to the factory paid."""
    was = line.payout_status
    moved = LINE_PAYOUT.move(line, to, **move)
    if moved:
        events.payout_status_changed(line, old=was, new=to)
    return moved
