from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    """A participant: an SME that posts jobs or a shared factory that does them."""

    class Kind(models.TextChoices):
        SME = "sme", _("SME")
        FACTORY = "factory", _("Factory")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "marketplace_company"  # the table predates the accounts app
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["sme", "factory"]), name="company_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True) | models.Q(lat__gte=-90, lat__lte=90), name="company_lat_range"
            ),
            models.CheckConstraint(
                condition=models.Q(lng__isnull=True) | models.Q(lng__gte=-180, lng__lte=180), name="company_lng_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_factory(self) -> bool:
        return self.kind == self.Kind.FACTORY

    @property
    def is_sme(self) -> bool:
        return self.kind == self.Kind.SME


class Membership(models.Model):
    """A user acts for exactly one company."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="membership"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OWNER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "marketplace_membership"
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.company}"


class Identity(models.Model):
    """What keeps a login unique beside Django's user row: the username after NFKC
    normalisation and case folding (``accounts.identity``), unique, so ``ACCEPTADMIN`` cannot
    register beside ``acceptadmin``. Kept in step with the user row by ``accounts.services``
    (a ``post_save`` receiver registered in ``AccountsConfig.ready``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="identity",
        verbose_name=_("user"),
    )
    canonical_username = models.CharField(_("canonical username"), max_length=150, unique=True)

    class Meta:
        verbose_name = _("login identity")
        verbose_name_plural = _("login identities")

    def __str__(self):
        return self.canonical_username
