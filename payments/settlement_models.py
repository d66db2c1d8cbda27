"""Settlement batches, their lines (each paid by its own gateway transfer) and their audit
trail. Re-exported by ``payments.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import HistoryEntry
from core.readable import yuan


class SettlementBatch(models.Model):
    """What the platform pays one factory for one period: reviewed by an admin, then paid,
    one gateway transfer per line (``SettlementLine.payout_status``). A batch is ``paid``
    once every line's transfer has ended and at least one was paid, ``failed`` when every
    one came back; a line that comes back (refused, cancelled, not confirmed in time) returns
    its money to the factory's payable and its assignment to the next day's batch."""

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Pending review")
        APPROVED = "approved", _("Approved")
        PAYING = "paying", _("Paying")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Payout failed")

    LIVE = (Status.PENDING_REVIEW, Status.APPROVED, Status.PAYING, Status.PAID, Status.FAILED)

    factory = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        related_name="settlements",
        verbose_name=_("factory"),
    )
    cutoff = models.DateTimeField(_("cutoff"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING_REVIEW)
    total_fen = models.PositiveBigIntegerField(_("total (fen)"))
    built_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("built by"),
    )
    last_changed_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-cutoff", "-id"]
        verbose_name = _("settlement batch")
        verbose_name_plural = _("settlement batches")
        constraints = [
            models.CheckConstraint(condition=models.Q(total_fen__gt=0), name="settlement_total_positive"),
            # Building again for the same cutoff finds this batch instead of making another.
            models.UniqueConstraint(
                fields=["factory", "cutoff"], condition=~models.Q(status="rejected"), name="settlement_one_per_cutoff"
            ),
        ]

    def __str__(self):
        return _("Settlement batch %(id)s, %(total)s (%(status)s)") % {
            "id": self.id,
            "total": yuan(self.total_fen),
            "status": self.get_status_display(),
        }


class SettlementLine(models.Model):
    """One completed assignment's payable in a batch, paid by its own gateway transfer whose
    idempotency key is ``payout_key`` (``payout:line:<id>``). ``active`` is cleared when the
    batch is rejected or the line's transfer comes back, which puts the assignment back in
    the pool for the next batch."""

    class Payout(models.TextChoices):
        UNSENT = "unsent", _("Not sent")
        SENDING = "sending", _("Sent to the gateway")
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("Waiting for the payee to confirm")
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned to payable")

    batch = models.ForeignKey(
        SettlementBatch, verbose_name=_("settlement batch"), on_delete=models.PROTECT, related_name="lines"
    )
    assignment_id = models.PositiveBigIntegerField(_("assignment"), db_index=True)  # an orders.Assignment, by id
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    release_key = models.CharField(_("ledger transaction"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    payout_status = models.CharField(_("payout"), max_length=24, choices=Payout.choices, default=Payout.UNSENT)
    payout_reference = models.CharField(_("gateway reference"), max_length=100, blank=True, default="")
    payout_reason = models.CharField(_("payout note"), max_length=300, blank=True, default="")
    # What the payee's WeChat needs to confirm the transfer ({package_info, mch_id, app_id}),
    # and until when: WeChat Pay closes a transfer not confirmed within 24 hours.
    confirmation = models.JSONField(_("confirmation"), blank=True, default=dict)
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    payout_updated_at = models.DateTimeField(_("payout updated at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="settlement_line_positive"),
            models.UniqueConstraint(
                fields=["assignment_id"], condition=models.Q(active=True), name="settlement_line_once"
            ),
        ]

    def __str__(self):
        return f"{self.assignment_id}: {yuan(self.amount_fen)}"

    @property
    def payout_key(self) -> str:
        return f"payout:line:{self.id}"


class SettlementHistory(HistoryEntry):
    """The batch's audit trail: who built, changed, approved, rejected or paid it, and why."""

    batch = models.ForeignKey(
        SettlementBatch, verbose_name=_("settlement batch"), on_delete=models.PROTECT, related_name="history"
    )

    class Meta(HistoryEntry.Meta):
        db_table = "payments_settlementevent"  # the table keeps the name it was created with
        verbose_name = _("settlement history entry")
        verbose_name_plural = _("settlement history")

    def __str__(self):
        return f"#{self.id}"  # the admin names its step and states itself, in the reader's language
