from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from orders.models import Assignment, DispatchBatch, Job, JobEvent, MaterialMovement, Offer


class JobEventInline(ReadOnlyInline):
    model = JobEvent
    fields = ["created_at", "actor_label", "action", "old_status", "new_status", "assignment", "data"]
    readonly_fields = fields


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["factory", "quantity", "status", "quantity_received", "quantity_delivered", "quantity_accepted"]
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "sme", "process", "quantity", "unit_price_fen", "total_fen", "mode", "status", "deadline"]
    list_filter = ["status", "mode", "process", "allow_split"]
    search_fields = ["id", "sme__name"]
    date_hierarchy = "created_at"
    inlines = [AssignmentInline, JobEventInline]


class MaterialInline(ReadOnlyInline):
    model = MaterialMovement
    fields = ["kind", "quantity", "note", "actor", "created_at"]
    readonly_fields = fields


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "job", "factory", "quantity", "status", "quantity_delivered", "quantity_accepted", "rating"]
    list_filter = ["status", "via"]
    search_fields = ["id", "job__id", "factory__name"]
    inlines = [MaterialInline]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["id", "job", "factory", "quantity", "status", "distance_km", "expires_at", "batch"]
    list_filter = ["status", "split"]
    search_fields = ["id", "job__id", "factory__name"]


@admin.register(DispatchBatch)
class DispatchBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "started_at",
        "jobs",
        "factories",
        "candidates",
        "offers_made",
        "unmatched",
        "solve_ms",
        "total_cost",
        "greedy_cost",
    ]
    date_hierarchy = "started_at"
