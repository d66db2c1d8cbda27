from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
