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

from core.admin import ReadOnlyInline, percent
from core.errors import ApplicationError
from factories import services
from factories.models import Capability, FactoryProfile, offline_reason_display


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class CapabilityInline(ReadOnlyInline):
    """Capabilities change through the factory's own API (``factories.services``)."""

    model = Capability
    fields = ["process", "unit_price_fen", "daily_capacity", "min_quantity", "lead_time_days"]
    readonly_fields = fields


class FactoryProfileForm(forms.ModelForm):
    """The service's rule, checked before saving so the admin shows a form error."""

    def clean(self):
        data = super().clean()
        if self.instance.online and (data.get("lat") is None or data.get("lng") is None):
            raise forms.ValidationError(_("An online factory needs a location; take it offline first."))
        return data


@admin.register(FactoryProfile)
class FactoryProfileAdmin(admin.ModelAdmin):
    form = FactoryProfileForm
    """Location and radius are saved through ``factory_profile_update``; online/offline,
    verification and the track record only change through the services (actions below),
    so taking a factory offline always takes back its pending offers."""

    # Seven columns fit a laptop screen; radius and the raw counters are on the factory's page.
    list_display = ["company", "verification", "online", "offline_because", "rating", "acceptance", "on_time", "jobs"]
    list_select_related = ["company"]
    list_filter = ["verification", "online", "capabilities__process"]
    search_fields = ["company__name"]
    exclude = ["offline_reason"]  # shown in the reader's language as offline_because
    readonly_fields = [
        "company",
        "online",
        "offline_because",
        "verification",
        "verified_at",
        "verified_by",
        "rating_sum",
        "rating_count",
        "offers_received",
        "offers_accepted",
        "consecutive_offer_expiries",
        "jobs_taken",
        "jobs_completed",
        "jobs_on_time",
        "cancellations",
    ]
    inlines = [CapabilityInline]
    actions = ["verify", "suspend", "take_offline"]
    change_form_template = "admin/factories/factoryprofile/change_form.html"

    @admin.display(description=_("offline reason"))
    def offline_because(self, obj):
        return "-" if obj.online else offline_reason_display(obj.offline_reason) or "-"

    def get_urls(self):
        view = self.admin_site.admin_view(self.availability_view)
        return [
            path("<int:company_id>/availability/", view, name="factories_factoryprofile_availability"),
            *super().get_urls(),
        ]

    def _log(self, request, profile, message):
        self.log_change(request, profile, message)

    def availability_view(self, request, company_id):
        """Take a factory offline (its pending offers are taken back) or bring it back, with
        a reason, through ``factory_availability_set``; the admin's history keeps both."""
        profile = get_object_or_404(FactoryProfile.objects.select_related("company"), pk=company_id)
        if not self.has_view_permission(request, profile):
            raise PermissionDenied
        online = not profile.online
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                services.factory_availability_set(company_id=profile.company_id, online=online, reason=reason)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                message = gettext("Brought online: %(reason)s") if online else gettext("Took offline: %(reason)s")
                self._log(request, profile, message % {"reason": reason})
                self.message_user(request, message % {"reason": reason}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:factories_factoryprofile_change", args=[profile.pk]))
        title = _("Bring %(name)s online") if online else _("Take %(name)s offline")
        return TemplateResponse(
            request,
            "admin/factories/factoryprofile/availability.html",
            {
                **self.admin_site.each_context(request),
                "title": title % {"name": profile.company.name},
                "profile": profile,
                "form": form,
                "online": online,
                "reason_now": offline_reason_display(profile.offline_reason),
                "opts": self.model._meta,
                "original": profile,
            },
        )

    @admin.display(description=_("rating"))
    def rating(self, obj):
        return "-" if obj.rating is None else f"{obj.rating:.1f} ★"

    @admin.display(description=_("acceptance rate"))
    def acceptance(self, obj):
        return percent(obj.acceptance_rate)

    @admin.display(description=_("on time"))
    def on_time(self, obj):
        return percent(obj.on_time_rate)

    @admin.display(description=_("jobs completed / taken (given back)"))
    def jobs(self, obj):
        return f"{obj.jobs_completed} / {obj.jobs_taken} ({obj.cancellations})"

    def has_add_permission(self, request):
        return False  # a profile comes with its factory company's registration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.factory_profile_update(company=obj.company, **fields)

    @admin.action(description=_("Verify selected factories"))
    def verify(self, request, queryset):
        for profile in queryset:
            services.factory_verify(company_id=profile.company_id, admin=request.user)
            self._log(request, profile, gettext("Verified."))
        self.message_user(request, _("Verified %d factories.") % queryset.count(), messages.SUCCESS)

    @admin.action(description=_("Suspend selected factories"))
    def suspend(self, request, queryset):
        for profile in queryset:
            services.factory_verify(
                company_id=profile.company_id, admin=request.user, status=FactoryProfile.Verification.SUSPENDED
            )
            self._log(request, profile, gettext("Suspended."))
        self.message_user(request, _("Suspended %d factories.") % queryset.count(), messages.WARNING)

    @admin.action(description=_("Take selected factories offline (with a reason; their pending offers are withdrawn)"))
    def take_offline(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason, done = form.cleaned_data["reason"], 0
            for profile in queryset:
                try:
                    services.factory_availability_set(company_id=profile.company_id, online=False, reason=reason)
                except ApplicationError as error:
                    self.message_user(request, f"{profile}: {error.message}", messages.ERROR)
                else:
                    self._log(request, profile, gettext("Took offline: %(reason)s") % {"reason": reason})
                    done += 1
            self.message_user(request, _("Took %d factories offline.") % done, messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/action_with_reason.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "items": [(p.pk, str(p)) for p in queryset],
                "note": _("Their pending offers are withdrawn; the reason is shown to them."),
                "title": _("Take factories offline"),
                "opts": self.model._meta,
                "action": "take_offline",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
