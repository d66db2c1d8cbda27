"""Photos attached to a job as evidence: what the factory received and delivered, what the
SME found at inspection and in a dispute. The files live in the ``photos`` storage
(``evidence.storage``); a row holds their names in it, never a URL."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Photo(models.Model):
    class Kind(models.TextChoices):
        MATERIAL_RECEIVED = "material_received", _("Material received")
        DELIVERY = "delivery", _("Delivery")
        INSPECTION = "inspection", _("Inspection")
        DISPUTE = "dispute", _("Dispute")

    # Who attaches which kind: the factory holding a share, or the job's SME.
    FACTORY_KINDS = (Kind.MATERIAL_RECEIVED, Kind.DELIVERY)
    SME_KINDS = (Kind.INSPECTION, Kind.DISPUTE)

    job = models.ForeignKey("orders.Job", verbose_name=_("job"), on_delete=models.PROTECT, related_name="photos")
    assignment = models.ForeignKey(
        "orders.Assignment",
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The upload's key in the storage: one photo per upload (a retried confirm finds it).
    source_key = models.CharField(_("upload key"), max_length=200, unique=True)
    source_format = models.CharField(_("uploaded format"), max_length=10)
    source_bytes = models.PositiveIntegerField(_("uploaded size (bytes)"))
    image_name = models.CharField(_("image"), max_length=300)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    thumbnail_name = models.CharField(_("thumbnail"), max_length=300)
    thumbnail_width = models.PositiveIntegerField(_("thumbnail width"))
    thumbnail_height = models.PositiveIntegerField(_("thumbnail height"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        indexes = [models.Index(fields=["job", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["material_received", "delivery", "inspection", "dispute"]),
                name="photo_kind_valid",
            ),
        ]

    def __str__(self):
        return _("Photo %(id)s of job %(job)s (%(kind)s)") % {
            "id": self.id,
            "job": self.job_id,
            "kind": self.get_kind_display(),
        }
