"""The cluster's numbers for the admin's dashboard and ``simulate --report`` (reads only).

Every figure is per local day (TIME_ZONE) and counts what happened at or after ``since``
when it is given (the jobs posted since then, for the matching figures). The charts are
drawn from these in ``marketplace.charts``; these functions return plain numbers.

posted / matched    jobs created that day; jobs whose first share was taken that day
time to match       from the payment's capture (the job opens) to its first share, in seconds
dispatch vs board   a job's first share came from a dispatch offer or from the grab board
utilisation         booked load over capacity on the factory's capacity calendar, as of now
on time, rejects    of the shares completed that day: delivered by the job's deadline;
                    pieces rejected over pieces delivered
money               paid in (GMV), commission and refunds owed to SMEs, from the ledger
paid per piece      per process, what SMEs paid per accepted piece of completed shares, beside
                    the catalogue's reference unit price
"""

import math
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.db.models import F, Sum
from django.utils import timezone

from catalogue.models import Process
from factories.capacity import pieces_between
from factories.models import Capability, FactoryProfile
from orders.models import Assignment, Job, JobHistory
from payments.models import LedgerLeg

UTILISATION_DAYS = 7


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def percentile(values, share: float) -> float:
    """The nearest-rank percentile: the smallest value with ``share`` of them at or below it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return float(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


def _jobs(since):
    return Job.objects.filter(created_at__gte=since) if since else Job.objects.all()


def first_shares(since) -> dict[int, tuple[datetime, str]]:
    """job id -> (when its first share was taken, via 'offer' or 'grab')."""
    shares = Assignment.objects.filter(job__in=_jobs(since)).order_by("job_id", "assigned_at", "id")
    first: dict[int, tuple[datetime, str]] = {}
    for job_id, at, via in shares.values_list("job_id", "assigned_at", "via"):
        first.setdefault(job_id, (at, via))
    return first


def jobs_per_day(*, since=None) -> list[dict]:
    posted = Counter(_day(at) for at in _jobs(since).values_list("created_at", flat=True))
    matched = Counter(_day(at) for at, _ in first_shares(since).values())
    return [{"day": d, "posted": posted[d], "matched": matched[d]} for d in sorted(set(posted) | set(matched))]


def time_to_match(*, since=None) -> list[dict]:
    """Per day of matching: the median and 95th percentile of the seconds a paid job waited."""
    opened = dict(
        JobHistory.objects.filter(action="paid", job__in=_jobs(since))
        .values_list("job_id", "created_at")
        .order_by("id")
    )
    waits = defaultdict(list)
    for job_id, (at, _) in first_shares(since).items():
        if job_id in opened:
            waits[_day(at)].append(max(0.0, (at - opened[job_id]).total_seconds()))
    return [
        {"day": d, "p50_s": percentile(w, 0.5), "p95_s": percentile(w, 0.95), "jobs": len(w)}
        for d, w in sorted(waits.items())
    ]


def match_channels(*, since=None) -> list[dict]:
    """Per day of matching: jobs first matched by a dispatch offer, and from the board."""
    days: dict[date, Counter] = defaultdict(Counter)
    for at, via in first_shares(since).values():
        days[_day(at)]["dispatch" if via == "offer" else "board"] += 1
    return [{"day": d, "dispatch": c["dispatch"], "board": c["board"]} for d, c in sorted(days.items())]


def factory_utilisation(*, since=None, days: float = UTILISATION_DAYS, now=None) -> list[dict]:
    """Per verified factory, its booked load over its capacity on the capacity calendar
    (``factories.capacity``): on each line (capability), the unfinished pieces of the shares
    that reserve it, over what the line makes from now to the latest of their deadlines (a
    line with nothing booked counts ``days`` of capacity). Never above 100% unless the line
    is over-booked: some deadline has more pieces due by it than the line can make by then
    (work past its deadline counts as due now), which ``overbooked`` flags. Busiest first.
    ``since`` is accepted for the charts' common signature; the load is as of ``now``."""
    now = now or timezone.now()
    lines = list(
        Capability.objects.filter(factory__verification=FactoryProfile.Verification.VERIFIED).values_list(
            "factory_id", "process_id", "daily_capacity", "factory__company__name"
        )
    )
    due: dict[tuple[int, int], list[tuple[datetime, int]]] = defaultdict(list)
    reserving = Assignment.objects.filter(
        status__in=Assignment.RESERVING, factory_id__in={line[0] for line in lines}
    ).values_list("factory_id", "job__process_id", "job__deadline", "quantity", "quantity_done")
    for factory_id, process_id, deadline, quantity, done in reserving:
        due[(factory_id, process_id)].append((deadline, max(0, quantity - done)))
    factories: dict[int, dict] = {}
    for factory_id, process_id, per_day, name in lines:
        row = factories.setdefault(
            factory_id,
            {"factory": name, "factory_id": factory_id, "booked": 0, "capacity": 0, "overbooked": False},
        )
        booked, cumulative = due.get((factory_id, process_id), []), 0
        for deadline, pieces in sorted(booked):
            cumulative += pieces
            row["overbooked"] |= cumulative > pieces_between(per_day, now, max(deadline, now))
        horizon = max((deadline for deadline, _ in booked), default=now + timedelta(days=days))
        row["booked"] += cumulative
        row["capacity"] += pieces_between(per_day, now, max(horizon, now))
    rows = []
    for row in factories.values():
        row["utilisation"] = row["booked"] / row["capacity"] if row["capacity"] else float(row["booked"] > 0)
        rows.append(row)
    return sorted(rows, key=lambda row: (-row["utilisation"], row["factory"]))


