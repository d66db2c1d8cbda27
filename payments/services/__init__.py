"""Every write of the payments app. Payments (``payments``), refunds, webhooks, the sandbox
pay page, WeChat Pay's payout accounts and prepay (``wechatpay``), the daily bill check
(``bills``), and settlement (``batches`` and ``payouts``, also reachable as
``payments.services.settlement``); the ledger's own posting is ``payments.ledger``."""

from payments.services.bills import bill_reconcile
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
from payments.services.wechatpay import payout_account_set, wechatpay_prepay

__all__ = [
    "bill_reconcile",
    "commission_split",
    "payment_capture_book",
    "payment_captured",
    "payment_create",
    "payment_failed",
    "payment_refund_job_escrow",
    "payment_release_share",
    "payment_void",
    "payments_reconcile",
    "payout_account_set",
    "refund_create",
    "refund_execute",
    "refund_retry",
    "refunds_stuck",
    "sandbox_pay",
    "sandbox_payment_for_link",
    "webhook_events_pending",
    "webhook_process",
    "webhook_receive",
    "wechatpay_prepay",
]
