"""Sampling inspections of delivered lots and each factory's quality per process
(docs/inspection.md). Re-exported by ``orders.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import Assignment


class Inspection(models.Model):
    """The SME's sampling inspection of one delivered lot of a share (GB/T 2828.1): the plan
    it was judged by, what was found per checklist item and per defect class, and the verdict
    with the step that followed. A share re-delivered after rework is inspected again
    (``round`` 2, 3, ...); only round 1 is an original inspection for the switching rules."""

    class Next(models.TextChoices):
        ACCEPT = "accept", _("Accepted: on to acceptance")
        REWORK = "rework", _("Rejected: back to the factory for rework")
        DISPUTE = "dispute", _("Rejected: disputed")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="inspections"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    lot_size = models.PositiveIntegerField(_("lot size"))
    severity = models.CharField(_("severity"), max_length=10)
    # catalogue.selectors.lot_plan as it stood when the lot was judged.
    plan = models.JSONField(_("plan"))
    sample_inspected = models.PositiveIntegerField(_("pieces inspected"))
    defects = models.JSONField(_("defects per item"), default=dict)
    found = models.JSONField(_("defects per class"), default=dict)
    accepted = models.BooleanField(_("accepted"))
    next = models.CharField(_("next step"), max_length=8, choices=Next.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True, default="")
    # Evidence: ids of photos attached to this inspection (the photo store keeps the files).
    photo_ids = models.JSONField(_("photo ids"), default=list, blank=True)
    inspected_by = models.ForeignKey(
        "auth.User", verbose_name=_("inspected by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("inspected at"), auto_now_add=True)

    class Meta:
        ordering = ["assignment", "round"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [models.UniqueConstraint(fields=["assignment", "round"], name="inspection_one_per_round")]

    def __str__(self):
        return _("Inspection %(round)s of share %(assignment)s") % {
            "round": self.round,
            "assignment": self.assignment_id,
        }


class FactoryQuality(models.Model):
    """One factory's quality at one process, from its lots' original inspections: where the
    GB/T 2828.1 switching rules stand (catalogue.sampling.SwitchingState) and the running
    figures shown to the factory and admins and read by dispatch."""

    factory = models.ForeignKey(
        "accounts.Company", verbose_name=_("factory"), on_delete=models.CASCADE, related_name="quality"
    )
    process = models.ForeignKey(
        "catalogue.Process", verbose_name=_("process"), on_delete=models.CASCADE, related_name="+"
    )
    severity = models.CharField(_("inspection severity"), max_length=10, default="normal")
    recent = models.JSONField(_("recent lots on normal"), default=list, blank=True)
    accepted_run = models.PositiveIntegerField(_("accepted in a row on tightened"), default=0)
    rejections = models.PositiveIntegerField(_("rejected on tightened"), default=0)
    score = models.PositiveIntegerField(_("switching score"), default=0)
    discontinued = models.BooleanField(_("inspection discontinued"), default=False)
    lots = models.PositiveIntegerField(_("lots inspected"), default=0)
    lots_accepted = models.PositiveIntegerField(_("lots accepted at first inspection"), default=0)
    units_inspected = models.PositiveIntegerField(_("pieces inspected"), default=0)
    defects = models.PositiveIntegerField(_("defects found"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["factory", "process"]
        verbose_name = _("factory quality")
        verbose_name_plural = _("factory quality")
        constraints = [models.UniqueConstraint(fields=["factory", "process"], name="factory_quality_one_per_process")]

    def __str__(self):
        return f"{self.factory_id} · {self.process_id}: {self.severity}"

    @property
    def first_pass_rate(self) -> float | None:
        """Share of lots accepted at their first inspection (None before any)."""
        return self.lots_accepted / self.lots if self.lots else None

    @property
    def defects_per_100(self) -> float | None:
        """Defects found per 100 pieces inspected (None before any)."""
        return 100 * self.defects / self.units_inspected if self.units_inspected else None
