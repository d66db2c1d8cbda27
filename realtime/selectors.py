"""Reads of the real-time app: a company's stream after a ``seq``, and whether it has a live
socket."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from core.models import StreamEvent
from core.sql import id_in
from realtime.models import Connection


def events_after(*, company_id: int, after: int, limit: int = 500) -> list[StreamEvent]:
    """The company's numbered events with ``seq`` > ``after``, oldest first."""
    return list(StreamEvent.objects.filter(company_id=company_id, seq__gt=after).order_by("seq")[:limit])


def events_between(*, company_id: int, after: int, before: int) -> list[StreamEvent]:
    return list(StreamEvent.objects.filter(company_id=company_id, seq__gt=after, seq__lt=before).order_by("seq"))


def last_seq(*, company_id: int) -> int:
    return StreamEvent.objects.filter(company_id=company_id, seq__isnull=False).aggregate(top=Max("seq"))["top"] or 0


# The events after each company's seq, up to ``limit`` a company, one index descent each.
_AFTER_MANY_SQL = """
SELECT e.* FROM unnest(%s::bigint[], %s::bigint[]) AS a(company_id, after)
CROSS JOIN LATERAL (
    SELECT * FROM core_event WHERE company_id = a.company_id AND seq > a.after ORDER BY seq LIMIT %s
) AS e
ORDER BY e.company_id, e.seq
"""


def events_after_each(*, afters: dict[int, int], limit: int = 500) -> list[StreamEvent]:
    """Each company's numbered events after its own ``seq`` (``{company id: seq}``): a web
    process's tail of the companies whose sockets it holds."""
    if not afters:
        return []
    companies = list(afters)
    return list(StreamEvent.objects.raw(_AFTER_MANY_SQL, [companies, [afters[c] for c in companies], limit]))


def companies_live(*, company_ids) -> set[int]:
    """Which of the companies have a socket whose heartbeat is recent (where to send news)."""
    fresh = timezone.now() - timedelta(seconds=settings.REALTIME_PRESENCE_SECONDS)
    return set(
        Connection.objects.filter(company_id__in=id_in(company_ids), seen_at__gte=fresh)
        .values_list("company_id", flat=True)
        .distinct()
    )


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
