"""The event outbox: every change a company's apps must react to is a row in its stream.

Writing: ``event_emit`` / ``events_emit`` / ``events_emit_select`` add rows in the caller's
transaction (they commit or roll back with the change) and remember which companies they
wrote to; after the commit ``events_sequence`` numbers those companies' committed rows and
hands them to the ``events_sequenced`` seam (the real-time app fans them out and decides on
mobile pushes).

Numbering is per company and nothing is shared between companies: each company's rows are
numbered under that company's own advisory lock, in a short transaction of its own after the
change committed, each next ``seq`` after the company's highest. Because numbers are handed
out only to committed rows, one numbering at a time per company, they follow commit order
within the company: a reader that has seen ``seq`` N of a company never later finds a
smaller one appear, which is what makes ``after=<seq>`` replay lose nothing. There is no
number across companies: a dispatch batch that writes thousands of offers holds no lock
while its transaction runs, and its numbering afterwards locks only the companies it wrote
to, a chunk at a time (``COMPANY_CHUNK``), for the length of one UPDATE; a request of any
other company never waits for it.

A process that dies between a commit and its numbering leaves rows without ``seq``; the
beat task ``outbox_sequence_task`` (every few seconds) numbers them, so an event is late
at worst, never lost.
"""

import json
import logging
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from core import events as event_types
from core.models import StreamEvent
from core.seams import AFTER_COMMIT, Seam

logger = logging.getLogger(__name__)

# A company's numbering lock is the bigint advisory lock COMPANY_LOCK_BASE + company id (no
# other advisory lock of the project is anywhere near: they are small numbers).
COMPANY_LOCK_BASE = 8_402_377 << 32
COMPANY_CHUNK = 200  # companies numbered in one short transaction
SEQUENCE_CHUNK = 5_000  # rows numbered in one statement

# events=[StreamEvent or EventRow, ...] numbered and committed; called after the numbering commit.
events_sequenced = Seam("core.events_sequenced", args={"events": list}, runs=AFTER_COMMIT, required=False)


class _Numbering:
    """The after-commit numbering of one transaction: the companies it wrote events for."""

    def __init__(self):
        self.companies: set[int] = set()

    def __call__(self) -> None:
        try:
            events_sequence(companies=self.companies)
        except Exception:  # the beat sweep numbers them; never fail the request that committed
            logger.warning("numbering the outbox failed; the sweep will do it", exc_info=True)


def _schedule_sequencing(companies: Iterable[int]) -> None:
    """One numbering run after the current transaction commits, of every company the
    transaction wrote events for (a rolled-back savepoint takes its callbacks with it, so the
    check looks at what is left; a company whose events rolled back is numbered for nothing)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        numbering = _Numbering()
        numbering.companies.update(companies)
        numbering()
        return
    for item in conn.run_on_commit:
        if isinstance(item[1], _Numbering):
            item[1].companies.update(companies)
            return
    numbering = _Numbering()
    numbering.companies.update(companies)
    transaction.on_commit(numbering)


def event_emit(*, company_id: int, type: str, data: dict | None = None, topic: str = "") -> StreamEvent:
    """Add one event to ``company_id``'s stream, in the caller's transaction (its type and data
    checked against its ``core.events`` class while ``EVENTS_VALIDATE`` is on)."""
    if event_types.validating():
        event_types.validate(type, data or {})
    event = StreamEvent.objects.create(company_id=company_id, type=type, data=data or {}, topic=topic)
    _schedule_sequencing([company_id])
    return event


# The rows travel as one JSON array of [company_id, type, data, topic], kept in its order:
# one text parameter, where four arrays had each of their elements quoted by the driver in
# Python (a job's board fan-out is 60 rows: two thirds of the statement's 3.4 ms, now 1.2).
_INSERT_SQL = """
INSERT INTO core_event (company_id, type, data, topic, created_at)
SELECT (r.v ->> 0)::bigint, r.v ->> 1, r.v -> 2, r.v ->> 3, clock_timestamp()
FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS r(v, n)
ORDER BY r.n
"""


def events_emit(rows: Iterable[tuple[int, str, dict, str]]) -> int:
    """Add many events in one statement: ``(company_id, type, data, topic)`` rows (a job's
    board fan-out: PostgreSQL takes them as one JSON array, not one row of SQL each)."""
    rows = list(rows)
    if not rows:
        return 0
    if event_types.validating():
        for _company, type_name, data, _topic in rows:
            event_types.validate(type_name, data or {})
    text = json.dumps([(c, t, d or {}, p) for c, t, d, p in rows], cls=DjangoJSONEncoder)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, [text])
    _schedule_sequencing({row[0] for row in rows})
    return len(rows)


_INSERT_SELECT_SQL = """
INSERT INTO core_event (company_id, type, data, topic, created_at)
SELECT s.company_id, s.type, s.data, s.topic, clock_timestamp() FROM ({select}) AS s
RETURNING {returning}
"""


def events_emit_select(select_sql: str, params) -> int:
    """Add the events a caller's SELECT yields, in one statement: its columns are
    ``company_id, type, data (jsonb), topic`` (a dispatch batch builds thousands of offer
    events from the rows it just wrote, without bringing them through Python). Like every
    event they are numbered after the commit, in the SELECT's order within each company."""
    validating = event_types.validating()  # then the rows PostgreSQL built come back to be checked
    sql = _INSERT_SELECT_SQL.replace("{returning}", "company_id, type, data" if validating else "company_id")
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{select}", select_sql), params)
        returned = cursor.fetchall()
    if validating:
        for _company, type_name, data in returned:
            event_types.validate(type_name, json.loads(data) if isinstance(data, str | bytes) else data)
    written = [row[0] for row in returned]
    if written:
        _schedule_sequencing(set(written))
    return len(written)


