from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalogue.models import Process
from core.admin import ReadableMoney


@admin.register(Process)
class ProcessAdmin(ReadableMoney, admin.ModelAdmin):
    """The tolerance is typed in basis points (as stored) and read as a percentage."""

    list_display = ["code", "name", "name_zh", "reference_unit_price_fen", "tolerance", "active"]
    search_fields = ["code", "name", "name_zh"]
    readonly_fields = ["tolerance"]

    @admin.display(description=_("material tolerance"), ordering="material_tolerance_bps")
    def tolerance(self, obj):
        return f"{obj.material_tolerance_bps / 100:g}%"
