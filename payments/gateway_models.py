"""What the real gateways need beside the platform's own money tables: WeChat Pay's orders
opened for a payment, its platform certificates, where each factory's payouts go, and each
day's check of the gateway's bill against our ledger with the differences it found.
Re-exported by ``payments.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WechatPayOrder(models.Model):
    """An order the WeChat Pay adapter opened for a payment on one channel (a Native QR code,
    the app, a WeChat page), numbered ``payment<id><N|A|J>`` and, when renewed,
    ``payment<id><N|A|J><n>``. An order lives until ``expires_at`` (the ``time_expire`` it was
    opened with: a QR code or prepay id is good for 2 hours); a payment asked for after that
    gets a new order under a new number, the old one closed first. The adapter's own book, so
    a job page shows the same QR code while it is valid and reconciliation knows which orders
    to ask about."""

    class Channel(models.TextChoices):
        NATIVE = "native", _("QR code (Native)")
        APP = "app", _("App")
        JSAPI = "jsapi", _("WeChat page (JSAPI)")

    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("payment"), on_delete=models.PROTECT, related_name="wechatpay_orders"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    out_trade_no = models.CharField(_("merchant order number"), max_length=32, unique=True)
    appid = models.CharField(_("AppID"), max_length=32, blank=True, default="")
    # The QR code's URL (Native) or the prepay id (app, JSAPI).
    code_url = models.CharField(_("code URL"), max_length=200, blank=True, default="")
    prepay_id = models.CharField(_("prepay id"), max_length=64, blank=True, default="")
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    closed = models.BooleanField(_("closed"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("WeChat Pay order")
        verbose_name_plural = _("WeChat Pay orders")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "channel"],
                condition=models.Q(closed=False),
                name="wechatpay_order_one_open_per_channel",
            )
        ]

    def __str__(self):
        return self.out_trade_no


class PlatformCertificate(models.Model):
    """A WeChat Pay platform certificate (平台证书), downloaded from ``/v3/certificates`` and
    decrypted with the APIv3 key. Notifications and answers name the key that signed them
    (``Wechatpay-Serial``): a certificate serial or the public key's id; every certificate
    still valid is trusted, so a rotation, or the switch to the public key during which both
    sign callbacks, refuses nothing."""

    serial_no = models.CharField(_("serial number"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    effective_at = models.DateTimeField(_("effective from"))
    expires_at = models.DateTimeField(_("expires at"))
    fetched_at = models.DateTimeField(_("downloaded at"), auto_now=True)

    class Meta:
        ordering = ["-expires_at"]
        verbose_name = _("WeChat Pay platform certificate")
        verbose_name_plural = _("WeChat Pay platform certificates")

    def __str__(self):
        return self.serial_no


class PayoutAccount(models.Model):
    """Where a factory's payouts go at the gateway: for WeChat Pay, the openid of the
    factory's payee under our app id, and the payee's real name (WeChat Pay requires it from
    ¥2,000 and checks it against the openid's owner)."""

    company = models.OneToOneField(
        "accounts.Company", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="payout_account"
    )
    wechat_openid = models.CharField(_("WeChat openid"), max_length=128)
    # The AppID the openid was issued under; empty: WECHATPAY_TRANSFER_APPID.
    wechat_appid = models.CharField(_("AppID of the openid"), max_length=32, blank=True, default="")
    real_name = models.CharField(_("payee's real name"), max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self):
        return f"{self.company_id}: {self.wechat_openid}"


class BillCheck(models.Model):
    """One day's check of the gateway's trade bill against the ledger: passed, found
    differences (listed as ``BillDifference``), or failed (the bill could not be fetched or
    read: nothing was compared, and the admin shows it as a failure)."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("No differences")
        DIFFERENCES = "differences", _("Differences found")
        FAILED = "failed", _("Check failed")

    provider = models.CharField(_("provider"), max_length=32)
    bill_date = models.DateField(_("bill date"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    rows = models.PositiveIntegerField(_("bill lines"), default=0)
    differences = models.PositiveIntegerField(_("differences"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True, default="")
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    class Meta:
        ordering = ["-bill_date"]
        verbose_name = _("bill check")
        verbose_name_plural = _("bill checks")
        constraints = [models.UniqueConstraint(fields=["provider", "bill_date"], name="bill_check_once_a_day")]

    def __str__(self):
        return f"{self.provider} {self.bill_date} {self.outcome}"


class BillDifference(models.Model):
    """A line of the gateway's daily trade bill that disagrees with our ledger, or a movement
    of ours the bill lacks. Found by ``bill_reconcile``; one row per (day, kind, number)."""

    class Kind(models.TextChoices):
        NOT_IN_LEDGER = "not_in_ledger", _("In the bill, not in our ledger")
        NOT_IN_BILL = "not_in_bill", _("In our ledger, not in the bill")
        AMOUNT = "amount", _("Amounts differ")

    provider = models.CharField(_("provider"), max_length=32)
    bill_date = models.DateField(_("bill date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("merchant number"), max_length=64)
    gateway_fen = models.BigIntegerField(_("gateway (fen)"), null=True, blank=True)
    ledger_fen = models.BigIntegerField(_("ledger (fen)"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True, default="")
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        ordering = ["-bill_date", "id"]
        verbose_name = _("bill difference")
        verbose_name_plural = _("bill differences")
        constraints = [
            models.UniqueConstraint(fields=["provider", "bill_date", "kind", "number"], name="bill_difference_once")
        ]

    def __str__(self):
        return f"{self.bill_date} {self.kind} {self.number}"
