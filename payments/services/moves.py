"""Every move of a payment, a settlement batch or a payout that a company hears of: each
moves the row through its machine (``payments.transitions``, caller holds the lock) and,
when it moved, tells the company's stream in the same transaction (``payments.events``).
No other module moves these machines (tests/test_architecture.py holds it). Each returns
False for a retry (already there: nothing saved, nothing told)."""

from payments import events
from payments.transitions import LINE_PAYOUT, PAYMENT, SETTLEMENT


def _move_and_tell(machine, tell, row, to: str, move: dict) -> bool:
    was = getattr(row, machine.status_field)
    moved = machine.move(row, to, **move)
    if moved:
        tell(row, old=was, new=to)
    return moved


def payment_move(payment, to: str, **move) -> bool:
    """``payment.status_changed`` to the SME that pays."""
    return _move_and_tell(PAYMENT, events.payment_status_changed, payment, to, move)


def batch_move(batch, to: str, **move) -> bool:
    """``settlement.status_changed`` to the factory settled."""
    return _move_and_tell(SETTLEMENT, events.settlement_status_changed, batch, to, move)


def payout_move(line, to: str, **move) -> bool:
    """``payout.status_changed`` to the factory paid."""
    return _move_and_tell(LINE_PAYOUT, events.payout_status_changed, line, to, move)
