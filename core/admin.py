"""Admin pieces every app's admin shares. Money and lifecycle rows change only through their
services, so their admin pages are read-only (actions call the services).

Everything a person reads is readable: money in yuan (``yuan``; the database and the API
keep fen), rates as percentages, durations in ms or s. ``ReadableMoney`` swaps every
``*_fen`` model field of a list, a detail page or an inline for a yuan column of the same
name without the unit (``total_fen`` -> ``total_yuan``, headed "total")."""

from django.contrib import admin
from django.utils.functional import lazy
from django.utils.translation import gettext, override

from core.readable import duration, percent, yuan

__all__ = ["ReadOnlyAdmin", "ReadOnlyInline", "ReadableMoney", "duration", "percent", "yuan"]


def _translated_later(english: str):
    return lazy(lambda: gettext(english), str)()


def _yuan_column(field):
    with override("en"):
        english = str(field.verbose_name).replace(" (fen)", "")

    def column(obj):
        return yuan(getattr(obj, field.attname))

    column.short_description = _translated_later(english)
    column.admin_order_field = field.name
    return column


class ReadableMoney:
    """Mixin for a ModelAdmin or an inline: ``*_fen`` fields appear as yuan columns."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fen_fields = {f.name for f in self.model._meta.fields if f.name.endswith("_fen")}
        for field in self.model._meta.fields:
            if field.name in self._fen_fields:
                setattr(self, field.name[: -len("_fen")] + "_yuan", _yuan_column(field))

    def _in_yuan(self, names):
        return [n[: -len("_fen")] + "_yuan" if n in self._fen_fields else n for n in names]

    def get_list_display(self, request):
        return self._in_yuan(super().get_list_display(request))

    # Pages where fen can be typed in (an editable admin) keep the field itself.
    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self.has_change_permission(request, obj) else list(dict.fromkeys(self._in_yuan(fields)))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if self.has_change_permission(request, obj) else self._in_yuan(fields)


class ReadOnlyAdmin(ReadableMoney, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadableMoney, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
