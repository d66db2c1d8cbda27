from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline, duration
from orders.models import Assignment, DispatchBatch, Job, JobEvent, MaterialMovement, Offer


class JobEventInline(ReadOnlyInline):
    """The job's trail, each step once: a share's move also moves the job it follows
    (``job_sync_status`` writes a ``status`` row with the same from/to), so those mirror rows
    are left out here; the job's own moves (posted, paid, cancelled, expired) stay."""

    model = JobEvent
    fields = ["created_at", "actor_label", "action", "old_status", "new_status", "assignment", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(action="status").select_related("assignment")


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["factory", "quantity", "status", "quantity_received", "quantity_delivered", "quantity_accepted"]
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    # Seven columns fit a laptop screen; price, mode and split are on the job's page.
    list_display = ["id", "sme", "process", "quantity", "total_fen", "status", "deadline"]
    list_filter = ["status", "mode", "process", "allow_split"]
    list_select_related = ["sme", "process"]
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
    list_select_related = ["job", "factory"]
    search_fields = ["id", "job__id", "factory__name"]
    inlines = [MaterialInline]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["id", "job", "factory", "quantity", "status", "distance", "expires_at", "batch"]
    list_filter = ["status", "split"]
    list_select_related = ["job", "factory"]
    search_fields = ["id", "job__id", "factory__name"]

    @admin.display(description=_("distance"), ordering="distance_km")
    def distance(self, obj):
        return f"{obj.distance_km:.1f} km"


@admin.register(DispatchBatch)
class DispatchBatchAdmin(ReadOnlyAdmin):
    """Batches that offered something or had work to weigh; the ones that found no open
    dispatch job or no available factory are only counted (the desk shows how many)."""

    list_display = ["id", "started_at", "jobs", "factories", "candidates", "offers_made", "unmatched", "time"]
    date_hierarchy = "started_at"
    readonly_fields = ["load", "solve", "write", "cost", "greedy"]

    @admin.display(description=_("load / solve / write"))
    def time(self, obj):
        return f"{duration(obj.load_ms)} / {duration(obj.solve_ms)} / {duration(obj.write_ms)}"

    @admin.display(description=_("load"))
    def load(self, obj):
        return duration(obj.load_ms)

    @admin.display(description=_("solve"))
    def solve(self, obj):
        return duration(obj.solve_ms)

    @admin.display(description=_("write"))
    def write(self, obj):
        return duration(obj.write_ms)

    @admin.display(description=_("total cost (an unmatched job costs 1,000,000)"))
    def cost(self, obj):
        return f"{obj.total_cost:,.1f}"

    @admin.display(description=_("greedy cost (the same batch, cheapest pair first)"))
    def greedy(self, obj):
        return f"{obj.greedy_cost:,.1f}"

    def get_fields(self, request, obj=None):
        return [
            "started_at",
            "jobs",
            "factories",
            "candidates",
            "offers_made",
            "unmatched",
            "rounds",
            *self.readonly_fields,
        ]