def quality_per_day(*, since=None) -> list[dict]:
    """Per day of completion: the on-time rate and the reject rate of the completed shares."""
    completed = Assignment.objects.filter(status=Assignment.Status.COMPLETED, completed_at__isnull=False)
    if since:
        completed = completed.filter(completed_at__gte=since)
    days: dict[date, Counter] = defaultdict(Counter)
    rows = completed.values_list(
        "completed_at", "delivered_at", "job__deadline", "quantity_delivered", "quantity_rejected"
    )
    for completed_at, delivered_at, deadline, delivered, rejected in rows:
        day = days[_day(completed_at)]
        day["shares"] += 1
        day["on_time"] += int(delivered_at is not None and delivered_at <= deadline)
        day["delivered"] += delivered or 0
        day["rejected"] += rejected or 0
    return [
        {
            "day": d,
            "shares": c["shares"],
            "on_time_rate": c["on_time"] / c["shares"],
            "reject_rate": c["rejected"] / c["delivered"] if c["delivered"] else 0.0,
        }
        for d, c in sorted(days.items())
    ]


def money_per_day(*, since=None) -> list[dict]:
    """Per day, in fen: paid in (GMV), commission, and refunds owed to SMEs (the same legs as
    the reconciliation's columns of those names)."""
    legs = LedgerLeg.objects.all()
    if since:
        legs = legs.filter(transaction__created_at__gte=since)
    rows = legs.values_list("transaction__created_at", "transaction__kind", "account__kind", "amount_fen")
    days: dict[date, Counter] = defaultdict(Counter)
    for at, kind, account, amount in rows:
        day = days[_day(at)]
        if kind == "payment_captured" and account == "escrow":
            day["gmv_fen"] += amount
        elif kind == "release" and account == "commission_revenue":
            day["commission_fen"] += amount
        elif kind in ("release", "refund") and account == "sme_refunds":
            day["refunds_fen"] += amount
    columns = ("gmv_fen", "commission_fen", "refunds_fen")
    return [{"day": d, **{c: figures[c] for c in columns}} for d, figures in sorted(days.items())]


def paid_per_piece(*, since=None) -> list[dict]:
    """Per process with completed work: what SMEs paid per accepted piece (rejected pieces are
    refunded), against the catalogue's reference unit price; ``ratio`` is paid / reference."""
    completed = Assignment.objects.filter(status=Assignment.Status.COMPLETED, quantity_accepted__gt=0)
    if since:
        completed = completed.filter(completed_at__gte=since)
    totals = {
        row["job__process_id"]: row
        for row in completed.values("job__process_id").annotate(
            paid_fen=Sum(F("unit_price_fen") * F("quantity_accepted")), pieces=Sum("quantity_accepted")
        )
    }
    rows = []
    for process in Process.objects.filter(id__in=totals).order_by("code"):
        figures = totals[process.id]
        per_piece = figures["paid_fen"] / figures["pieces"]
        rows.append(
            {
                "code": process.code,
                "name": process.name,
                "name_zh": process.name_zh,
                "pieces": figures["pieces"],
                "paid_per_piece_fen": per_piece,
                "reference_fen": process.reference_unit_price_fen,
                "ratio": per_piece / process.reference_unit_price_fen,
            }
        )
    return rows


# chart name (``marketplace.charts.CHARTS``) -> its read; each takes ``since``.
FIGURES = {
    "jobs": jobs_per_day,
    "time_to_match": time_to_match,
    "channels": match_channels,
    "utilisation": factory_utilisation,
    "on_time": quality_per_day,
    "rejects": quality_per_day,
    "money": money_per_day,
    "paid_per_piece": paid_per_piece,
}


def figures(name: str, *, since=None, utilisation_days: float = UTILISATION_DAYS):
    if name == "utilisation":
        return factory_utilisation(since=since, days=utilisation_days)
    return FIGURES[name](since=since)
