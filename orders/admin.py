from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline, duration
from orders.models import (
    Assignment,
    DispatchBatch,
    FactoryQuality,
    Inspection,
    Job,
    JobEvent,
    MaterialMovement,
    Offer,
)

# What a trail row's action says, as a person reads it (the codes stay in the database and API).
ACTIONS = {
    "posted": _("posted"),
    "paid": _("paid"),
    "accepted": _("taken"),
    "accepted_delivery": _("delivery accepted"),
    "auto_accepted": _("accepted automatically"),
    "cancelled": _("cancelled"),
    "unpaid_cancelled": _("cancelled, never paid"),
    "expired": _("expired"),
    "withdrawn": _("given back"),
    "progress": _("progress reported"),
    "materials_received": _("material received"),
    "materials_returned": _("material returned"),
    "dispute_resolved": _("dispute resolved"),
    "offer_declined": _("offer declined"),
    "offer_expired": _("offer expired"),
    "offer_withdrawn": _("offer withdrawn"),
    "inspection_accepted": _("lot accepted at inspection"),
    "inspection_rejected": _("lot rejected at inspection: rework"),
    "inspection_disputed": _("lot rejected at inspection: disputed"),
    "redelivered": _("reworked lot delivered"),
}
STATUSES = {**dict(Job.Status.choices), **dict(Assignment.Status.choices)}


class JobEventInline(ReadOnlyInline):
    """The job's trail, each step once: a share's move also moves the job it follows
    (``job_sync_status`` writes a ``status`` row with the same from/to), so those mirror rows
    are left out here; the job's own moves (posted, paid, cancelled, expired) stay. Actions
    and states show in the reader's language."""

    model = JobEvent
    fields = ["created_at", "actor_label", "step", "from_status", "to_status", "assignment", "reason"]
    readonly_fields = fields

    @admin.display(description=_("action"))
    def step(self, event):
        return ACTIONS.get(event.action) or STATUSES.get(event.action, event.action)

    @admin.display(description=_("from"))
    def from_status(self, event):
        return STATUSES.get(event.old_status, event.old_status) or "-"

    @admin.display(description=_("to"))
    def to_status(self, event):
        return STATUSES.get(event.new_status, event.new_status) or "-"

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
    readonly_fields = ["inspection_evidence"]

    @admin.display(description=_("inspections"))
    def inspection_evidence(self, job):
        """Every inspection of the job's shares beside the quantities, for deciding a dispute."""
        rows = (
            Inspection.objects.filter(assignment__job=job)
            .select_related("assignment__factory")
            .order_by("assignment_id", "round")
        )
        if not rows:
            return "–"
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("factory"),
            _("round"),
            _("pieces inspected"),
            _("lot size"),
            _("defects per class"),
            _("next step"),
            _("note"),
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row.assignment.factory,
                    row.round,
                    row.sample_inspected,
                    row.lot_size,
                    ", ".join(f"{name} {count}" for name, count in row.found.items()),
                    row.get_next_display(),
                    row.note,
                )
                for row in rows
            ),
        )
        return format_html("<table>{}{}</table>", head, body)


class MaterialInline(ReadOnlyInline):
    model = MaterialMovement
    fields = ["kind", "quantity", "note", "actor", "created_at"]
    readonly_fields = fields


class InspectionInline(ReadOnlyInline):
    """Each inspection of the share's delivered lot: the plan's sample, what was found per
    class and the verdict (the desk reads a dispute's evidence here)."""

    model = Inspection
    fields = ["round", "lot_size", "severity", "sample_inspected", "found", "defects", "accepted", "next", "note"]
    readonly_fields = fields


@admin.register(FactoryQuality)
class FactoryQualityAdmin(ReadOnlyAdmin):
    """Each factory's quality per process: GB/T 2828.1 switching state and running figures."""

    list_display = ["factory", "process", "severity", "discontinued", "lots", "first_pass", "defects_per_100_units"]
    list_filter = ["severity", "discontinued", "process"]
    list_select_related = ["factory", "process"]
    search_fields = ["factory__name"]

    @admin.display(description=_("accepted at first inspection"))
    def first_pass(self, obj):
        rate = obj.first_pass_rate
        return "–" if rate is None else f"{rate:.0%}"

    @admin.display(description=_("defects per 100 pieces"))
    def defects_per_100_units(self, obj):
        value = obj.defects_per_100
        return "–" if value is None else f"{value:.1f}"


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "job", "factory", "quantity", "status", "quantity_delivered", "quantity_accepted", "rating"]
    list_filter = ["status", "via"]
    list_select_related = ["job", "factory"]
    search_fields = ["id", "job__id", "factory__name"]
    inlines = [MaterialInline, InspectionInline]


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
        if obj.greedy_cost is None:
            return "-"
        if not obj.baseline_ms:  # batches recorded before its time was kept
            return f"{obj.greedy_cost:,.1f}"
        return f"{obj.greedy_cost:,.1f} ({duration(obj.baseline_ms)})"

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
