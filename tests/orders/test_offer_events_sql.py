"""The dispatch batch writes its ``offer.created`` events with one SQL statement
(``orders.events.offers_made_in_batch``); they must be the very JSON that the Python builder
(``orders.events.offers_made``, the reference, also used on SQLite) makes of the same offers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Event
from orders import events, services
from orders.models import Job, Offer
from tests import fixtures

pytestmark = pytest.mark.django_db


def _reference_payloads(offers, monkeypatch):
    """The rows ``offers_made`` would write for ``offers`` (caught before they are written)."""
    captured = []
    with monkeypatch.context() as patch:
        patch.setattr(events, "events_emit", captured.extend)
        events.offers_made(offers)
    return {(company_id, topic, data["id"]): data for company_id, _type, data, topic in captured}


def test_batch_offer_events_equal_the_python_payload_field_for_field(monkeypatch):
    # given: jobs with awkward values: a whole-second deadline (no microseconds), an address
    # with quotes and Chinese, float coordinates with long expansions, a split job
    whole_second = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    first = fixtures.job(mode="dispatch", quantity=1200, lat=36.2712345678901, lng=120.0312345678901)
    Job.objects.filter(id=first.id).update(deadline=whole_second, address='胶州 "东区" 3号')
    fixtures.job(mode="dispatch", quantity=3000, allow_split=True, unit_price_fen=17)
    fixtures.factory(lat=36.27, lng=120.03)
    fixtures.factory(lat=36.28, lng=120.04)
    # when
    batch = services.dispatch_run_batch()
    # then
    offers = list(Offer.objects.filter(batch=batch).order_by("id"))
    assert len(offers) >= 2
    expected = _reference_payloads(offers, monkeypatch)
    written = {
        (e.company_id, e.topic, e.data["id"]): e.data
        for e in Event.objects.filter(type="offer.created", data__id__in=[o.id for o in offers])
    }
    assert written == expected
    deadlines = {data["job"]["id"]: data["job"]["deadline"] for data in written.values()}
    assert deadlines[first.id] == whole_second.isoformat()
