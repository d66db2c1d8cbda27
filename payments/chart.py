"""The chart of accounts and the kinds of ledger transaction: every account code and every
transaction kind the platform uses is named here and nowhere else.

==========================================  ====================  ===========================
code                                        kind                  holds
==========================================  ====================  ===========================
``gateway_clearing``                        gateway_clearing      minus all money taken in
``escrow:job:<job_id>``                     escrow                an SME's payment for a job
``payable:factory:<company_id>``            factory_payable       earned, not yet paid out
``commission_revenue``                      commission_revenue    the platform's commission
``sme_refunds``                             sme_refunds           money owed back to SMEs
``payouts_in_transit:factory:<company_id>`` payouts_in_transit    sent to the gateway
``paid_out:factory:<company_id>``           paid_out              confirmed paid out
==========================================  ====================  ===========================

Money flows (``payments.services``):

- payment captured:     clearing -> escrow:job                                ``payment_captured``
- share accepted:       escrow:job -> payable (less commission), commission,
                        sme refunds (pieces not accepted)                     ``release``
- cancel / expiry:      escrow:job -> sme refunds                             ``refund``
- refund sent:          sme refunds -> clearing                               ``refund_sent``
- payout sent:          payable -> in transit                                 ``payout``
- payout refused:       in transit -> payable                                 ``payout_returned``
- payout confirmed:     in transit (or payable, if paid late) -> paid out     ``payout_paid``
- any correction:       the negated legs of a transaction                     ``reversal``
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

CLEARING = "gateway_clearing"
COMMISSION = "commission_revenue"
SME_REFUNDS = "sme_refunds"


def escrow(job_id: int) -> str:
    return f"escrow:job:{job_id}"


def payable(company_id: int) -> str:
    return f"payable:factory:{company_id}"


def in_transit(company_id: int) -> str:
    return f"payouts_in_transit:factory:{company_id}"


def paid_out(company_id: int) -> str:
    return f"paid_out:factory:{company_id}"


class TxKind(models.TextChoices):
    PAYMENT_CAPTURED = "payment_captured", _("Payment captured")
    RELEASE = "release", _("Release to factory")
    REFUND = "refund", _("Refund owed")
    REFUND_SENT = "refund_sent", _("Refund sent")
    PAYOUT = "payout", _("Payout sent")
    PAYOUT_RETURNED = "payout_returned", _("Payout returned")
    PAYOUT_PAID = "payout_paid", _("Payout paid")
    REVERSAL = "reversal", _("Reversal")
