from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.labels import spec_html
from core.admin import AuditTrailInline, CsvExport, ReadOnlyAdmin, ReadOnlyInline, duration
from core.errors import ApplicationError
from orders import material_selectors, selectors, services
from orders.dispute_evidence import job_evidence
from orders.models import (
    Assignment,
    DispatchBatch,
    FactoryQuality,
    Inspection,
    Job,
    JobHistory,
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
    "disputed": _("disputed"),
    "offer_declined": _("offer declined"),
    "offer_expired": _("offer expired"),
    "offer_withdrawn": _("offer withdrawn"),
    "inspection_accepted": _("lot accepted at inspection"),
    "inspection_rejected": _("lot rejected at inspection: rework"),
    "inspection_disputed": _("lot rejected at inspection: disputed"),
    "redelivered": _("reworked lot delivered"),
}
STATUSES = {**dict(Job.Status.choices), **dict(Assignment.Status.choices)}
# The reasons the platform writes on a job's trail (offers taken back), as a person reads them.
REASONS = {
    "the factory went offline": _("the factory went offline"),
    "the factory was switched offline": _("the factory was switched offline"),
    "the factory is suspended": _("the factory is suspended"),
    "the factory is unverified": _("the factory is unverified"),
}


def reason_label(reason: str) -> str:
    """A trail's reason in the reader's language: the platform's own translated ("job
    cancelled" names the job's new state), a person's as written."""
    if reason in REASONS:
        return str(REASONS[reason])
    if reason.startswith("job ") and reason[4:] in STATUSES:
        return _("the job is %(status)s") % {"status": STATUSES[reason[4:]]}
    return reason


