"""How the money trails read to a person, in the reader's language: the steps of the
payment, refund and settlement trails, their states, the gateways, and the reasons the
platform itself writes. The codes stay in the database and the API; the admin shows these."""

import re

from django.utils.translation import gettext_lazy as _

from payments.models import Payment, Refund, SettlementBatch, SettlementLine

STEPS = {
    # payments and refunds
    "created": _("payment created"),
    "captured": _("payment captured (in escrow)"),
    "voided": _("payment voided"),
    "failed": _("payment failed"),
    "refund_owed": _("refund owed"),
    "refund_sent": _("refund sent to the gateway"),
    "refunded": _("refund completed"),
    "refund_abnormal": _("refund abnormal at the gateway"),
    "retried": _("sent again"),
    # settlement batches
    "built": _("batch built"),
    "approved": _("approved"),
    "rejected": _("rejected"),
    "paid": _("paid"),
    "payout_sent": _("payout sent"),
    "payout_failed": _("payout failed"),
    "payout_cancel_asked": _("transfer take-back asked"),
    "duplicate_payout_risk": _("possible duplicate payout"),
    # a line's transfer (``payout_<state>``)
    "payout_sending": _("transfer sent to the gateway"),
    "payout_awaiting_confirmation": _("transfer waiting for the payee to confirm"),
    "payout_paid": _("transfer paid"),
    "payout_returned": _("transfer returned to payable"),
    "payout_unsent": _("transfer not sent"),
}

STATUSES = {
    **dict(Payment.Status.choices),
    **dict(Refund.Status.choices),
    **dict(SettlementBatch.Status.choices),
    **dict(SettlementLine.Payout.choices),
}

PROVIDERS = {"sandbox": _("sandbox (test gateway)"), "wechatpay": _("WeChat Pay")}

# The platform's own reasons (refunds, failed payments, payouts): exact texts, then patterns.
_EXACT = {
    "cancelled": _("the job was cancelled"),
    "expired": _("the job expired"),
    "job cancelled before payment": _("the job was cancelled before payment"),
    "not paid before the deadline": _("not paid before the deadline"),
    "declined by the sandbox": _("declined by the sandbox gateway"),
    "declined": _("declined"),
    "refused": _("refused by the gateway"),
    "paid after cancelled": _("paid after the job was cancelled"),
    "paid after expired": _("paid after the job expired"),
}
_PATTERNS = [
    (re.compile(r"^(?P<count>\d+) pieces not accepted$"), _("%(count)s pieces not accepted")),
    (re.compile(r"^line (?P<line>\d+) paid after it was returned$"), _("line %(line)s paid after it was returned")),
]


def provider(code: str) -> str:
    return str(PROVIDERS.get(code, code))


def reason(text: str) -> str:
    """A reason in the reader's language: the platform's own translated, others as written."""
    if not text:
        return ""
    if text in _EXACT:
        return str(_EXACT[text])
    for pattern, label in _PATTERNS:
        match = pattern.match(text)
        if match:
            return str(label) % match.groupdict()
    return text
