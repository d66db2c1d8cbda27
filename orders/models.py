from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.models import HistoryEntry
from payments.models import Payment


class Job(models.Model):
    """An SME's request for a sub-process. Its status follows DOMAIN.md's lifecycle."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        MATERIALS_SENT = "materials_sent", _("Materials sent")
        IN_PRODUCTION = "in_production", _("In production")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        DISPUTED = "disputed", _("Disputed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class Mode(models.TextChoices):
        GRAB = "grab", _("Grab (job board)")
        DISPATCH = "dispatch", _("Dispatch")

    sme = models.ForeignKey("accounts.Company", verbose_name=_("SME"), on_delete=models.PROTECT, related_name="jobs")
    created_by = models.ForeignKey(
        "auth.User", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    process = models.ForeignKey(
        "catalogue.Process", verbose_name=_("process"), on_delete=models.PROTECT, related_name="jobs"
    )
    spec = models.JSONField(_("spec"), default=dict)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_fen = models.PositiveBigIntegerField(_("unit price (fen)"))
    total_fen = models.PositiveBigIntegerField(_("total (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    deadline = models.DateTimeField(_("deadline"))
    lat = models.FloatField(_("hand-off latitude"))
    lng = models.FloatField(_("hand-off longitude"))
    address = models.CharField(_("hand-off address"), max_length=300, blank=True, default="")
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.GRAB)
    allow_split = models.BooleanField(_("allow split"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT)
    # Dispatch jobs join the grab board after DISPATCH_MISSES_TO_BOARD declined or expired offers.
    on_board = models.BooleanField(_("on the board"), default=False)
    dispatch_misses = models.PositiveIntegerField(_("dispatch misses"), default=0)
    cancel_reason = models.CharField(_("cancel reason"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "mode"]), models.Index(fields=["sme", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="job_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price_fen__gt=0), name="job_price_positive"),
            models.CheckConstraint(
                condition=models.Q(total_fen=models.F("quantity") * models.F("unit_price_fen")), name="job_total_exact"
            ),
            models.CheckConstraint(condition=models.Q(lat__gte=-90, lat__lte=90), name="job_lat_range"),
            models.CheckConstraint(condition=models.Q(lng__gte=-180, lng__lte=180), name="job_lng_range"),
        ]

    def __str__(self):
        return _("Job %(id)s × %(quantity)s (%(status)s)") % {
            "id": self.id,
            "quantity": self.quantity,
            "status": self.get_status_display(),
        }

    @cached_property
    def payment(self) -> Payment | None:
        """The job's payment (payments keeps the job's id, not a foreign key). Job lists
        set it for a whole page in one query (``orders.selectors.with_payments``)."""
        return Payment.objects.filter(job_id=self.id).first()


class Assignment(models.Model):
    """One factory's share of a job; production, delivery and payout happen per assignment."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        MATERIALS_SENT = "materials_sent", _("Materials sent")
        IN_PRODUCTION = "in_production", _("In production")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        DISPUTED = "disputed", _("Disputed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    LIVE = (Status.ASSIGNED, Status.MATERIALS_SENT, Status.IN_PRODUCTION, Status.DELIVERED, Status.DISPUTED)
    # Statuses in which the factory's machines are booked for this share.
    RESERVING = (Status.ASSIGNED, Status.MATERIALS_SENT, Status.IN_PRODUCTION)
    # Shares that cover part of their job: live ones and completed ones (paid out of escrow).
    COVERING = (*LIVE, Status.COMPLETED)

    job = models.ForeignKey(Job, verbose_name=_("job"), on_delete=models.PROTECT, related_name="assignments")
    factory = models.ForeignKey(
        "accounts.Company", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="assignments"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_fen = models.PositiveBigIntegerField(_("unit price (fen)"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    via = models.CharField(_("taken via"), max_length=16, default="grab")  # grab | offer
    quantity_sent = models.PositiveIntegerField(_("sent"), null=True, blank=True)
    quantity_received = models.PositiveIntegerField(_("received"), null=True, blank=True)
    quantity_done = models.PositiveIntegerField(_("done"), default=0)
    quantity_delivered = models.PositiveIntegerField(_("delivered"), null=True, blank=True)
    quantity_accepted = models.PositiveIntegerField(_("accepted"), null=True, blank=True)
    quantity_rejected = models.PositiveIntegerField(_("rejected"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=1000, blank=True, default="")
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["factory", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="assignment_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(quantity_done__lte=models.F("quantity")), name="assignment_done_within_quantity"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_delivered__isnull=True)
                | models.Q(quantity_delivered__lte=models.F("quantity")),
                name="assignment_delivered_within_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_delivered__isnull=True)
                | models.Q(quantity_received__isnull=False, quantity_delivered__lte=models.F("quantity_received")),
                name="assignment_delivered_within_received",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_accepted__isnull=True)
                | models.Q(quantity_accepted__lte=models.F("quantity_delivered")),
                name="assignment_accepted_within_delivered",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="assignment_rating_range",
            ),
            # A factory holds at most one live share of a job.
            models.UniqueConstraint(
                fields=["job", "factory"],
                condition=~models.Q(status="withdrawn"),
                name="assignment_one_live_per_factory",
            ),
        ]

    def __str__(self):
        return _("Share %(id)s of job %(job)s × %(quantity)s (%(status)s)") % {
            "id": self.id,
            "job": self.job_id,
            "quantity": self.quantity,
            "status": self.get_status_display(),
        }

    @property
    def amount_fen(self) -> int:
        return self.quantity * self.unit_price_fen


class MaterialMovement(models.Model):
    """The SME's material at the factory, per assignment, counted in pieces' worth."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        CONSUMED = "consumed", _("Consumed")
        LOSS = "loss", _("Process loss")
        RETURNED = "returned", _("Returned")
        WRITTEN_OFF = "written_off", _("Written off")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="material_movements"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    actor = models.ForeignKey(
        "auth.User", verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Material a factory sends back is the SME's to confirm (POST .../materials-returned).
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("material movement")
        verbose_name_plural = _("material movements")
        constraints = [
            # Each kind is recorded once per assignment, so a retried step cannot count twice.
            models.UniqueConstraint(fields=["assignment", "kind"], name="material_one_movement_per_kind"),
        ]

    def __str__(self):
        return f"{self.kind} {self.quantity} (assignment {self.assignment_id})"


class JobHistory(HistoryEntry):
    """Append-only audit trail: every transition of a job or one of its assignments, and the
    steps between (posted, progress, offers declined, expired or withdrawn)."""

    job = models.ForeignKey(Job, verbose_name=_("job"), on_delete=models.PROTECT, related_name="history")
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="history",
    )

    class Meta(HistoryEntry.Meta):
        db_table = "orders_jobevent"  # the table keeps the name it was created with
        verbose_name = _("job history entry")
        verbose_name_plural = _("job history")

    def __str__(self):
        return f"#{self.id}"  # the admin names its action and states itself, in the reader's language


class BoardEntry(models.Model):
    """A grab job on one factory's board, written when the job opens (fan-out on write:
    ``orders.services.board``) for each factory its rules admit (process, price, minimum
    quantity, radius, verified and online, not holding a share), and removed when the job
    leaves the board or the factory's rules change. Reading a board is then an index scan of
    one factory's rows; free capacity, which moves with time and bookings, is checked for the
    rows of the page only."""

    factory = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="board_entries")
    distance_km = models.FloatField()
    deadline = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("board entry")
        verbose_name_plural = _("board entries")
        constraints = [models.UniqueConstraint(fields=["factory", "job"], name="board_entry_unique")]
        indexes = [models.Index(fields=["factory", "distance_km", "deadline", "job"], name="board_entry_order")]

    def __str__(self):
        return f"job {self.job_id} on {self.factory_id}'s board"


class DispatchBatch(models.Model):
    """One run of the dispatch engine, with the figures it records."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    jobs = models.PositiveIntegerField(_("jobs"), default=0)
    factories = models.PositiveIntegerField(_("factories"), default=0)
    candidates = models.PositiveIntegerField(_("candidate pairs"), default=0)
    offers_made = models.PositiveIntegerField(_("offers"), default=0)
    unmatched = models.PositiveIntegerField(_("unmatched jobs"), default=0)
    rounds = models.PositiveSmallIntegerField(_("rounds"), default=0)
    load_ms = models.FloatField(_("load (ms)"), default=0)
    solve_ms = models.FloatField(_("solve (ms)"), default=0)
    write_ms = models.FloatField(_("write (ms)"), default=0)
    total_cost = models.FloatField(_("total cost"), default=0)
    # The greedy baseline is a figure for the admin, worked out once the batch's offers are
    # committed and announced: empty until then (or if the worker died in between).
    greedy_cost = models.FloatField(_("greedy cost"), null=True, blank=True, default=None)
    baseline_ms = models.FloatField(_("baseline (ms)"), default=0)
    # The (process id, latitude cell, longitude cell) shards this batch planned, when it was
    # one piece of a sharded round (orders.services.shards); empty for a whole-city batch.
    shards = models.JSONField(_("shards"), default=list, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("dispatch batch")
        verbose_name_plural = _("dispatch batches")

    def __str__(self):
        return _("Dispatch batch %(id)s: %(offers)s offers for %(jobs)s jobs") % {
            "id": self.id,
            "offers": self.offers_made,
            "jobs": self.jobs,
        }


class Offer(models.Model):
    """A dispatch proposal of a job (or a share of a split job) to one factory, until it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    job = models.ForeignKey(Job, verbose_name=_("job"), on_delete=models.PROTECT, related_name="offers")
    # No index of its own: the (factory, status) index below answers every lookup by factory
    # (and a batch writes thousands of offers, each index costing its insert).
    factory = models.ForeignKey(
        "accounts.Company", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="offers", db_index=False
    )
    batch = models.ForeignKey(
        DispatchBatch,
        verbose_name=_("dispatch batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    split = models.BooleanField(_("split"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    distance_km = models.FloatField(_("distance (km)"), default=0)
    cost = models.FloatField(_("cost"), default=0)
    expires_at = models.DateTimeField(_("expires at"))  # looked up with status: (status, expires_at)
    # When the batch computed the factory's capacity: accepting checks it as of then, since
    # the offer itself held that capacity for the factory ever since.
    planned_at = models.DateTimeField(_("planned at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("decline reason"), max_length=500, blank=True, default="")
    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), null=True, blank=True, on_delete=models.PROTECT, related_name="offer"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["factory", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="offer_quantity_positive"),
            # However batches overlap: one factory has at most one pending offer per job...
            models.UniqueConstraint(
                fields=["job", "factory"], condition=models.Q(status="pending"), name="offer_one_pending_per_factory"
            ),
            # ...and a job that is not split has at most one pending offer at all.
            models.UniqueConstraint(
                fields=["job"], condition=models.Q(status="pending", split=False), name="offer_one_pending_per_job"
            ),
        ]

    def __str__(self):
        return _("Offer %(id)s of job %(job)s (%(status)s)") % {
            "id": self.id,
            "job": self.job_id,
            "status": self.get_status_display(),
        }

    @property
    def amount_fen(self) -> int:
        """What the offered pieces earn, in fen (the offer card shows it)."""
        return self.quantity * self.job.unit_price_fen


# Inspections of delivered lots and each factory's quality per process, kept apart for size.
from orders.quality_models import FactoryQuality, Inspection  # noqa: E402, F401
