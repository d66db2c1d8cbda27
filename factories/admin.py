from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from factories import services
from factories.models import Capability, FactoryProfile


class CapabilityInline(admin.TabularInline):
    model = Capability
    extra = 0


@admin.register(FactoryProfile)
class FactoryProfileAdmin(admin.ModelAdmin):
    list_display = [
        "company",
        "verification",
        "online",
        "service_radius_km",
        "rating",
        "acceptance_rate",
        "on_time_rate",
        "jobs_taken",
        "jobs_completed",
        "cancellations",
    ]
    list_filter = ["verification", "online"]
    search_fields = ["company__name"]
    readonly_fields = [
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
    actions = ["verify", "suspend"]

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
