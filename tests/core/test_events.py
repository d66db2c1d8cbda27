"""The typed events (core.events): each type is one registered class, every emitted event is
checked against it under EVENTS_VALIDATE (on for the whole suite), and realtime dispatches on
the classes, never on the type strings of the apps above it."""

from pathlib import Path

import pytest

from core.events import EventType, InvalidEvent, event_type, event_types
from core.models import StreamEvent
from core.outbox import event_emit, events_emit
from orders.cards import JobCard, OfferCard
from realtime.services import push_message_for
from tests import fixtures

ROOT = Path(__file__).resolve().parents[2]

# The types API.md and docs name; the registry must hold exactly these (a new one: add it here
# and to API.md's list).
DOCUMENTED = {
    "offer.created",
    "offer.withdrawn",
    "offer.expired",
    "offer.accepted",
    "offer.declined",
    "board.job_added",
    "board.job_removed",
    "board.refreshed",
    "job.status_changed",
    "assignment.status_changed",
    "inspection.recorded",
    "payment.status_changed",
    "settlement.status_changed",
    "payout.status_changed",
    "notification",
    "photo.added",
}


def test_every_type_is_one_registered_class_in_the_app_that_owns_it():
    # given the registry, filled from each installed app's events module
    types = event_types()
    # then it holds the documented types, each a class of its owning app with a described payload
    assert set(types) == DOCUMENTED
    owners = {"offer": "orders", "board": "orders", "job": "orders", "assignment": "orders", "inspection": "orders"}
    owners |= {"payment": "payments", "settlement": "payments", "payout": "payments"}
    owners |= {"notification": "accounts", "photo": "evidence"}
    for name, cls in types.items():
        assert issubclass(cls, EventType) and cls.type == name
        assert cls.__module__ == f"{owners[name.split('.')[0]]}.events", name
        assert cls.audience and cls.description, name
        schema = cls.payload_schema()
        assert schema["properties"], name
        assert all(prop.get("description") for prop in schema["properties"].values()), name
        if cls.example is not None:
            cls.validate(cls.example)  # an example is a payload like any other


@pytest.mark.django_db
def test_an_unknown_type_or_a_payload_unlike_its_class_is_refused_and_nothing_is_written():
    # given a company
    _user, company = fixtures.sme()
    cases = [
        ("job.status_chnaged", {"job_id": 1, "old": "open", "new": "assigned"}),  # unknown type
        ("job.status_changed", {"job_id": 1, "old": "open"}),  # a field missing
        ("job.status_changed", {"job_id": 1, "old": "open", "new": "assigned", "extra": 1}),  # one too many
        ("job.status_changed", {"job_id": "1", "old": "open", "new": "assigned"}),  # the wrong type
        ("job.status_changed", {"job_id": 1, "old": "open", "new": "finished"}),  # not a status
    ]
    before = StreamEvent.objects.count()
    for type_name, data in cases:
        # when it is emitted, alone or in a batch
        with pytest.raises(InvalidEvent):
            event_emit(company_id=company.id, type=type_name, data=data)
        with pytest.raises(InvalidEvent):
            events_emit([(company.id, type_name, data, "")])
    # then no row was written
    assert StreamEvent.objects.count() == before


@pytest.mark.django_db
def test_emitting_through_the_class_writes_the_wire_format():
    # given a company and the job status class
    _user, company = fixtures.sme()
    cls = event_type("job.status_changed")
    # when a status change is emitted through it, twice to the same company in one call
    written = cls.emit([company.id, company.id], {"job_id": 7, "old": "open", "new": "delivered"}, topic="job:7")
    # then the company gets it once, with exactly the declared data
    assert written == 1
    event = StreamEvent.objects.get(company_id=company.id)
    assert (event.type, event.data, event.topic) == (
        "job.status_changed",
        {"job_id": 7, "old": "open", "new": "delivered"},
        "job:7",
    )
    # and the class says what the phone reads
    assert push_message_for(event) == ("订单状态更新 Job update", "#7 已交付 delivered")


@pytest.mark.django_db
def test_pushes_come_from_the_classes():
    # given events of several types
    _user, company = fixtures.sme()
    job = {
        **JobCard.example,
        "quantity": 10,
        "unit_price_fen": 150,
        "total_fen": 1500,
        "process_name": "Embroidery",
        "process_name_zh": "刺绣",
    }
    offer = {**OfferCard.example, "job": job, "quantity": 10, "amount_fen": 1500, "distance_km": 2.5}
    moved = {"job_id": 3, "old": "open", "new": "assigned"}
    rows = [
        ("offer.created", offer),
        ("job.status_changed", {**moved, "old": "assigned", "new": "materials_sent"}),
        ("board.refreshed", {"jobs": 4}),
    ]
    events_emit([(company.id, type_name, data, "") for type_name, data in rows])
    # when realtime asks what each deserves
    pushes = [push_message_for(e) for e in StreamEvent.objects.filter(company_id=company.id).order_by("id")]
    # then the offer is pushed with its numbers, the others not
    assert pushes == [("新派单邀约 New job offer", "10 × 刺绣 Embroidery · ¥15.00 · 2.5 km"), None, None]


def test_realtime_and_core_never_name_an_upper_apps_event_type():
    # given the event types of the apps above realtime
    upper = {name for name, cls in event_types().items() if cls.__module__.split(".")[0] != "accounts"}
    # when realtime's and core's code is read
    sources = {p: p.read_text() for d in ("realtime", "core") for p in (ROOT / d).rglob("*.py")}
    # then none of it compares or builds one of those type strings
    for path, text in sources.items():
        for name in upper:
            assert f'"{name}"' not in text and f"'{name}'" not in text, (path, name)
