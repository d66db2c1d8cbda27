import re

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Company

# The reasons the platform itself writes in ``offline_reason`` (the API shows them as
# stored, in English): the stored text, and how a person reads it.
OFFERS_EXPIRED_REASON = "{count} dispatch offers expired in a row"
SUSPENDED_REASON = "suspended by the platform"
_OFFERS_EXPIRED = re.compile(r"^(?P<count>\d+) dispatch offers expired in a row$")


def offline_reason_display(reason: str) -> str:
    """An offline reason in the reader's language: the platform's own reasons translated,
    an admin's reason as typed."""
    if reason == SUSPENDED_REASON:
        return gettext("suspended by the platform")
    match = _OFFERS_EXPIRED.match(reason)
    if match:
        return gettext("%(count)s dispatch offers expired in a row") % {"count": match["count"]}
    return reason


class FactoryProfile(models.Model):
    """A shared factory's place, reach, availability, verification and track record.

    Its primary key is the company id, so ``/admin/factories/{id}`` names both.
    """

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, primary_key=True, related_name="factory_profile"
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    service_radius_km = models.PositiveIntegerField(_("service radius (km)"), default=30)
    online = models.BooleanField(_("online"), default=False)
    offline_reason = models.CharField(_("offline reason"), max_length=200, blank=True, default="")
    verification = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "auth.User", verbose_name=_("verified by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Track record, kept by the services that cause each change.
    rating_sum = models.PositiveIntegerField(_("rating sum"), default=0)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    offers_received = models.PositiveIntegerField(_("offers received"), default=0)
    offers_accepted = models.PositiveIntegerField(_("offers accepted"), default=0)
    consecutive_offer_expiries = models.PositiveIntegerField(_("offers expired in a row"), default=0)
    jobs_taken = models.PositiveIntegerField(_("jobs taken"), default=0)
    jobs_completed = models.PositiveIntegerField(_("jobs completed"), default=0)
    jobs_on_time = models.PositiveIntegerField(_("jobs on time"), default=0)
    cancellations = models.PositiveIntegerField(_("cancellations"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("factory")
        verbose_name_plural = _("factories")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True) | models.Q(lat__gte=-90, lat__lte=90), name="factory_lat_range"
            ),
            models.CheckConstraint(
                condition=models.Q(lng__isnull=True) | models.Q(lng__gte=-180, lng__lte=180), name="factory_lng_range"
            ),
            models.CheckConstraint(
                condition=models.Q(service_radius_km__gte=1, service_radius_km__lte=500), name="factory_radius_range"
            ),
        ]

    def __str__(self):
        return self.company.name

    @property
    def verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None

    @property
    def acceptance_rate(self) -> float | None:
        return round(self.offers_accepted / self.offers_received, 3) if self.offers_received else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.jobs_on_time / self.jobs_completed, 3) if self.jobs_completed else None

    @property
    def reliability(self) -> float:
        """0..1 score for matching: on-time share, less the share of jobs given back."""
        on_time = self.on_time_rate if self.on_time_rate is not None else 0.9
        taken = max(self.jobs_taken, 1)
        return max(0.0, round(on_time - self.cancellations / taken, 3))


class Capability(models.Model):
    """What a factory can do for one process, at what price and pace."""

    factory = models.ForeignKey(
        FactoryProfile, verbose_name=_("factory"), on_delete=models.CASCADE, related_name="capabilities"
    )
    process = models.ForeignKey(
        "catalogue.Process", verbose_name=_("process"), on_delete=models.PROTECT, related_name="capabilities"
    )
    unit_price_fen = models.PositiveBigIntegerField(_("unit price (fen)"))
    daily_capacity = models.PositiveIntegerField(_("daily capacity (pieces/day)"))
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), default=1)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [
            models.UniqueConstraint(fields=["factory", "process"], name="capability_factory_process_unique"),
            models.CheckConstraint(condition=models.Q(unit_price_fen__gt=0), name="capability_price_positive"),
            models.CheckConstraint(condition=models.Q(daily_capacity__gt=0), name="capability_capacity_positive"),
            models.CheckConstraint(condition=models.Q(min_quantity__gt=0), name="capability_min_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.factory} / {self.process}"
