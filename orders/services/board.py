"""The factories' grab boards, kept on write (``BoardEntry``) so that reading one costs the
page, not the city.

- A job that opens on the board (paid, a share given back, a dispatch job after its misses)
  is published: one entry for each factory its rules admit (``eligibility_for`` without the
  capacity check), and ``board.job_added`` to each newly admitted factory.
- A job that leaves the board (taken, cancelled, expired) is withdrawn: its entries go, and
  ``board.job_removed`` to each factory that had it. A split job that stays open after a
  share is republished (what is left may admit other factories).
- A factory whose rules change (capabilities, location, radius, online, verification)
  has its board rebuilt (the ``factories.seams.factory_changed`` handler), and its stream
  gets one ``board.refreshed``.

Free capacity is not stored: it changes with every booking and as deadlines approach, so
the reader checks it for the rows of the page (``orders.selectors.board_list_for_factory``).
Everything here runs in the caller's transaction.
"""

from django.db import connection
from django.utils import timezone

from factories import selectors as factory_selectors
from factories.models import Capability, FactoryProfile
from orders import events
from orders.matching.eligibility import eligibility_for
from orders.models import BoardEntry, Job
from orders.selectors import board_jobs_queryset


def on_board(job: Job) -> bool:
    return job.mode == Job.Mode.GRAB or job.on_board


def _admitted(jobs, profiles) -> dict[tuple[int, int], float]:
    """(job id, factory id) -> distance for every pair the board's rules admit, capacity aside."""
    pairs = eligibility_for(jobs, profiles, check_capacity=False)
    return {key: pair.distance_km for key, pair in pairs.items()}


def _write(job_by_id: dict[int, Job], wanted: dict[tuple[int, int], float], existing: set[tuple[int, int]]):
    """Make the entries in scope (``existing``) equal ``wanted``; returns (added, removed)."""
    removed = existing - set(wanted)
    added = set(wanted) - existing
    for job_id, factory_id in removed:
        BoardEntry.objects.filter(job_id=job_id, factory_id=factory_id).delete()
    BoardEntry.objects.bulk_create(
        [
            BoardEntry(job_id=j, factory_id=f, distance_km=wanted[(j, f)], deadline=job_by_id[j].deadline)
            for j, f in sorted(added)
        ],
        ignore_conflicts=True,  # a concurrent rebuild of the same factory wrote it first
        batch_size=1000,
    )
    return added, removed


def board_job_publish(job: Job) -> None:
    """Put the open ``job`` on the board of every factory its rules admit (caller holds the
    job's lock); a job that is not on the board, or no longer open, is withdrawn instead."""
    if job.status != Job.Status.OPEN or not on_board(job) or job.deadline <= timezone.now():
        board_job_withdraw(job)
        return
    profiles = factory_selectors.factory_profiles_available(process_id=job.process_id)
    wanted = _admitted([job], profiles)
    existing = set(BoardEntry.objects.filter(job_id=job.id).values_list("job_id", "factory_id"))
    added, removed = _write({job.id: job}, wanted, existing)
    events.board_job_added(job, sorted(f for _, f in added))
    events.board_job_removed(job, sorted(f for _, f in removed))


_WITHDRAW_SQL = f"DELETE FROM {BoardEntry._meta.db_table} WHERE job_id = %s RETURNING factory_id"  # noqa: S608


def board_job_withdraw(job: Job) -> None:
    """Take ``job`` off every board (caller holds the job's lock): one statement deletes and
    says whose boards had it."""
    with connection.cursor() as cursor:
        cursor.execute(_WITHDRAW_SQL, [job.id])
        factories = sorted(row[0] for row in cursor.fetchall())
    if factories:
        events.board_job_removed(job, factories)


def board_factory_rebuild(*, company_id: int) -> int:
    """Rebuild one factory's board from its current rules (registered on
    ``factories.seams.factory_changed``); returns how many jobs are on it."""
    profile = FactoryProfile.objects.filter(company_id=company_id).first()
    wanted: dict[tuple[int, int], float] = {}
    job_by_id: dict[int, Job] = {}
    if profile is not None:
        processes = Capability.objects.filter(factory_id=company_id).values_list("process_id", flat=True)
        jobs = list(board_jobs_queryset().filter(process_id__in=processes))
        job_by_id = {j.id: j for j in jobs}
        wanted = _admitted(jobs, [profile])
    existing = set(BoardEntry.objects.filter(factory_id=company_id).values_list("job_id", "factory_id"))
    added, removed = _write(job_by_id, wanted, existing)
    if added or removed:
        events.BoardRefreshed.emit_one(company_id, {"jobs": len(wanted)})
    return len(wanted)


def board_rebuild_all() -> int:
    """Every factory's board from scratch (``manage.py board_rebuild``, after an upgrade)."""
    total = 0
    for company_id in FactoryProfile.objects.order_by("company_id").values_list("company_id", flat=True):
        total += board_factory_rebuild(company_id=company_id)
    return total
