"""What the hubs hand a socket is the event's text (``realtime.fanout.event_text``): from an
event read through the ORM, or straight from the database's JSON text of a bulk write, the
phone gets the same message as the API's ``as_message``."""

import gc
import json

import pytest
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.db import connection

from core.models import StreamEvent
from core.outbox import EventRow, event_emit
from marketplace.celery import worker_start_up
from orders import services
from orders.models import Job
from realtime.fanout import event_text, event_wire
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_event_text_of_a_batch_offer_is_its_message_whether_read_as_text_or_through_the_orm():
    # given: a dispatch batch's offer event (written in bulk by SQL), with Chinese and quotes
    job = fixtures.job(mode="dispatch", quantity=800)
    Job.objects.filter(id=job.id).update(address='胶州 "东区" 3号')
    fixtures.factory(lat=36.27, lng=120.03)
    services.dispatch_run_batch()
    stored = StreamEvent.objects.get(type="offer.created")
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM core_event WHERE id = %s", [stored.id])
        raw = cursor.fetchone()[0]
    row = EventRow(stored.id, stored.company_id, stored.seq, stored.type, stored.topic, raw, stored.created_at)
    # when
    from_text, from_orm = json.loads(event_text(row)), json.loads(event_text(stored))
    # then
    assert from_text == from_orm == json.loads(json.dumps(stored.as_message()))
    assert from_text["data"]["job"]["address"] == '胶州 "东区" 3号'
    wire = event_wire(row)
    assert (wire["company_id"], wire["seq"]) == (stored.company_id, stored.seq)


def test_event_text_of_an_ordinary_event_keeps_the_message_fields_in_order(django_capture_on_commit_callbacks):
    # given: an event numbered after its commit
    _, company = fixtures.sme()
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(company_id=company.id, type="notification", data={"kind": "k", "message": "你好 hello", "data": {}})
    stored = StreamEvent.objects.get(company_id=company.id, type="notification")
    # when
    text = event_text(stored)
    # then
    assert list(json.loads(text)) == ["seq", "type", "at", "data"]
    assert json.loads(text)["seq"] == stored.seq >= 1
    assert json.loads(text)["data"] == {"kind": "k", "message": "你好 hello", "data": {}}


def test_a_worker_builds_its_channel_layer_at_start_not_in_its_first_batch():
    # given: a process whose channel layer was never built
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    # when: the worker start-up hook runs (worker_ready, worker_process_init)
    try:
        worker_start_up()
    finally:
        gc.unfreeze()
    # then
    assert DEFAULT_CHANNEL_LAYER in channel_layers.backends
