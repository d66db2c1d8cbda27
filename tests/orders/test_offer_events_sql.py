"""The dispatch batch writes its ``offer.created`` events with one SQL statement
(``orders.events.offers_made_in_batch``): each carries everything a factory needs to decide
before accepting (DOMAIN.md "Matching"), as the JSON a phone reads, field for field."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import StreamEvent
from core.outbox import events_sequence
from orders import services
from orders.cards import OfferCard
from orders.models import Job, Offer
from tests import fixtures

pytestmark = pytest.mark.django_db


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat()  # API.md "Times": +08:00 everywhere


def test_batch_offer_events_carry_the_offer_and_its_job_field_for_field():
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
    # then: one event per offer, to its factory, on its job's topic, saying exactly this
    offers = list(Offer.objects.filter(batch=batch).select_related("job__process").order_by("id"))
    assert len(offers) >= 2
    # the SQL projection of the offer card says what its Python reading says (both derive
    # from orders.cards.OfferCard), for every field of every offer
    expected = {(offer.factory_id, f"job:{offer.job_id}", offer.id): OfferCard.of(offer) for offer in offers}
    written = {
        (e.company_id, e.topic, e.data["id"]): e.data
        for e in StreamEvent.objects.filter(type="offer.created", data__id__in=[o.id for o in offers])
    }
    assert written == expected
    # and that reading is the facts themselves, not a shared mistake
    for offer in offers:
        data, job = written[(offer.factory_id, f"job:{offer.job_id}", offer.id)], offer.job
        assert data["amount_fen"] == offer.quantity * job.unit_price_fen
        assert (data["job"]["process"], data["job"]["process_name_zh"]) == (job.process.code, job.process.name_zh)
        assert (data["job"]["lat"], data["job"]["lng"], data["job"]["spec"]) == (job.lat, job.lng, job.spec)
        assert data["expires_at"] == _iso(offer.expires_at) and data["status"] == "pending"
    deadlines = {data["job"]["id"]: data["job"]["deadline"] for data in written.values()}
    assert deadlines[first.id] == timezone.localtime(whole_second).isoformat()
    assert deadlines[first.id].endswith("+08:00")
    assert written[next(k for k in written if k[1] == f"job:{first.id}")]["job"]["address"] == '胶州 "东区" 3号'
    # written unnumbered in the batch's transaction, numbered after its commit
    events_sequence()
    assert all(e.seq is not None for e in StreamEvent.objects.filter(type="offer.created"))
