"""What the money admins share: gateways by name, the platform's reasons in words, and the
money trails (payments, refunds, settlement batches) as a person reads them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditTrailInline
from payments import labels


class ProviderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return list(labels.PROVIDERS.items())

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


class Readable:
    """Mixin for a read-only admin: ``shown`` swaps a field for a column that reads (a
    gateway's name, a reason the platform wrote) on the list and the detail page alike;
    a ``provider`` list filter offers the gateways by name."""

    shown = {"provider": "provider_label"}

    def _readable(self, names):
        return [self.shown.get(name, name) for name in names]

    def get_list_display(self, request):
        return self._readable(super().get_list_display(request))

    def get_list_filter(self, request):
        return [ProviderFilter if name == "provider" else name for name in super().get_list_filter(request)]

    def get_fields(self, request, obj=None):
        return self._readable(super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return self._readable(super().get_readonly_fields(request, obj))

    @admin.display(description=_("provider"), ordering="provider")
    def provider_label(self, obj):
        return labels.provider(obj.provider)

    @admin.display(description=_("reason"))
    def reason_label(self, obj):
        return labels.reason(obj.reason) or "-"

    @admin.display(description=_("failure reason"))
    def failure_reason_label(self, obj):
        return labels.reason(obj.failure_reason) or "-"


class MoneyTrailInline(AuditTrailInline):
    step_labels = labels.STEPS
    status_labels = labels.STATUSES

    def reason_label(self, reason):
        return labels.reason(reason)
