from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import AuditTrailInline, CsvExport, ReadOnlyAdmin, ReadOnlyInline, yuan
from core.errors import ApplicationError
from payments import chart, labels, selectors, services
from payments.models import (
    BillCheck,
    BillDifference,
    LedgerAccount,
    LedgerLeg,
    LedgerTransaction,
    Payment,
    PaymentEvent,
    PayoutAccount,
    PlatformCertificate,
    Refund,
    SettlementBatch,
    SettlementEvent,
    SettlementLine,
    WebhookEvent,
    WechatPayOrder,
)
from payments.services import settlement


class ProviderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return list(labels.PROVIDERS.items())

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


class Readable:
    """Mixin for a read-only admin: ``shown`` swaps a field for a column that reads (a
    gateway's name, a reason the platform wrote) on the list and the detail page alike;
    a ``provider`` list filter offers the gateways by name."""

    shown = {"provider": "provider_label"}

    def _readable(self, names):
        return [self.shown.get(name, name) for name in names]

    def get_list_display(self, request):
        return self._readable(super().get_list_display(request))

    def get_list_filter(self, request):
        return [ProviderFilter if name == "provider" else name for name in super().get_list_filter(request)]

    def get_fields(self, request, obj=None):
        return self._readable(super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return self._readable(super().get_readonly_fields(request, obj))

    @admin.display(description=_("provider"), ordering="provider")
    def provider_label(self, obj):
        return labels.provider(obj.provider)

    @admin.display(description=_("reason"))
    def reason_label(self, obj):
        return labels.reason(obj.reason) or "-"

    @admin.display(description=_("failure reason"))
    def failure_reason_label(self, obj):
        return labels.reason(obj.failure_reason) or "-"


class MoneyTrailInline(AuditTrailInline):
    step_labels = labels.STEPS
    status_labels = labels.STATUSES

    def reason_label(self, reason):
        return labels.reason(reason)


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


class PaymentEventInline(MoneyTrailInline):
    model = PaymentEvent
    fields = ["created_at", "who", "step", "refund", "from_status", "to_status", "why", "details"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(CsvExport, Readable, ReadOnlyAdmin):
    inlines = [PaymentEventInline]
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


@admin.register(WebhookEvent)
class WebhookEventAdmin(Readable, ReadOnlyAdmin):
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


class SettlementLineInline(ReadOnlyInline):
    model = SettlementLine
    fields = ["assignment_id", "amount", "payout_status", "payout_reference", "payout_reason", "confirm_by", "active"]
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount(self, obj):
        return yuan(obj.amount_fen)


class SettlementEventInline(MoneyTrailInline):
    model = SettlementEvent


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(SettlementBatch)
class SettlementBatchAdmin(ReadOnlyAdmin):
    """A batch's page is where an approver checks it (each line's job, process, pieces,
    gross, commission, net; the payee; the totals; the events) and approves or rejects it,
    through a confirmation page showing the totals. The list's actions do the same for many."""

    list_display = ["id", "factory", "cutoff", "total", "status", "built_by", "approved_by", "created_at"]
    list_filter = ["status", "cutoff"]
    search_fields = ["id", "factory__name"]
    date_hierarchy = "cutoff"
    inlines = [SettlementLineInline, SettlementEventInline]
    actions = ["approve_batches", "reject_batches"]
    change_form_template = "admin/payments/settlementbatch/change_form.html"

    @admin.display(description=_("total"), ordering="total_fen")
    def total(self, obj):
        return yuan(obj.total_fen)

    def get_urls(self):
        def view(name):
            return self.admin_site.admin_view(getattr(self, f"{name}_view"))

        return [
            path("<int:batch_id>/approve/", view("approve"), name="payments_settlementbatch_approve"),
            path("<int:batch_id>/reject/", view("reject"), name="payments_settlementbatch_reject"),
            *super().get_urls(),
        ]

    def _review(self, batch) -> dict:
        review = selectors.settlement_batch_review(batch=batch)
        money = ("gross_fen", "commission_fen", "net_fen")
        rows = [{**row, **{name[:-4]: yuan(row[name]) for name in money}} for row in review["rows"]]
        totals = {**review["totals"], **{name[:-4]: yuan(review["totals"][name]) for name in money}}
        return {"review_rows": rows, "review_totals": totals, "payee": review["payee"]}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        extra = self._review(batch) if batch is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _batch_for(self, request, batch_id):
        batch = get_object_or_404(SettlementBatch.objects.select_related("factory", "built_by"), pk=batch_id)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return batch

    def _page(self, request, batch, *, title, form=None, confirm):
        return TemplateResponse(
            request,
            "admin/payments/settlementbatch/confirm.html",
            {
                **self.admin_site.each_context(request),
                **self._review(batch),
                "title": title,
                "batch": batch,
                "form": form,
                "confirm": confirm,
                "opts": self.model._meta,
                "original": batch,
            },
        )

    def _done(self, request, batch, call, message) -> HttpResponseRedirect:
        try:
            call()
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.log_change(request, batch, message)
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:payments_settlementbatch_change", args=[batch.id]))

    def approve_view(self, request, batch_id):
        """GET: the totals to confirm; POST: ``settlement_approve`` (four eyes: the builder
        is refused with the service's reason)."""
        batch = self._batch_for(request, batch_id)
        if request.method != "POST":
            title = _("Approve settlement batch %(id)s") % {"id": batch.id}
            return self._page(request, batch, title=title, confirm=_("Approve and pay out"))
        return self._done(
            request,
            batch,
            lambda: settlement.settlement_approve(batch_id=batch.id, admin=request.user),
            gettext("Approved the batch (%(total)s); payouts are on their way.") % {"total": yuan(batch.total_fen)},
        )

    def reject_view(self, request, batch_id):
        """GET: the totals and a reason to give; POST: ``settlement_reject`` with it."""
        batch = self._batch_for(request, batch_id)
        form = RejectForm(request.POST if request.method == "POST" else None)
        if request.method != "POST" or not form.is_valid():
            title = _("Reject settlement batch %(id)s") % {"id": batch.id}
            return self._page(request, batch, title=title, form=form, confirm=_("Reject"))
        reason = form.cleaned_data["reason"]
        return self._done(
            request,
            batch,
            lambda: settlement.settlement_reject(batch_id=batch.id, admin=request.user, reason=reason),
            gettext("Rejected the batch: %(reason)s") % {"reason": reason},
        )

    def _each(self, request, queryset, call, done_message, log_message):
        done = 0
        for batch in queryset.order_by("id"):
            try:
                call(batch)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"#{batch.id}: {error.message}", messages.ERROR)
            else:
                self.log_change(request, batch, log_message)
        if done:
            self.message_user(request, done_message % done, messages.SUCCESS)

    @admin.action(description=_("Approve selected batches (four eyes) and pay them out"))
    def approve_batches(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda b: settlement.settlement_approve(batch_id=b.id, admin=request.user),
            _("Approved %d batch(es); payouts are on their way."),
            gettext("Approved the batch; payouts are on their way."),
        )

    def _with_reason(self, request, queryset, *, action, title, call, done_message):
        """An action that first asks for a reason on an intermediate page."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(
                request,
                queryset,
                lambda b: call(batch_id=b.id, admin=request.user, reason=reason),
                done_message,
                gettext("Rejected the batch: %(reason)s") % {"reason": reason},
            )
            return None
        return TemplateResponse(
            request,
            "admin/payments/reject_batches.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "items": [(b.pk, f"#{b.id} {b.factory} — {yuan(b.total_fen)}") for b in queryset],
                "note": _("Their lines go back to the pool for the next batch."),
                "title": title,
                "opts": self.model._meta,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Reject selected batches (with a reason)"))
    def reject_batches(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="reject_batches",
            title=_("Reject settlement batches"),
            call=settlement.settlement_reject,
            done_message=_("Rejected %d batch(es); their lines return to the next batch."),
        )


@admin.register(SettlementLine)
class SettlementLineAdmin(CsvExport, ReadOnlyAdmin):
    """Each line's transfer: a transfer the payee has not confirmed can be taken back."""

    list_display = ["id", "batch", "assignment_id", "amount", "payout_status", "confirm_by", "payout_reason", "active"]
    list_filter = ["payout_status", "active"]
    search_fields = ["=id", "=batch__id", "=assignment_id", "batch__factory__name", "payout_reference"]
    actions = ["cancel_transfers"]
    list_select_related = ["batch__factory"]
    export_columns = [
        "id",
        "batch",
        "factory",
        "assignment_id",
        "amount",
        "payout_status",
        "payout_reference",
        "confirm_by",
        "payout_reason",
        "active",
    ]

    @admin.display(description=_("factory"))
    def factory(self, obj):
        return obj.batch.factory.name

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount(self, obj):
        return yuan(obj.amount_fen)

    @admin.action(description=_("Take back selected transfers not yet confirmed (with a reason)"))
    def cancel_transfers(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason, done = form.cleaned_data["reason"], 0
            for line in queryset.order_by("id"):
                try:
                    settlement.payout_cancel(line_id=line.id, admin=request.user, reason=reason)
                    done += 1
                except ApplicationError as error:
                    self.message_user(request, f"#{line.id}: {error.message}", messages.ERROR)
            if done:
                self.message_user(request, _("Asked the gateway to take back %d transfer(s).") % done, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/payments/reject_batches.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "items": [(line.pk, f"#{line.id} {line.batch.factory} — {yuan(line.amount_fen)}") for line in queryset],
                "note": _("The money comes back to the factory's payable once the gateway has cancelled the transfer."),
                "title": _("Take back transfers"),
                "opts": self.model._meta,
                "action": "cancel_transfers",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


def reconciliation_view(request):
    """Per day: paid in, escrow, released, commission, refunded, paid out, and whether it ties out."""
    data = selectors.reconciliation_by_day()
    return TemplateResponse(
        request,
        "admin/payments/reconciliation.html",
        {**admin.site.each_context(request), "title": _("Reconciliation"), **data},
    )
