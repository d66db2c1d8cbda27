"""The outbox: events commit with their change, and are numbered per company in commit order,
without a lock shared by companies."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from accounts.services import notification_send
from core.models import StreamEvent
from core.outbox import COMPANY_LOCK_BASE, event_emit, events_emit, events_emit_select, events_sequence
from tests import fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _rows_of_any_type(settings):
    # These tests number and commit bare rows of made-up types ("a", "lost", ...): the
    # outbox's mechanics, not any event's contract (tests/core/test_events.py checks that).
    settings.EVENTS_VALIDATE = False


def _stream(company_id):
    return list(StreamEvent.objects.filter(company_id=company_id).order_by("seq").values_list("seq", "type"))


def test_outbox_numbers_each_company_from_one():
    # when
    event_emit(company_id=1, type="a")
    events_emit([(2, "b", {}, ""), (1, "c", {}, ""), (2, "d", {}, "")])
    # then
    assert _stream(1) == [(1, "a"), (2, "c")]
    assert _stream(2) == [(1, "b"), (2, "d")]


def test_outbox_bulk_rows_keep_their_data_topic_and_order():
    # given: rows whose data needs quoting and encoding (one JSON parameter carries them all)
    at = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    data = {"name": '魔术贴 "box-x"\n\\', "at": at, "nested": {"n": [1, 2.5, None]}, "empty": ""}
    # when
    events_emit([(21, "x", data, "job:1"), (22, "y", {}, ""), (21, "z", None, "job:2")])
    # then
    rows = list(StreamEvent.objects.order_by("id").values_list("company_id", "type", "data", "topic", "seq"))
    assert rows == [
        (21, "x", {**data, "at": "2026-12-02T08:30:00Z"}, "job:1", 1),
        (22, "y", {}, "", 1),
        (21, "z", {}, "job:2", 2),
    ]


def test_outbox_event_of_a_rolled_back_transaction_never_exists():
    with pytest.raises(RuntimeError), transaction.atomic():
        event_emit(company_id=7, type="lost")
        raise RuntimeError
    event_emit(company_id=7, type="kept")
    assert _stream(7) == [(1, "kept")]


def test_outbox_numbers_after_commit_not_before():
    # given: a transaction that has written its event but not committed
    with transaction.atomic():
        event_emit(company_id=3, type="inside")
        assert StreamEvent.objects.get(type="inside").seq is None
    # then: numbered once it committed
    assert _stream(3) == [(1, "inside")]


def test_outbox_sweep_numbers_events_whose_numbering_was_lost():
    # given: rows committed without their after-commit numbering (a process died)
    StreamEvent.objects.bulk_create(
        [StreamEvent(company_id=5, type="orphan"), StreamEvent(company_id=5, type="orphan2")]
    )
    assert _stream(5) == [(None, "orphan"), (None, "orphan2")]
    # when
    numbered = events_sequence()
    # then
    assert numbered == 2
    assert _stream(5) == [(1, "orphan"), (2, "orphan2")]
    assert events_sequence() == 0  # a second run has nothing to do


def test_outbox_concurrent_writers_get_gapless_distinct_numbers():
    # given: eight threads, each committing 10 events for the same company
    def write():
        try:
            for _ in range(10):
                with transaction.atomic():
                    event_emit(company_id=9, type="t")
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events_sequence()
    # then
    seqs = list(StreamEvent.objects.filter(company_id=9).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 81))


def test_outbox_notification_is_an_event_of_the_company():
    _, company = fixtures.factory()
    notification_send(company_id=company.id, kind="switched_offline", message="离线 offline", data={"x": 1})
    event = StreamEvent.objects.get(company_id=company.id, type="notification")
    assert event.data == {"kind": "switched_offline", "message": "离线 offline", "data": {"x": 1}}
    assert event.seq is not None


_BULK_SELECT = (
    "SELECT %s::bigint AS company_id, 'bulk' AS type, '{}'::jsonb AS data, '' AS topic FROM generate_series(1, 3)"
)


def test_outbox_bulk_events_hold_no_lock_and_are_numbered_after_their_commit():
    # given: a bulk write (a dispatch batch's path) that holds its transaction open, and a
    # request that commits an event for the same company in the meantime
    written, request_done = threading.Event(), threading.Event()
    seen_by_batch = {}

    def batch():
        try:
            with transaction.atomic():
                events_emit_select(_BULK_SELECT, [11])
                written.set()
                # the request commits, and is numbered, while this is still open
                seen_by_batch["request done"] = request_done.wait(timeout=10)
        finally:
            connection.close()

    def request():
        try:
            written.wait(timeout=10)
            event_emit(company_id=11, type="request")
            request_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=batch), threading.Thread(target=request)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: the request never waited for the batch's transaction; numbers follow commit
    # order (the request's first, the batch's after it committed); nothing left unnumbered
    assert seen_by_batch == {"request done": True}
    assert _stream(11) == [(1, "request"), (2, "bulk"), (3, "bulk"), (4, "bulk")]
    assert not StreamEvent.objects.filter(seq__isnull=True).exists()


def test_outbox_numbering_waits_only_for_its_own_company():
    # given: another session numbering company 31 (it holds 31's lock, and keeps it)
    held, release = threading.Event(), threading.Event()

    def numbering_of_31():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMPANY_LOCK_BASE + 31])
                held.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=numbering_of_31)
    holder.start()
    try:
        assert held.wait(timeout=10)
        # when: a request of company 32 commits an event
        event_emit(company_id=32, type="accepted")
        # then: it is numbered at once, while 31's lock is still held
        assert not release.is_set()
        assert _stream(32) == [(1, "accepted")]
        # and company 31's own numbering waits for that lock (its event stays unnumbered
        # until the holder lets go; the sweep or the next numbering then gives it its seq)
        StreamEvent.objects.create(company_id=31, type="waiting")
        waiter = threading.Thread(target=lambda: (events_sequence(companies=[31]), connection.close()))
        waiter.start()
        waiter.join(timeout=0.5)
        assert waiter.is_alive()
    finally:
        release.set()
        holder.join()
    waiter.join(timeout=10)
    assert _stream(31) == [(1, "waiting")]


def test_outbox_bulk_events_of_a_rolled_back_transaction_never_exist():
    with pytest.raises(RuntimeError), transaction.atomic():
        events_emit_select(_BULK_SELECT, [12])
        raise RuntimeError
    events_emit_select(_BULK_SELECT, [12])
    assert _stream(12) == [(1, "bulk"), (2, "bulk"), (3, "bulk")]


def test_outbox_bulk_events_number_each_company_after_its_highest_in_the_select_order():
    # given: company 21 has an event already; a bulk SELECT interleaves three companies
    event_emit(company_id=21, type="earlier")
    events_sequence()
    select = (
        "SELECT v.c::bigint AS company_id, 'bulk' AS type, jsonb_build_object('n', v.n) AS data, '' AS topic "
        "FROM (VALUES (1, 21), (2, 22), (3, 21), (4, 23), (5, 22)) AS v(n, c) WHERE v.n > %s ORDER BY v.n"
    )
    # when
    with transaction.atomic():
        written = events_emit_select(select, [0])
    # then: each company's seqs go on from its highest, in the SELECT's order
    assert written == 5
    bulk = StreamEvent.objects.filter(type="bulk").order_by("company_id", "seq")
    assert [(e.data["n"], e.company_id, e.seq) for e in bulk] == [
        (1, 21, 2),
        (3, 21, 3),
        (2, 22, 1),
        (5, 22, 2),
        (4, 23, 1),
    ]