class WaitingFilter(admin.SimpleListFilter):
    """Jobs the desk points at: open for a factory too long, or past their deadline."""

    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        minutes = int(selectors.WAITING_FOR_FACTORY.total_seconds() // 60)
        return [
            ("waiting", _("waiting for a factory over %(minutes)s min") % {"minutes": minutes}),
            ("overdue", _("overdue (past the deadline, not delivered)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(id__in=selectors.jobs_waiting_for_factory().values("id"))
        if self.value() == "overdue":
            return queryset.filter(id__in=selectors.jobs_overdue().values("id"))
        return queryset


class JobHistoryInline(AuditTrailInline):
    """The job's trail, each step once: a share's move also moves the job it follows
    (``job_sync_status`` writes a ``status`` row with the same from/to), so those mirror rows
    are left out here; the job's own moves (posted, paid, cancelled, expired) stay. Actions
    and states show in the reader's language."""

    model = JobHistory
    step_labels = ACTIONS
    status_labels = STATUSES
    fields = ["created_at", "who", "step", "from_status", "to_status", "assignment", "why", "details"]
    readonly_fields = fields

    def reason_label(self, reason):
        return reason_label(reason)

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(action="status").select_related("assignment")


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["factory", "quantity", "status", "quantity_received", "quantity_delivered", "quantity_accepted"]
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(CsvExport, ReadOnlyAdmin):
    # Eight columns fit a laptop screen; price, mode and split are on the job's page. Search
    # finds a job by id, SME, a factory holding a share, or its process in either language.
    list_display = ["id", "sme", "process", "factories", "quantity", "total_fen", "status", "deadline"]
    list_filter = [WaitingFilter, "status", "mode", "process", "allow_split"]
    list_select_related = ["sme", "process"]
    search_fields = [
        "=id",
        "sme__name",
        "assignments__factory__name",
        "process__name",
        "process__name_zh",
        "process__code",
    ]
    export_columns = [
        "id",
        "created_at",
        "sme",
        "process",
        "factories",
        "quantity",
        "unit_price_fen",
        "total_fen",
        "mode",
        "status",
        "deadline",
    ]
    date_hierarchy = "created_at"
    inlines = [AssignmentInline, JobHistoryInline]
    change_form_template = "admin/orders/job/change_form.html"
    readonly_fields = ["inspection_evidence"]

    def get_queryset(self, request):
        live = Assignment.objects.exclude(status=Assignment.Status.WITHDRAWN).select_related("factory")
        return super().get_queryset(request).prefetch_related(Prefetch("assignments", queryset=live, to_attr="shares"))

    @admin.display(description=_("factories"))
    def factories(self, obj):
        return ", ".join(share.factory.name for share in obj.shares) or "-"

    def get_fields(self, request, obj=None):
        # The spec as labelled fields from its process's schema instead of raw JSON.
        fields = ["spec_fields" if name == "spec" else name for name in super().get_fields(request, obj)]
        return list(dict.fromkeys(fields))

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "spec_fields"]

    @admin.display(description=_("spec"))
    def spec_fields(self, obj):
        return spec_html(obj.process.spec_schema, obj.spec)

    def get_urls(self):
        view = self.admin_site.admin_view(self.resolve_dispute_view)
        return [path("<int:job_id>/resolve-dispute/", view, name="orders_job_resolve_dispute"), *super().get_urls()]

    def resolve_dispute_view(self, request, job_id):
        """The dispute settled on the job's own page, through the service the API uses
        (``dispute_resolve``), with the agreed pieces per factory and a note for the trail;
        the admin's history keeps who did it and why."""
        job = get_object_or_404(Job.objects.select_related("sme", "process"), pk=job_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        shares = selectors.dispute_shares(job=job)
        evidence = job_evidence(job=job, shares=[row["assignment"] for row in shares])
        form = ResolveDisputeForm(request.POST if request.method == "POST" else None, shares=shares)
        if request.method == "POST" and form.is_valid():
            agreed = {row["assignment"].id: form.cleaned_data[f"share_{row['assignment'].id}"] for row in shares}
            note = form.cleaned_data["note"]
            try:
                services.dispute_resolve(job_id=job.id, admin=request.user, shares=agreed, note=note)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                accepted = ", ".join(f"{row['factory'].name} {agreed[row['assignment'].id]}" for row in shares)
                self.log_change(
                    request,
                    job,
                    gettext("Resolved the dispute: accepted %(accepted)s. Note: %(note)s")
                    % {"accepted": accepted, "note": note},
                )
                self.message_user(request, gettext("The dispute is resolved; the money has moved."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:orders_job_change", args=[job.id]))
        return TemplateResponse(
            request,
            "admin/orders/job/resolve_dispute.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Resolve the dispute of job %(id)s") % {"id": job.id},
                "job": job,
                "rows": [
                    (row, form[f"share_{row['assignment'].id}"], share)
                    for row, share in zip(shares, evidence["shares"], strict=True)
                ],
                "job_photos": evidence["job_photos"],
                "form": form,
                "opts": self.model._meta,
                "original": job,
            },
        )

    @admin.display(description=_("inspections and photos"))
    def inspection_evidence(self, job):
        """Every share's inspections beside its quantities, with the photos of both sides
        (thumbnails through short-lived URLs), for deciding a dispute."""
        evidence = job_evidence(job=job)
        shares = evidence["shares"]
        if not evidence["job_photos"] and not any(
            s["inspections"] or s["factory_photos"] or s["sme_photos"] for s in shares
        ):
            return "–"
        return render_to_string("admin/orders/job/evidence.html", {"evidence": evidence})


class ResolveDisputeForm(forms.Form):
    """One accepted quantity per disputed share (0 to what it delivered) and a required note."""

    note = forms.CharField(
        label=_("Note for the job's trail"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, shares, **kwargs):
        super().__init__(*args, **kwargs)
        for row in shares:
            self.fields[f"share_{row['assignment'].id}"] = forms.IntegerField(
                label=row["factory"].name, min_value=0, max_value=row["delivered"], initial=row["delivered"]
            )


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
    date_hierarchy = "assigned_at"
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


def materials_view(request):
    """The customer material per SME and per factory: sent, received, lost, returned, and what
    is still to come back (``material_selectors.materials_by_company``)."""
    figures = material_selectors.materials_by_company()
    return TemplateResponse(
        request,
        "admin/orders/materials.html",
        {
            **admin.site.each_context(request),
            "title": _("Customer material"),
            "totals": figures["totals"],
            "tables": [
                ("smes", figures["smes"], _("Per SME"), _("SME")),
                ("factories", figures["factories"], _("Per factory"), _("factory")),
            ],
        },
    )
