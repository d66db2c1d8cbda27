"""The double-entry ledger: accounts, transactions and their legs, in integer fen.

Sign convention: an account's balance is the sum of its legs' ``amount_fen``, and a
positive amount increases it. Every account except gateway clearing holds money the
platform owes someone (escrow owed to the job, payable owed to the factory, revenue owed
to the platform, refunds owed back to the SME, payouts on their way and paid out), so its
balance is never negative. Gateway clearing is the other side of the books: money coming
in from outside is posted as a negative amount there, so its balance is minus everything
the gateway has brought in, and the sum of all balances is always zero.

The schema backs this up: legs are non-zero, balances that must not go negative cannot,
and on PostgreSQL migration 0002 adds a deferred trigger that refuses to commit a
transaction whose legs do not sum to zero, and triggers that make legs and transactions
immutable (a mistake is corrected by a reversing transaction).

Only ``payments.ledger`` writes these rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import HistoryEntry
from core.readable import yuan

CURRENCY_CNY = "CNY"


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        GATEWAY_CLEARING = "gateway_clearing", _("Gateway clearing")
        ESCROW = "escrow", _("Escrow")
        FACTORY_PAYABLE = "factory_payable", _("Factory payable")
        COMMISSION_REVENUE = "commission_revenue", _("Commission revenue")
        SME_REFUNDS = "sme_refunds", _("SME refunds")
        PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts in transit")
        PAID_OUT = "paid_out", _("Paid out")

    code = models.CharField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # Plain ids, not foreign keys: the ledger must not depend on other apps' migrations.
    job_id = models.PositiveBigIntegerField(_("job id"), null=True, blank=True, db_index=True)
    company_id = models.PositiveBigIntegerField(_("company id"), null=True, blank=True, db_index=True)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY_CNY)
    # Cached sum of the account's legs, kept in step by ledger_post under a row lock.
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)
    allow_negative = models.BooleanField(_("may go negative"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(allow_negative=True) | models.Q(balance_fen__gte=0),
                name="ledgeraccount_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(allow_negative=False) | models.Q(kind="gateway_clearing"),
                name="ledgeraccount_only_clearing_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "gateway_clearing",
                        "escrow",
                        "factory_payable",
                        "commission_revenue",
                        "sme_refunds",
                        "payouts_in_transit",
                        "paid_out",
                    ]
                ),
                name="ledgeraccount_kind_valid",
            ),
        ]

    def __str__(self):
        return self.code


class LedgerTransaction(models.Model):
    """One money movement; ``key`` says what it is, so posting it twice has one effect."""

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32)  # a payments.chart.TxKind
    memo = models.CharField(_("memo"), max_length=500, blank=True, default="")
    job_id = models.PositiveBigIntegerField(_("job id"), null=True, blank=True, db_index=True)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            # A transaction is reversed at most once, whatever key the second attempt uses.
            models.UniqueConstraint(fields=["reverses"], name="ledgertransaction_reversed_once"),
        ]

    def __str__(self):
        return self.key


class LedgerLeg(models.Model):
    """One side of a transaction: ``amount_fen`` is added to the account's balance."""

    transaction = models.ForeignKey(
        LedgerTransaction,
        on_delete=models.PROTECT,
        related_name="legs",
        verbose_name=_("transaction"),
    )
    account = models.ForeignKey(LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="legs")
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger leg")
        verbose_name_plural = _("ledger legs")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="ledgerleg_amount_not_zero"),
        ]

    def __str__(self):
        return f"{self.account_id}: {yuan(self.amount_fen)}"


class Payment(models.Model):
    """The SME's payment of a job's total through the gateway; held in escrow once it succeeds."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", _("Requires payment")
        SUCCEEDED = "succeeded", _("Succeeded (in escrow)")
        FAILED = "failed", _("Failed")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")

    # Payments knows jobs by id only (docs/architecture.md): no foreign key to orders.
    job_id = models.PositiveBigIntegerField(_("job"), unique=True)
    sme = models.ForeignKey(
        "accounts.Company", verbose_name=_("SME"), on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=32)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    refunded_fen = models.PositiveBigIntegerField(_("refunded (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY_CNY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUIRES_PAYMENT)
    provider_ref = models.CharField(_("gateway reference"), max_length=100, blank=True, default="")
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True, default="")
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded_fen__lte=models.F("amount_fen")), name="payment_refund_within_amount"
            ),
        ]

    def __str__(self):
        return _("Payment %(id)s for job %(job)s, %(amount)s (%(status)s)") % {
            "id": self.id,
            "job": self.job_id,
            "amount": yuan(self.amount_fen),
            "status": self.get_status_display(),
        }


class Refund(models.Model):
    """Money going back to the SME through the gateway; ``key`` names what it refunds."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    provider_ref = models.CharField(_("gateway reference"), max_length=100, blank=True, default="")
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return _("Refund %(key)s, %(amount)s (%(status)s)") % {
            "key": self.key,
            "amount": yuan(self.amount_fen),
            "status": self.get_status_display(),
        }


class GatewayMessage(models.Model):
    """A message the payment gateway sent us (a webhook), kept once per provider event id: a
    replay finds it here. Not a stream event nor a history entry: what came in from outside."""

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=100)
    event_type = models.CharField(_("event type"), max_length=50)
    payload = models.JSONField(_("payload"))
    error = models.CharField(_("error"), max_length=500, blank=True, default="")
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        db_table = "payments_webhookevent"  # the table keeps the name it was created with
        ordering = ["-id"]
        verbose_name = _("gateway message")
        verbose_name_plural = _("gateway messages")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.event_id} {self.event_type}"


class SandboxOperation(models.Model):
    """The sandbox gateway's own book of charges, refunds and payouts, keyed like a real
    gateway's idempotency keys. Not the platform's records: the gateway's."""

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    reference = models.CharField(_("reference"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox gateway operation")
        verbose_name_plural = _("sandbox gateway operations")

    def __str__(self):
        return f"{self.kind} {self.key}"


class PaymentHistory(HistoryEntry):
    """The audit trail of a payment and its refunds: captured, failed, refund owed, sent,
    failed and retried, with who and why."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="history")
    refund = models.ForeignKey(
        Refund, verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT, related_name="history"
    )

    class Meta(HistoryEntry.Meta):
        db_table = "payments_paymentevent"  # the table keeps the name it was created with
        verbose_name = _("payment history entry")
        verbose_name_plural = _("payment history")

    def __str__(self):
        return f"#{self.id}"  # the admin names its step and states itself, in the reader's language


# The gateways' own books (WeChat Pay's orders, certificates, payees, bill checks) and the
# settlement batches with their lines, kept apart for size.
from payments.gateway_models import (  # noqa: E402, F401
    BillCheck,
    BillDifference,
    PayoutAccount,
    PlatformCertificate,
    WechatPayOrder,
)
from payments.settlement_models import SettlementBatch, SettlementHistory, SettlementLine  # noqa: E402, F401
