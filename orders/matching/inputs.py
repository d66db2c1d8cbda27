"""What the eligibility rule reads from the database (``orders.matching.eligibility``): the
factories' capabilities, their booked work and pending offers, and the jobs' cover.

The three are read in one statement (``eligibility_inputs``): for a board page or an accept
that was five ORM queries, about a third of the request's CPU in building SQL and rows
(docs/performance.md). A dispatch batch reads the jobs' cover on its own (``job_coverage``)."""

from collections import defaultdict

from django.db import connection

from core.sql import id_in
from factories.models import Capability
from orders.models import Assignment, Job, Offer


def job_coverage(job_ids, *, ignore_offer_id=None) -> tuple[dict[int, int], dict[int, set[int]]]:
    """Per job: pieces covered by live or completed shares and pending offers, and the
    factories that may not be offered it or take it again: those holding any of them, and
    those that gave a share of it back (a factory that withdrew does not grab it again)."""
    job_ids = id_in(job_ids)
    rows = list(Assignment.objects.filter(job_id__in=job_ids).values_list("job_id", "factory_id", "quantity", "status"))
    rows += [
        (job_id, factory_id, quantity, Offer.Status.PENDING)
        for job_id, factory_id, quantity in Offer.objects.filter(job_id__in=job_ids, status=Offer.Status.PENDING)
        .exclude(id=ignore_offer_id)
        .values_list("job_id", "factory_id", "quantity")
    ]
    return _cover(rows)


_COUNTING = {*Assignment.COVERING, Offer.Status.PENDING}


def _cover(rows) -> tuple[dict[int, int], dict[int, set[int]]]:
    """(job, factory, quantity, status) rows of shares and pending offers -> cover, holders."""
    covered: dict[int, int] = defaultdict(int)
    holders: dict[int, set[int]] = defaultdict(set)
    for job_id, factory_id, quantity, status in rows:
        covered[job_id] += quantity if status in _COUNTING else 0
        holders[job_id].add(factory_id)
    return covered, holders


def _booked(rows, now) -> dict[tuple[int, int], tuple[list, list]]:
    """(factory, process, deadline, pieces) rows -> per (factory, process) seconds and pieces."""
    booked: dict[tuple[int, int], tuple[list, list]] = defaultdict(lambda: ([], []))
    for factory_id, process_id, deadline, pieces in rows:
        seconds, quantities = booked[(factory_id, process_id)]
        seconds.append((deadline - now).total_seconds())
        quantities.append(pieces)
    return booked


_CAPABILITY_FIELDS = ("factory_id", "process_id", "unit_price_fen", "daily_capacity", "min_quantity", "lead_time_days")

# One statement, one row shape: part 0 capabilities (the six fields), 1 booked shares and
# 2 pending offers of the factories (factory, process, pieces left, deadline), 3 shares and
# 4 pending offers of the jobs (job, factory, quantity, status); parts 3 and 4 are
# ``job_coverage``'s two queries (tests/orders/test_eligibility_inputs.py).
_INPUTS_SQL = f"""
SELECT 0, c.factory_id, c.process_id, c.unit_price_fen, c.daily_capacity, c.min_quantity, c.lead_time_days,
       NULL::timestamptz, NULL::text
  FROM {Capability._meta.db_table} c
 WHERE c.factory_id = ANY(%(factories)s::bigint[]) AND c.process_id = ANY(%(processes)s::bigint[])
UNION ALL
SELECT 1, a.factory_id, j.process_id, a.quantity - a.quantity_done, 0, 0, 0, j.deadline, NULL
  FROM {Assignment._meta.db_table} a JOIN {Job._meta.db_table} j ON j.id = a.job_id
 WHERE a.factory_id = ANY(%(factories)s::bigint[]) AND a.status = ANY(%(reserving)s::text[])
   AND j.process_id = ANY(%(processes)s::bigint[])
UNION ALL
SELECT 2, o.factory_id, j.process_id, o.quantity, 0, 0, 0, j.deadline, NULL
  FROM {Offer._meta.db_table} o JOIN {Job._meta.db_table} j ON j.id = o.job_id
 WHERE o.factory_id = ANY(%(factories)s::bigint[]) AND o.status = %(pending)s
   AND j.process_id = ANY(%(processes)s::bigint[]) AND o.id IS DISTINCT FROM %(ignore)s::bigint
UNION ALL
SELECT 3, a.job_id, a.factory_id, a.quantity, 0, 0, 0, NULL, a.status
  FROM {Assignment._meta.db_table} a
 WHERE a.job_id = ANY(%(jobs)s::bigint[])
UNION ALL
SELECT 4, o.job_id, o.factory_id, o.quantity, 0, 0, 0, NULL, o.status
  FROM {Offer._meta.db_table} o
 WHERE o.job_id = ANY(%(jobs)s::bigint[]) AND o.status = %(pending)s AND o.id IS DISTINCT FROM %(ignore)s::bigint
"""  # noqa: S608 - table names from the models, values as parameters


def eligibility_inputs(factory_ids, process_ids, job_ids, now, *, ignore_offer_id=None, with_coverage=True):
    """``(capabilities, booked, coverage)`` for the rule: capability rows (``_CAPABILITY_FIELDS``),
    per (factory, process) the seconds-from-now and pieces of work booked or offered, and
    ``job_coverage`` (None unless ``with_coverage``)."""
    factory_ids, process_ids, job_ids = list(factory_ids), sorted(process_ids), list(job_ids)
    params = {
        "factories": factory_ids,
        "processes": process_ids,
        "jobs": job_ids if with_coverage else [],
        "reserving": list(Assignment.RESERVING),
        "pending": Offer.Status.PENDING,
        "ignore": ignore_offer_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(_INPUTS_SQL, params)
        rows = cursor.fetchall()
    parts = ([], [], [], [], [])
    for row in rows:
        parts[row[0]].append(row)
    capabilities = [row[1:7] for row in parts[0]]
    booked = _booked([(r[1], r[2], r[7], r[3]) for r in (*parts[1], *parts[2])], now)
    coverage = _cover([(r[1], r[2], r[3], r[8]) for r in (*parts[3], *parts[4])]) if with_coverage else None
    return capabilities, booked, coverage
