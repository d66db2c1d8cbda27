from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.models import StreamEvent
from realtime.models import Connection, Device, PushMessage


@admin.register(StreamEvent)
class EventAdmin(ReadOnlyAdmin):
    """Every company's stream (the outbox): offers, board entries, status changes, notifications."""

    list_display = ["id", "company_id", "seq", "type", "topic", "created_at"]
    list_filter = ["type"]
    search_fields = ["=company_id", "topic"]
    ordering = ["-id"]


@admin.register(PushMessage)
class PushMessageAdmin(ReadOnlyAdmin):
    """What the push gateway sent (the sandbox gateway records it here instead of sending)."""

    list_display = ["id", "created_at", "company", "device", "provider", "status", "title", "body"]
    list_filter = ["provider", "status"]
    search_fields = ["company__name", "title", "body"]
    list_select_related = ["company", "device"]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["id", "company", "platform", "token", "created_at"]
    list_filter = ["platform"]
    search_fields = ["company__name", "token"]
    list_select_related = ["company"]


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ["id", "company", "user", "opened_at", "seen_at", "acked_seq"]
    list_select_related = ["company", "user"]
