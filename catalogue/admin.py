from django.contrib import admin

from catalogue.models import Process
from core.admin import ReadableMoney


@admin.register(Process)
class ProcessAdmin(ReadableMoney, admin.ModelAdmin):
    list_display = ["code", "name", "name_zh", "reference_unit_price_fen", "material_tolerance_bps", "active"]
