from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyInline, percent
from factories import services
from factories.models import Capability, FactoryProfile


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
    list_display = ["company", "verification", "online", "rating", "acceptance", "on_time", "jobs"]
    list_select_related = ["company"]
    list_filter = ["verification", "online"]
    search_fields = ["company__name"]
    readonly_fields = [
        "company",
        "online",
        "offline_reason",
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
        self.message_user(request, _("Verified %d factories.") % queryset.count(), messages.SUCCESS)

    @admin.action(description=_("Suspend selected factories"))
    def suspend(self, request, queryset):
        for profile in queryset:
            services.factory_verify(
                company_id=profile.company_id, admin=request.user, status=FactoryProfile.Verification.SUSPENDED
            )
        self.message_user(request, _("Suspended %d factories.") % queryset.count(), messages.WARNING)

    @admin.action(description=_("Take selected factories offline (their pending offers are withdrawn)"))
    def take_offline(self, request, queryset):
        for profile in queryset:
            services.factory_profile_update(company=profile.company, online=False)
        self.message_user(request, _("Took %d factories offline.") % queryset.count(), messages.WARNING)
