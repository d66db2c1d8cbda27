from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalogue.models import InspectionItem, Process
from core.admin import ReadableMoney


class InspectionItemInline(admin.TabularInline):
    model = InspectionItem
    extra = 0
    fields = ["position", "code", "name", "name_zh", "criterion", "criterion_zh", "defect_class"]


@admin.register(Process)
class ProcessAdmin(ReadableMoney, admin.ModelAdmin):
    """The tolerance is typed in basis points (as stored) and read as a percentage."""

    list_display = [
        "code",
        "name",
        "name_zh",
        "reference_unit_price_fen",
        "tolerance",
        "inspection_level",
        "aql_critical",
        "aql_major",
        "aql_minor",
        "active",
    ]
    search_fields = ["code", "name", "name_zh"]
    readonly_fields = ["tolerance"]
    inlines = [InspectionItemInline]

    @admin.display(description=_("material tolerance"), ordering="material_tolerance_bps")
    def tolerance(self, obj):
        return f"{obj.material_tolerance_bps / 100:g}%"
