from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalogue import sampling

LEVEL_CHOICES = [(level, level) for level in sampling.LEVELS]
AQL_CHOICES = [(aql, aql) for aql in sampling.AQLS]


class Process(models.Model):
    """A standard sub-process of the catalogue; its JSON Schema describes a job's spec."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=16, default="piece")
    spec_schema = models.JSONField(_("spec schema"), default=dict)
    reference_unit_price_fen = models.PositiveBigIntegerField(_("reference unit price (fen)"))
    # Process loss the factory may report against received material, in basis points.
    material_tolerance_bps = models.PositiveIntegerField(_("material tolerance (bp)"), default=200)
    active = models.BooleanField(_("active"), default=True)
    # The inspection standard of a delivered lot (GB/T 2828.1 single sampling): the level
    # that sizes the sample and the AQL of each defect class; the items are InspectionItem.
    inspection_level = models.CharField(
        _("inspection level"), max_length=4, choices=LEVEL_CHOICES, default=sampling.DEFAULT_LEVEL
    )
    aql_critical = models.CharField(_("AQL, critical defects"), max_length=8, choices=AQL_CHOICES, default="0.65")
    aql_major = models.CharField(_("AQL, major defects"), max_length=8, choices=AQL_CHOICES, default="2.5")
    aql_minor = models.CharField(_("AQL, minor defects"), max_length=8, choices=AQL_CHOICES, default="4.0")

    class Meta:
        db_table = "orders_process"  # the table predates the catalogue app
        ordering = ["code"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        constraints = [
            models.CheckConstraint(condition=models.Q(reference_unit_price_fen__gt=0), name="process_price_positive"),
            models.CheckConstraint(condition=models.Q(material_tolerance_bps__lte=5000), name="process_tolerance_max"),
        ]

    def __str__(self):
        # The reader's name beside the code (the admin, choices): 魔术贴缝制 · velcro_sewing.
        name = self.name_zh if (get_language() or "").startswith("zh") else self.name
        return f"{name} · {self.code}" if name else self.code

    def aql_of(self, defect_class: str) -> str:
        return getattr(self, f"aql_{defect_class}")


class DefectClass(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class InspectionItem(models.Model):
    """One line of a process's inspection checklist: what is checked on each sampled piece,
    the criterion it must meet, and the class of defect a failure is."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="inspection_items"
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    criterion = models.CharField(_("criterion"), max_length=300, blank=True, default="")
    criterion_zh = models.CharField(_("Chinese criterion"), max_length=300, blank=True, default="")
    defect_class = models.CharField(_("defect class"), max_length=8, choices=DefectClass.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["process", "position", "id"]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="inspection_item_code_unique")]

    def __str__(self):
        name = self.name_zh if (get_language() or "").startswith("zh") else self.name
        return f"{name} · {self.code}"
