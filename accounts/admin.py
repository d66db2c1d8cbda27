from django.contrib import admin

from accounts import services
from accounts.models import Company, Membership
from core.admin import ReadOnlyInline


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """Name, location and address are edited through ``accounts.services.company_update``;
    kind and memberships are fixed at registration."""

    list_display = ["id", "name", "kind", "address", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    fields = ["name", "kind", "lat", "lng", "address"]
    readonly_fields = ["kind"]
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return False  # companies register through the API (or seed_demo), which makes the membership too

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.company_update(company_id=obj.id, **{name: form.cleaned_data[name] for name in form.changed_data})
