"""What the real gateways need beside the platform's own money tables: WeChat Pay's orders
opened for a payment, where each factory's payouts go, and the differences between the
gateway's daily bill and our ledger. Re-exported by ``payments.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WechatPayOrder(models.Model):
    """An order the WeChat Pay adapter opened for a payment: one per channel (a Native QR
    code, the app, a WeChat web page), numbered ``payment<id><N|A|J>``. The adapter's own
    book, so a job page shows the same QR code every time and reconciliation knows which
    orders to ask about."""

    class Channel(models.TextChoices):
        NATIVE = "native", _("QR code (Native)")
        APP = "app", _("App")
        JSAPI = "jsapi", _("WeChat page (JSAPI)")

    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("payment"), on_delete=models.PROTECT, related_name="wechatpay_orders"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    out_trade_no = models.CharField(_("merchant order number"), max_length=32, unique=True)
    # The QR code's URL (Native) or the prepay id (app, JSAPI).
    code_url = models.CharField(_("code URL"), max_length=200, blank=True, default="")
    prepay_id = models.CharField(_("prepay id"), max_length=64, blank=True, default="")
    closed = models.BooleanField(_("closed"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("WeChat Pay order")
        verbose_name_plural = _("WeChat Pay orders")
        constraints = [models.UniqueConstraint(fields=["payment", "channel"], name="wechatpay_order_one_per_channel")]

    def __str__(self):
        return self.out_trade_no


class PayoutAccount(models.Model):
    """Where a factory's payouts go at the gateway: for WeChat Pay, the openid of the
    factory's payee under our app id, and the payee's real name (WeChat Pay requires it from
    ¥2,000 and checks it against the openid's owner)."""

    company = models.OneToOneField(
        "accounts.Company", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="payout_account"
    )
    wechat_openid = models.CharField(_("WeChat openid"), max_length=128)
    real_name = models.CharField(_("payee's real name"), max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self):
        return f"{self.company_id}: {self.wechat_openid}"


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
