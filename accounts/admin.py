from django.contrib import admin

from accounts.models import Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "kind", "address", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    inlines = [MembershipInline]
