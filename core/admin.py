"""Admin pieces every app's admin shares. Money and lifecycle rows change only through their
services, so their admin pages are read-only (actions call the services).

Everything a person reads is readable: money in yuan (``yuan``; the database and the API
keep fen), rates as percentages, durations in ms or s. ``ReadableMoney`` swaps every
``*_fen`` model field of a list, a detail page or an inline for a yuan column of the same
name without the unit (``total_fen`` -> ``total_yuan``, headed "total")."""

import csv

from django.contrib import admin
from django.contrib.admin.utils import display_for_field, display_for_value, label_for_field, lookup_field
from django.http import StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.functional import lazy
from django.utils.html import strip_tags
from django.utils.translation import gettext, override

from core import readable
from core.readable import duration, percent, yuan

__all__ = [
    "AuditTrailInline",
    "CsvExport",
    "ReadOnlyAdmin",
    "ReadOnlyInline",
    "ReadableMoney",
    "duration",
    "percent",
    "yuan",
]


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


class _Echo:
    def write(self, value):
        return value


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (a leading = + @ or a
    minus that is not a negative amount)."""
    if value[:1] in ("=", "+", "@", "\t", "\r") or (value[:1] == "-" and value[1:2] not in ("", "¥")):
        return "'" + value
    return value


class CsvExport:
    """Mixin for a ModelAdmin: the list action *Export selected as CSV* writes the rows as
    the list shows them (``export_columns``, by default the list's columns): the same
    headers, labels and yuan, in the reader's language, as UTF-8 with a byte-order mark so
    a spreadsheet opens the Chinese correctly. Built on the csv module, streamed."""

    export_columns: list[str] | None = None

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions["export_csv"] = (CsvExport.export_csv, "export_csv", CsvExport.export_csv.short_description)
        return actions

    def _export_row(self, obj, columns):
        """Each cell as the change list shows it (``items_for_result``'s rules)."""
        row = []
        for name in columns:
            field, attr, value = lookup_field(name, obj, self)
            if isinstance(value, bool):  # the list draws an icon
                text = gettext("yes") if value else gettext("no")
            elif field is None or field.auto_created:
                text = display_for_value(value, "", getattr(attr, "boolean", False))
            elif field.is_relation:
                text = "" if value is None else value
            else:
                text = display_for_field(value, field, "")
            row.append(_cell(strip_tags(force_str(text)).strip()))
        return row

    def export_csv(self, request, queryset):
        columns = [c for c in (self.export_columns or self.get_list_display(request)) if c != "action_checkbox"]
        if isinstance(self, ReadableMoney):
            columns = self._in_yuan(columns)
        headers = [force_str(label_for_field(name, self.model, self)) for name in columns]
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow(headers)
            for obj in queryset.iterator(chunk_size=500):
                yield writer.writerow(self._export_row(obj, columns))

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.model_name}.csv"'
        return response

    export_csv.short_description = _translated_later("Export selected as CSV")


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


class AuditTrailInline(ReadOnlyInline):
    """An audit trail (``core.models.HistoryEntry`` rows) as a person reads it: who (the
    platform itself is "system" in the reader's language), the step and the states by the
    owning app's labels (``step_labels``, ``status_labels``), the reason (``reason_label``
    turns the platform's own reasons into words; a person's are shown as typed) and the data
    as words and yuan instead of JSON. The codes stay in the database and the API."""

    step_labels: dict = {}
    status_labels: dict = {}
    fields = ["created_at", "who", "step", "from_status", "to_status", "why", "details"]
    readonly_fields = fields

    def reason_label(self, reason: str) -> str:
        return reason

    @admin.display(description=_translated_later("actor"))
    def who(self, event):
        return readable.actor(event.actor_label)

    @admin.display(description=_translated_later("action"))
    def step(self, event):
        return self.step_labels.get(event.action) or self.status_labels.get(event.action, event.action)

    @admin.display(description=_translated_later("from"))
    def from_status(self, event):
        return self.status_labels.get(event.old_status, event.old_status) or "-"

    @admin.display(description=_translated_later("to"))
    def to_status(self, event):
        return self.status_labels.get(event.new_status, event.new_status) or "-"

    @admin.display(description=_translated_later("reason"))
    def why(self, event):
        return self.reason_label(event.reason) or "-"

    @admin.display(description=_translated_later("details"))
    def details(self, event):
        data = event.data if isinstance(event.data, dict) else {}
        # the reason is its own column when the row has one
        skip = ("reason",) if event.reason and data.get("reason") == event.reason else ()
        return readable.audit_data(
            {
                key: self.reason_label(value)
                if key == "reason"
                else self.status_labels.get(value, value)
                if isinstance(value, str)
                else value
                for key, value in data.items()
            }
            or event.data,
            skip=skip,
        )
