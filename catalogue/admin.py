from django.contrib import admin

from catalogue.models import InspectionItem, Process
from core.admin import ReadableMoney


class InspectionItemInline(admin.TabularInline):
    model = InspectionItem
    extra = 0
    fields = ["position", "code", "name", "name_zh", "criterion", "criterion_zh", "defect_class"]


@admin.register(Process)
class ProcessAdmin(ReadableMoney, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "name_zh",
        "reference_unit_price_fen",
        "material_tolerance_bps",
        "inspection_level",
        "aql_critical",
        "aql_major",
        "aql_minor",
        "active",
    ]
    inlines = [InspectionItemInline]
