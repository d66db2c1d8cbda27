"""The ledger, payments, refunds, the gateways' books and payout accounts (read-only but for
payout accounts, saved through their service), and the reconciliation page."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, Sum
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.admin import CsvExport, ReadOnlyAdmin, ReadOnlyInline, yuan
from core.errors import ApplicationError
from payments import chart, selectors, services
from payments.admin.readable import MoneyTrailInline, Readable
from payments.models import (
    BillCheck,
    BillDifference,
    GatewayMessage,
    LedgerAccount,
    LedgerLeg,
    LedgerTransaction,
    Payment,
    PaymentHistory,
    PayoutAccount,
    PlatformCertificate,
    Refund,
    WechatPayOrder,
)


class LegInline(ReadOnlyInline):
    model = LedgerLeg
    fields = ["account", "amount_fen"]
    readonly_fields = fields


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "balance_fen", "job_id", "company_id"]
    list_filter = ["kind"]
    search_fields = ["code"]


TX_KINDS = dict(chart.TxKind.choices)


class TxKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return list(TX_KINDS.items())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(CsvExport, ReadOnlyAdmin):
    """Each transaction's kind by its name (``payments.chart.TxKind``) and its amount: the
    sum of its positive legs (what moved), in yuan."""

    list_display = ["id", "key", "kind_label", "amount", "job_id", "created_at"]
    list_filter = [TxKindFilter]
    search_fields = ["key", "memo"]
    date_hierarchy = "created_at"
    inlines = [LegInline]
    readonly_fields = ["kind_label", "amount"]

    def get_fields(self, request, obj=None):
        return ["kind_label" if name == "kind" else name for name in super().get_fields(request, obj)]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return TX_KINDS.get(obj.kind, obj.kind)

    export_columns = ["id", "created_at", "key", "kind_label", "amount", "job_id", "entries", "memo"]

    def get_queryset(self, request):
        moved = Sum("legs__amount_fen", filter=Q(legs__amount_fen__gt=0))
        return super().get_queryset(request).annotate(moved_fen=moved).prefetch_related("legs__account")

    @admin.display(description=_("entries"))
    def entries(self, obj):
        return "; ".join(f"{leg.account.code} {yuan(leg.amount_fen)}" for leg in obj.legs.all())

    @admin.display(description=_("amount"), ordering="moved_fen")
    def amount(self, obj):
        return yuan(obj.moved_fen)


class PaymentHistoryInline(MoneyTrailInline):
    model = PaymentHistory
    fields = ["created_at", "who", "step", "refund", "from_status", "to_status", "why", "details"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(CsvExport, Readable, ReadOnlyAdmin):
    inlines = [PaymentHistoryInline]
    list_display = ["id", "job_id", "sme", "amount_fen", "refunded_fen", "status", "provider", "succeeded_at"]
    list_filter = ["status", "provider"]
    search_fields = ["id", "job_id", "sme__name", "provider_ref"]
    shown = {**Readable.shown, "failure_reason": "failure_reason_label"}


@admin.register(Refund)
class RefundAdmin(CsvExport, Readable, ReadOnlyAdmin):
    shown = {**Readable.shown, "reason": "reason_label", "failure_reason": "failure_reason_label"}
    list_display = ["id", "key", "payment", "amount_fen", "status", "reason", "failure_reason", "created_at"]
    list_filter = ["status"]
    search_fields = ["key"]
    actions = ["retry_refunds"]

    @admin.action(description=_("Send the selected failed refunds again"))
    def retry_refunds(self, request, queryset):
        done = 0
        for refund in queryset.order_by("id"):
            try:
                services.refund_retry(refund_id=refund.id, admin=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"#{refund.id}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, _("Sending %d refund(s) again.") % done, messages.SUCCESS)


@admin.register(GatewayMessage)
class GatewayMessageAdmin(Readable, ReadOnlyAdmin):
    list_display = ["id", "provider", "event_id", "event_type", "received_at", "processed_at", "error"]
    list_filter = ["provider", "event_type"]
    search_fields = ["event_id"]


@admin.register(WechatPayOrder)
class WechatPayOrderAdmin(ReadOnlyAdmin):
    list_display = ["out_trade_no", "payment", "channel", "appid", "expires_at", "closed", "created_at"]
    list_filter = ["channel", "closed"]
    search_fields = ["out_trade_no"]


@admin.register(PlatformCertificate)
class PlatformCertificateAdmin(ReadOnlyAdmin):
    """WeChat Pay's platform certificates the service trusts (downloaded on a schedule)."""

    list_display = ["serial_no", "effective_at", "expires_at", "fetched_at"]


@admin.register(BillCheck)
class BillCheckAdmin(Readable, ReadOnlyAdmin):
    """Each day's check of the gateway's bill: a failed check compared nothing."""

    list_display = ["bill_date", "provider", "outcome", "rows", "differences", "error", "checked_at"]
    list_filter = ["outcome", "provider"]
    date_hierarchy = "bill_date"


@admin.register(BillDifference)
class BillDifferenceAdmin(Readable, ReadOnlyAdmin):
    """What the gateway's daily bill and our ledger disagree on (``bill_reconcile``)."""

    list_display = ["bill_date", "provider", "kind", "number", "gateway_yuan", "ledger_yuan", "detail"]
    list_filter = ["kind", "provider", "bill_date"]
    search_fields = ["number", "detail"]
    date_hierarchy = "bill_date"

    @admin.display(description=_("gateway (yuan)"))
    def gateway_yuan(self, obj):
        return "" if obj.gateway_fen is None else yuan(obj.gateway_fen)

    @admin.display(description=_("ledger (yuan)"))
    def ledger_yuan(self, obj):
        return "" if obj.ledger_fen is None else yuan(obj.ledger_fen)


class PayoutAccountForm(forms.ModelForm):
    class Meta:
        model = PayoutAccount
        fields = ["company", "wechat_openid", "wechat_appid", "real_name"]

    def clean(self):
        # The service's own checks, shown on the form instead of failing the save.
        data = super().clean()
        company = data.get("company") or getattr(self.instance, "company", None)
        if company is not None and company.kind != "factory":
            self.add_error("company", _("Only a factory is paid out."))
        openid = (data.get("wechat_openid") or "").strip()
        if openid and not openid.isascii():
            self.add_error("wechat_openid", _("Not a WeChat openid."))
        return data


@admin.register(PayoutAccount)
class PayoutAccountAdmin(admin.ModelAdmin):
    """Where each factory's payouts are transferred; saved through ``payout_account_set``."""

    form = PayoutAccountForm
    list_display = ["company", "wechat_openid", "wechat_appid", "updated_at"]
    search_fields = ["company__name", "wechat_openid"]
    autocomplete_fields = ["company"]

    def get_readonly_fields(self, request, obj=None):
        return ["company"] if obj else []

    def save_model(self, request, obj, form, change):
        account = services.payout_account_set(
            company_id=obj.company_id,
            wechat_openid=obj.wechat_openid,
            real_name=obj.real_name,
            wechat_appid=obj.wechat_appid,
        )
        obj.pk, obj.updated_at = account.pk, account.updated_at

    def has_delete_permission(self, request, obj=None):
        return False


def reconciliation_view(request):
    """Per day: paid in, escrow, released, commission, refunded, paid out, and whether it ties out."""
    data = selectors.reconciliation_by_day()
    return TemplateResponse(
        request,
        "admin/payments/reconciliation.html",
        {**admin.site.each_context(request), "title": _("Reconciliation"), **data},
    )
