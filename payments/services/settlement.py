"""The settlement services in one name: batches (build, review) and their payouts. Admin
actions, the admin API, the beat tasks and ``manage.py settle`` call these."""

from payments.services.batches import (
    attempt_key,
    default_cutoff,
    settlement_approve,
    settlement_build,
    settlement_reject,
    settlement_return,
    settlements_stuck,
)
from payments.services.payouts import (
    _payout_call_gateway,
    _payout_refused,
    _payout_start,
    payout_confirmed,
    settlement_payout,
    settlement_reconcile,
    settlement_retry_payout,
)

__all__ = [
    "_payout_call_gateway",  # the crash-between-gateway-and-commit tests drive these steps one by one
    "_payout_refused",
    "_payout_start",
    "attempt_key",
    "default_cutoff",
    "payout_confirmed",
    "settlement_approve",
    "settlement_build",
    "settlement_payout",
    "settlement_reconcile",
    "settlement_reject",
    "settlement_retry_payout",
    "settlement_return",
    "settlements_stuck",
]
