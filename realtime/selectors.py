"""Reads of the real-time app: a company's stream after a ``seq``, and whether it has a live
socket."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from core.models import Event
from realtime.models import Connection


def events_after(*, company_id: int, after: int, limit: int = 500) -> list[Event]:
    """The company's numbered events with ``seq`` > ``after``, oldest first."""
    return list(Event.objects.filter(company_id=company_id, seq__gt=after).order_by("seq")[:limit])


def events_between(*, company_id: int, after: int, before: int) -> list[Event]:
    return list(Event.objects.filter(company_id=company_id, seq__gt=after, seq__lt=before).order_by("seq"))


def last_seq(*, company_id: int) -> int:
    return Event.objects.filter(company_id=company_id, seq__isnull=False).aggregate(top=Max("seq"))["top"] or 0


def events_after_position(*, position: int, limit: int = 1000) -> list[Event]:
    """Every company's numbered events after a global ``position`` (a web process's tail)."""
    return list(Event.objects.filter(position__gt=position).order_by("position")[:limit])


def last_position() -> int:
    return Event.objects.aggregate(top=Max("position"))["top"] or 0


def company_is_live(*, company_id: int) -> bool:
    """Has the company a socket whose heartbeat is recent?"""
    fresh = timezone.now() - timedelta(seconds=settings.REALTIME_PRESENCE_SECONDS)
    return Connection.objects.filter(company_id=company_id, seen_at__gte=fresh).exists()


def socket_credentials_hold(*, user_id: int, password: str, company_id: int) -> bool:
    """Is the user who opened a socket still active, under the same password, in the company?"""
    return (
        get_user_model()
        .objects.filter(id=user_id, is_active=True, password=password, membership__company_id=company_id)
        .exists()
    )
