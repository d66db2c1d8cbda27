"""Settlement batches and their lines: a batch's page to check and approve or reject it, the
list's actions, and each line's transfer."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import CsvExport, ReadOnlyAdmin, ReadOnlyInline, yuan
from core.errors import ApplicationError
from payments import selectors
from payments.admin.readable import MoneyTrailInline
from payments.models import (
    SettlementBatch,
    SettlementHistory,
    SettlementLine,
)
from payments.services import settlement


class SettlementLineInline(ReadOnlyInline):
    model = SettlementLine
    fields = ["assignment_id", "amount", "payout_status", "payout_reference", "payout_reason", "confirm_by", "active"]
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount(self, obj):
        return yuan(obj.amount_fen)


class SettlementHistoryInline(MoneyTrailInline):
    model = SettlementHistory


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
    inlines = [SettlementLineInline, SettlementHistoryInline]
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
            "admin/action_with_reason.html",
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
            "admin/action_with_reason.html",
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
