"""The settlement services in one name: batches (build, review) and their payouts (one
transfer per line). Admin actions, the admin API, the beat tasks and ``manage.py settle``
call these."""

from payments.services.batches import (
    default_cutoff,
    settlement_approve,
    settlement_build,
    settlement_reject,
    settlements_stuck,
)
from payments.services.payouts import (
    _payout_start,
    payout_apply,
    payout_cancel,
    payout_reconcile,
    payout_refresh,
    payout_send,
    payout_transfer_changed,
    payouts_stuck,
    settlement_payout,
)

__all__ = [
    "_payout_start",  # the crash-between-gateway-and-commit tests drive these steps one by one
    "default_cutoff",
    "payout_apply",
    "payout_cancel",
    "payout_reconcile",
    "payout_refresh",
    "payout_send",
    "payout_transfer_changed",
    "payouts_stuck",
    "settlement_approve",
    "settlement_build",
    "settlement_payout",
    "settlement_reject",
    "settlements_stuck",
]
