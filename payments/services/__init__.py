"""Every write of the payments app. Payments (``payments``), refunds, webhooks, the sandbox
pay page, and settlement (``batches`` and ``payouts``, also reachable as
``payments.services.settlement``); the ledger's own posting is ``payments.ledger``."""

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
from payments.services.sandbox import sandbox_pay, sandbox_payment_for_link
from payments.services.webhooks import webhook_events_pending, webhook_process, webhook_receive

__all__ = [
    "commission_split",
    "payment_capture_book",
    "payment_captured",
    "payment_create",
    "payment_failed",
    "payment_refund_job_escrow",
    "payment_release_share",
    "payment_void",
    "payments_reconcile",
    "refund_create",
    "refund_execute",
    "refund_retry",
    "refunds_stuck",
    "sandbox_pay",
    "sandbox_payment_for_link",
    "webhook_events_pending",
    "webhook_process",
    "webhook_receive",
]