# A chunk of companies is numbered in one statement: each company's next seqs follow its
# highest (the unique (company_id, seq) index answers that, once per company before any row
# changes), in the order the rows were written (id).
_NUMBER_SQL = """
WITH pending AS MATERIALIZED (
    SELECT id, company_id FROM core_event
    WHERE seq IS NULL AND company_id = ANY(%s::bigint[]) ORDER BY id LIMIT %s
), tops AS MATERIALIZED (
    SELECT c.company_id,
           COALESCE((SELECT max(e.seq) FROM core_event e WHERE e.company_id = c.company_id), 0) AS top
    FROM (SELECT DISTINCT company_id FROM pending) AS c
), numbered AS (
    SELECT p.id, t.top + row_number() OVER (PARTITION BY p.company_id ORDER BY p.id) AS seq
    FROM pending p JOIN tops t ON t.company_id = p.company_id
)
UPDATE core_event e SET seq = n.seq FROM numbered n WHERE e.id = n.id
RETURNING e.id, e.company_id, e.seq, e.type, e.topic, e.data, e.created_at
"""

# The companies' locks, taken in ascending order (the array comes sorted, and a function
# scan yields it in order), so two numberings of overlapping companies never deadlock.
_LOCK_SQL = "SELECT count(pg_advisory_xact_lock(%s + c)) FROM unnest(%s::bigint[]) AS c"


class EventRow:
    """A numbered event as the ``events_sequenced`` seam hands it on: an ``StreamEvent``'s fields,
    light to build (a batch numbers thousands), its data decoded only when first read."""

    __slots__ = ("id", "company_id", "seq", "type", "topic", "created_at", "_raw", "_data")

    def __init__(self, id, company_id, seq, type, topic, raw, created_at):  # noqa: A002 - StreamEvent's names
        self.id, self.company_id, self.seq = id, company_id, seq
        self.type, self.topic, self.created_at, self._raw, self._data = type, topic, created_at, raw, None

    @property
    def data(self) -> dict:
        if self._data is None:
            self._data = json.loads(self._raw) if isinstance(self._raw, str | bytes) else self._raw
        return self._data

    @property
    def raw_data(self) -> str | None:
        """The data as the database's JSON text, when it came as text (PostgreSQL's)."""
        return self._raw if isinstance(self._raw, str) else None

    as_message = StreamEvent.as_message


def _events_of(rows) -> list[EventRow]:
    """Events from RETURNING rows (id, company, seq, type, topic, data, created_at), each
    company's in ``seq`` order."""
    rows.sort(key=lambda row: (row[1], row[2]))
    return [EventRow(*row) for row in rows]


def _announce(events) -> None:
    try:
        events_sequenced(events=events)
    except Exception:  # delivery is best effort; the stream in the database is the truth
        logger.warning("announcing %d events failed; readers catch up from the stream", len(events), exc_info=True)


def _number_companies(companies: list[int]) -> list[EventRow]:
    """Number every committed row of ``companies`` (sorted) in one short transaction that
    holds only those companies' locks."""
    numbered: list[EventRow] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [COMPANY_LOCK_BASE, companies])
        while True:
            cursor.execute(_NUMBER_SQL, [companies, SEQUENCE_CHUNK])
            rows = cursor.fetchall()
            numbered.extend(_events_of(rows))
            if len(rows) < SEQUENCE_CHUNK:
                return numbered


def _unnumbered_companies() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT company_id FROM core_event WHERE seq IS NULL")
        return [row[0] for row in cursor.fetchall()]


def events_sequence(*, companies: Iterable[int] | None = None) -> int:
    """Number the committed events without a ``seq`` of ``companies`` (of every company when
    None: the sweep), then announce them; returns how many. Safe to run any number of times,
    anywhere, at once (per-company locks)."""
    wanted = sorted(set(companies)) if companies is not None else _unnumbered_companies()
    total = 0
    for start in range(0, len(wanted), COMPANY_CHUNK):
        numbered = _number_companies(wanted[start : start + COMPANY_CHUNK])
        if numbered:
            total += len(numbered)
            _announce(numbered)
    return total
