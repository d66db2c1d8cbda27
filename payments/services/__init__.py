"""Every write of the payments app. Payments (``payments``), refunds, webhooks, checkout
and payout accounts (``checkout``), the daily bill check (``bills``), and settlement
(``batches`` and ``payouts``, also reachable as ``payments.services.settlement``); the
ledger's own posting is ``payments.ledger``. The gateway is reached only through
``payments.gateways.gateway()``."""

from payments.services.bills import bill_reconcile
from payments.services.checkout import gateway_keys_refresh, payment_checkout, payment_native_qr, payout_account_set
from payments.services.payments import (
    commission_split,
    payment_capture_book,
    payment_captured,
    payment_create,
    payment_failed,
    payment_refund_job_escrow,
    payment_release_share,
    payment_void,
)
from payments.services.reconcile import payments_reconcile
from payments.services.refunds import refund_create, refund_execute, refund_retry, refunds_stuck
from payments.services.webhooks import webhook_events_pending, webhook_process, webhook_receive

__all__ = [
    "bill_reconcile",
    "commission_split",
    "gateway_keys_refresh",
    "payment_capture_book",
    "payment_captured",
    "payment_checkout",
    "payment_create",
    "payment_failed",
    "payment_native_qr",
    "payment_refund_job_escrow",
    "payment_release_share",
    "payment_void",
    "payments_reconcile",
    "payout_account_set",
    "refund_create",
    "refund_execute",
    "refund_retry",
    "refunds_stuck",
    "webhook_events_pending",
    "webhook_process",
    "webhook_receive",
]
