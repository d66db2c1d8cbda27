"""One form of time for every transport (API.md "Times"): the event stream's ``at`` and the
times inside event data are ISO 8601 at ``+08:00``, the same text over HTTP and on the
socket, whether the event was written by Python or by a dispatch batch's SQL."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.utils import timezone

from conftest import client_for
from core.models import StreamEvent
from core.outbox import EventRow
from core.readable import iso_time, iso_time_sql
from orders import services
from realtime.fanout import event_text
from tests import fixtures

pytestmark = pytest.mark.django_db

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


def _times(value, path="data"):
    """Every (path, string) in ``value`` that is a date-time."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _times(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _times(inner, f"{path}[{index}]")
    elif isinstance(value, str) and ISO_TIME.match(value):
        yield path, value


def _raw_row(event: StreamEvent) -> EventRow:
    """The event as the bulk path hands it to the socket: its data as the database's text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM core_event WHERE id = %s", [event.id])
        raw = cursor.fetchone()[0]
    return EventRow(event.id, event.company_id, event.seq, event.type, event.topic, raw, event.created_at)


def test_every_time_in_the_stream_is_plus_eight_and_the_same_text_over_http_and_the_socket(
    django_capture_on_commit_callbacks,
):
    # given: a grab job on a factory's board, a dispatch job offered by a batch (SQL-built
    # data), and the status changes a grab makes
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory(lat=36.27, lng=120.03)
    with django_capture_on_commit_callbacks(execute=True):
        grab = fixtures.job(owner)
        fixtures.job(owner, mode="dispatch", quantity=800)
        services.dispatch_run_batch()
        services.board_accept(job_id=grab.id, factory=factory, user=factory_user)
    events = list(StreamEvent.objects.filter(seq__isnull=False).order_by("company_id", "seq"))
    types = {event.type for event in events}
    assert {"board.job_added", "offer.created", "job.status_changed", "assignment.status_changed"} <= types
    # when: the factory's and the SME's streams read over HTTP, and each event as a socket frame
    http = {}
    for user, company in ((factory_user, factory), owner):
        page = client_for(user).get("/api/v1/events?after=0&page_size=200").json()
        http.update({(company.id, e["seq"]): e for e in page["results"]})
    # then: every time, in data and in ``at``, is at +08:00, and both transports say the same
    found = []
    for event in events:
        frame = json.loads(event_text(event))
        assert frame == json.loads(event_text(_raw_row(event)))
        assert frame == http[(event.company_id, event.seq)]
        assert frame["at"] == iso_time(event.created_at)
        found += [("at", frame["at"]), *_times(frame["data"])]
    assert any(path.endswith("deadline") for path, _ in found)  # board entries and offers carry one
    assert any(path.endswith("expires_at") for path, _ in found)  # offers carry one
    assert [(path, text) for path, text in found if not text.endswith("+08:00")] == []


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 12, 10, 0, 0, tzinfo=UTC),  # whole second: no fraction
        datetime(2026, 12, 12, 15, 59, 59, 123456, tzinfo=UTC),  # the local date is the next day
        datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=UTC),  # microseconds with leading zeros
    ],
)
def test_the_sql_rendering_of_a_time_is_the_python_one(moment):
    # given: the SQL form a dispatch batch writes times with
    # when: PostgreSQL renders the time (the query's own % are doubled for its one parameter)
    with connection.cursor() as cursor:
        sql = f"SELECT {iso_time_sql('t.at')} FROM (SELECT %s::timestamptz AS at) AS t"  # noqa: S608 - no input
        cursor.execute(sql, [moment])
        rendered = cursor.fetchone()[0]
    # then: the text Python gives, at +08:00
    assert rendered == iso_time(moment) == timezone.localtime(moment).isoformat()
    assert rendered.endswith("+08:00")
