from django.contrib import admin

from orders.admin import ReadOnlyAdmin
from payments.models import LedgerAccount, LedgerLeg, LedgerTransaction, Payment, Refund, WebhookEvent


class LegInline(admin.TabularInline):
    model = LedgerLeg
    extra = 0
    can_delete = False
    fields = ["account", "amount_fen"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "balance_fen", "job_id", "company_id"]
    list_filter = ["kind"]
    search_fields = ["code"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "key", "kind", "job_id", "created_at"]
    list_filter = ["kind"]
    search_fields = ["key", "memo"]
    date_hierarchy = "created_at"
    inlines = [LegInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "job", "sme", "amount_fen", "refunded_fen", "status", "provider", "succeeded_at"]
    list_filter = ["status", "provider"]
    search_fields = ["id", "job__id", "sme__name", "provider_ref"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "key", "payment", "amount_fen", "status", "reason", "created_at"]
    list_filter = ["status"]
    search_fields = ["key"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "provider", "event_id", "event_type", "received_at", "processed_at", "error"]
    list_filter = ["provider", "event_type"]
    search_fields = ["event_id"]
