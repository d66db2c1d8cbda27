"""Eligibility: which factory may take which job, one rule for the board, a board accept
and dispatch (DOMAIN.md, Matching). Reads only; vectorised with numpy so a dispatch batch
can ask for thousands of jobs at once."""

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.utils import timezone
from scipy.spatial import cKDTree

from factories.capacity import SECONDS_PER_DAY, free_capacity_many, free_capacity_unbooked
from factories.models import FactoryProfile
from orders.matching.inputs import eligibility_inputs
from orders.matching.solver import haversine_km_array
from orders.matching.types import EARTH_RADIUS_KM
from orders.models import Job


@dataclass(frozen=True)
class Eligibility:
    """Why a factory may take (part of) a job, with what it needs to decide."""

    job_id: int
    factory_id: int
    unit_price_fen: int
    distance_km: float
    free_capacity: int
    min_share: int  # the smallest share it may take (the whole remainder unless split)
    max_share: int  # the largest share it may take now


def split_floor(job: Job) -> int:
    """The smallest share of a split job worth placing (SPLIT_MIN_SHARE_BPS of it)."""
    return max(1, -(-job.quantity * settings.SPLIT_MIN_SHARE_BPS // 10000))


ELIGIBILITY_FIELDS = (
    "job_id",
    "factory_id",
    "unit_price_fen",
    "distance_km",
    "free_capacity",
    "min_share",
    "max_share",
)


def eligibility_for(
    jobs,
    profiles,
    *,
    now=None,
    excluded=frozenset(),
    check_capacity=True,
    nearest=None,
    ignore_offer_id=None,
    coverage=None,
) -> dict[tuple[int, int], Eligibility]:
    """Every eligible (job, factory) pair among ``jobs`` x ``profiles`` (DOMAIN.md, Matching),
    as ``Eligibility`` values; see ``eligibility_arrays`` for the rule and the options."""
    arrays = eligibility_arrays(
        jobs,
        profiles,
        now=now,
        excluded=excluded,
        check_capacity=check_capacity,
        nearest=nearest,
        ignore_offer_id=ignore_offer_id,
        coverage=coverage,
    )
    columns = [arrays[name].tolist() for name in ELIGIBILITY_FIELDS]
    return {
        (row[0], row[1]): Eligibility(
            job_id=row[0],
            factory_id=row[1],
            unit_price_fen=row[2],
            distance_km=round(row[3], 3),
            free_capacity=row[4],
            min_share=row[5],
            max_share=row[6],
        )
        for row in zip(*columns, strict=True)
    }


def eligibility_arrays(
    jobs,
    profiles,
    *,
    now=None,
    excluded=frozenset(),
    check_capacity=True,
    nearest=None,
    ignore_offer_id=None,
    coverage=None,
) -> dict[str, np.ndarray]:
    """Every eligible (job, factory) pair among ``jobs`` x ``profiles``, as parallel arrays
    named by ``ELIGIBILITY_FIELDS`` (DOMAIN.md, Matching).

    A factory is eligible for a job when it is verified and online, has a capability for the
    process priced at or below the job's price with a minimum quantity the job meets, the
    hand-off place lies within its service radius, it holds no share or pending offer of the
    job, and its free capacity before the deadline (after its booked work and pending
    offers) covers the remaining quantity, or for a split job a useful part of it.

    Vectorised per process over jobs x factories, its inputs read in one statement whatever the
    sizes (``orders.matching.inputs``; five queries off PostgreSQL), so the
    dispatch batch can ask for thousands of jobs at once. ``nearest=k`` keeps the k nearest
    eligible factories of each job (dispatch); ``check_capacity=False`` answers whether the
    factory would be eligible if it had the capacity; ``excluded`` holds (job, factory)
    pairs that may not be matched again (declined or expired offers); ``coverage=({}, {})``
    asks about the jobs as posted, before any share was given (``inputs.job_coverage``)."""
    now = now or timezone.now()
    jobs = list(jobs)
    profiles = [
        p for p in profiles if p.verification == FactoryProfile.Verification.VERIFIED and p.online and p.lat is not None
    ]
    parts = []
    if jobs and profiles:
        by_factory = {p.company_id: p for p in profiles}
        process_ids = {j.process_id for j in jobs}
        capabilities, booked, loaded = eligibility_inputs(
            by_factory,
            process_ids,
            [j.id for j in jobs],
            now,
            ignore_offer_id=ignore_offer_id,
            with_coverage=coverage is None,
        )
        covered, holders = coverage or loaded
        for process_id in sorted(process_ids):
            caps = [c for c in capabilities if c[1] == process_id]
            group = [j for j in jobs if j.process_id == process_id and j.quantity - covered.get(j.id, 0) > 0]
            if caps and group:
                parts.append(
                    _eligible_pairs(
                        group, caps, by_factory, booked, covered, holders, excluded, now, check_capacity, nearest
                    )
                )
    if not parts:
        return {
            name: np.zeros(0, dtype=np.float64 if name == "distance_km" else np.int64) for name in ELIGIBILITY_FIELDS
        }
    return {name: np.concatenate([part[name] for part in parts]) for name in ELIGIBILITY_FIELDS}


# Dispatch asks for the `nearest` eligible factories of each job. With many factories the
# candidates come from a k-d tree: the KD_WIDEN x nearest closest factories of each job; a job
# that finds fewer than `nearest` eligible among them, or whose `nearest`-th is not nearer
# than everything the tree left out, asks the tree again for KD_GROWTH times as many, and so
# on until that would be every factory, which it is then checked against. 10,000 x 2,000 in
# the bench: 80, then 240, 720 and all 2,000 for 736, 85 and 7 jobs, 310 ms for the load,
# against 440 ms for the 120 nearest, then all 2,000 for 335 jobs (the same pairs, tested).
KD_WIDEN = 2
KD_GROWTH = 3
KM_PER_DEGREE_LAT = 110.574  # the shards' map squares
KM_PER_DEGREE_LNG_AT_EQUATOR = 111.320  # times cos(latitude) elsewhere
_REACH_MARGIN_KM = 1e-6  # rounding between the tree's chords and the haversine


def _unit_vectors(lat, lng) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lng)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _kd_candidates(j_lat, j_lng, f_lat, f_lng, k) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols) of each job's k nearest factories, and per job the great-circle distance
    of its k-th: nothing the tree left out is nearer. Points are on the unit sphere, where
    the straight chord grows with the great-circle distance, so the order is the haversine's
    (a flat map of the region misorders pairs by a few metres in a few km far from the equator)."""
    tree = cKDTree(_unit_vectors(f_lat, f_lng))
    chords, cols = tree.query(_unit_vectors(j_lat, j_lng), k=k)
    cols = np.asarray(cols, dtype=np.int64).reshape(len(j_lat), k)
    last = np.asarray(chords, dtype=np.float64).reshape(len(j_lat), k)[:, -1]
    reach = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, last / 2))
    return np.repeat(np.arange(len(j_lat)), k), cols.ravel(), reach


def _eligible_pairs(
    group, caps, by_factory, booked, covered, holders, excluded, now, check_capacity, nearest, widen=None
):
    """One process: (job, capability) pairs as arrays, filtered down to the eligible ones."""
    # Long on purpose: one vectorised pass over a dozen parallel arrays (helpers below take the separable steps).
    factory_ids = np.array([c[0] for c in caps], dtype=np.int64)
    price, daily, minimum, lead = (np.array([c[i] for c in caps], dtype=np.int64) for i in (2, 3, 4, 5))
    f_lat = np.array([by_factory[f].lat for f in factory_ids.tolist()], dtype=np.float64)
    f_lng = np.array([by_factory[f].lng for f in factory_ids.tolist()], dtype=np.float64)
    radius = np.array([by_factory[f].service_radius_km for f in factory_ids.tolist()], dtype=np.float64)
    j_lat = np.array([j.lat for j in group], dtype=np.float64)
    j_lng = np.array([j.lng for j in group], dtype=np.float64)
    j_price = np.array([j.unit_price_fen for j in group], dtype=np.int64)
    j_quantity = np.array([j.quantity for j in group], dtype=np.int64)
    remaining = j_quantity - np.array([covered.get(j.id, 0) for j in group], dtype=np.int64)
    split = np.array([j.allow_split for j in group], dtype=bool)
    seconds = np.array([(j.deadline - now).total_seconds() for j in group], dtype=np.float64)
    n_factories = len(caps)

    widen = widen or KD_WIDEN
    use_kd = nearest is not None and n_factories > widen * nearest
    if use_kd:
        rows, cols, reach = _kd_candidates(j_lat, j_lng, f_lat, f_lng, widen * nearest)
    else:
        rows = np.repeat(np.arange(len(group)), n_factories)
        cols = np.tile(np.arange(n_factories), len(group))
    width = len(rows) // max(1, len(group))  # rows x cols is a grid: `width` columns per job
    grid = np.arange(len(rows))
    distance = haversine_km_array(j_lat[rows], j_lng[rows], f_lat[cols], f_lng[cols])
    ok = (distance <= radius[cols]) & (price[cols] <= j_price[rows])
    ok &= minimum[cols] <= np.where(split, j_quantity, remaining)[rows]
    ok &= seconds[rows] > lead[cols] * SECONDS_PER_DAY
    column = {f: i for i, f in enumerate(factory_ids.tolist())}
    row_of = {j.id: r for r, j in enumerate(group)}
    taken = [(job_id, f) for job_id, factories in holders.items() for f in factories]
    blocked = [row_of[j] * n_factories + column[f] for j, f in [*taken, *excluded] if j in row_of and f in column]
    if blocked:
        ok &= ~np.isin(rows * n_factories + cols, np.array(blocked, dtype=np.int64))
    rows, cols, distance, grid = rows[ok], cols[ok], distance[ok], grid[ok]

    free = _free_capacities(rows, cols, seconds, factory_ids, daily, lead, booked, group[0].process_id)
    floor = np.maximum(1, -(-j_quantity * settings.SPLIT_MIN_SHARE_BPS // 10000))
    min_share = np.where(
        split[rows], np.minimum(remaining[rows], np.maximum(minimum[cols], floor[rows])), remaining[rows]
    )
    max_share = np.where(split[rows], np.minimum(remaining[rows], free), remaining[rows])
    # A share may not leave a remainder too small to place (0 < left < the floor): the most
    # such a factory may take then leaves exactly the floor (the service refuses the rest).
    left = remaining[rows] - max_share
    max_share = np.where(split[rows] & (left > 0) & (left < floor[rows]), remaining[rows] - floor[rows], max_share)
    keep = (free >= min_share) & (max_share >= min_share) if check_capacity else np.ones(len(rows), dtype=bool)
    rows, cols, distance, free, min_share, max_share, grid = (
        a[keep] for a in (rows, cols, distance, free, min_share, max_share, grid)
    )
    if nearest is not None and len(rows):
        chosen = _nearest_per_job(grid, len(group), width, cols, distance, nearest)
        rows, cols, distance, free, min_share, max_share = (
            a[chosen] for a in (rows, cols, distance, free, min_share, max_share)
        )
    job_ids = np.array([j.id for j in group], dtype=np.int64)
    result = {
        "job_id": job_ids[rows],
        "factory_id": factory_ids[cols],
        "unit_price_fen": price[cols],
        "distance_km": distance,
        "free_capacity": free,
        "min_share": min_share,
        "max_share": max_share,
    }
    if use_kd:
        # Jobs with fewer than `nearest` eligible among their closest factories may have
        # eligible ones further out: those jobs look further (in the end, at every factory).
        farthest = np.zeros(len(group))
        np.maximum.at(farthest, rows, distance)  # of each job's chosen pairs
        unsure = (np.bincount(rows, minlength=len(group)) < nearest) | (farthest >= reach - _REACH_MARGIN_KM)
        short = [group[r] for r in np.flatnonzero(unsure).tolist()]
        if short:
            keep_rows = ~np.isin(result["job_id"], np.array([j.id for j in short], dtype=np.int64))
            further = (short, caps, by_factory, booked, covered, holders, excluded, now, check_capacity, nearest)
            rest = _eligible_pairs(*further, widen * KD_GROWTH)
            result = {name: np.concatenate([result[name][keep_rows], rest[name]]) for name in result}
    return result


def _free_capacities(rows, cols, seconds, factory_ids, daily, lead, booked, process_id) -> np.ndarray:
    """Free capacity of each (job row, capability column) pair before the job's deadline,
    one vectorised capacity call per capability."""
    unbooked = np.array([(int(f), process_id) not in booked for f in factory_ids.tolist()], dtype=bool)
    # Lines with nothing booked: the pieces they make between lead time and deadline, at once.
    free = free_capacity_unbooked(daily_capacity=daily[cols], lead_time_days=lead[cols], deadline_seconds=seconds[rows])
    booked_pairs = np.flatnonzero(~unbooked[cols])
    rows, cols = rows[booked_pairs], cols[booked_pairs]
    order = np.argsort(cols, kind="stable")
    starts = np.flatnonzero(np.r_[True, cols[order][1:] != cols[order][:-1]]) if len(order) else np.zeros(0, int)
    stops = np.r_[starts[1:], len(order)] if len(order) else np.zeros(0, int)
    for begin, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        at = order[begin:stop]
        col = int(cols[at[0]])
        res_seconds, res_pieces = booked.get((int(factory_ids[col]), process_id), ([], []))
        free[booked_pairs[at]] = free_capacity_many(
            daily_capacity=int(daily[col]),
            lead_time_days=int(lead[col]),
            reservation_seconds=res_seconds,
            reservation_quantities=res_pieces,
            deadline_seconds=seconds[rows[at]],
        )
    return free


def _nearest_per_job(grid, n_rows, width, cols, distance, nearest) -> np.ndarray:
    """Indices of each job's ``nearest`` closest pairs (ties by capability column), in grid
    order. The pairs are what is left of a grid of ``width`` candidates per job (``grid`` is
    each pair's place in it), so each job's row is partitioned on its own: everything below
    the row's ``nearest``-th distance, and of the pairs at that distance the lowest columns."""
    size = n_rows * width
    dist = np.full(size, np.inf)
    dist[grid] = distance
    rows_dist = dist.reshape(n_rows, width)
    if width <= nearest:
        chosen = np.isfinite(rows_dist)
    else:
        kth = np.partition(rows_dist, nearest - 1, axis=1)[:, nearest - 1 : nearest]
        chosen = rows_dist < kth  # fewer than `nearest` per row; infinite kth: every real pair
        at_kth = (rows_dist == kth) & np.isfinite(kth)
        need = nearest - chosen.sum(axis=1)
        plain = at_kth.sum(axis=1) <= need  # usually the kth pair alone
        chosen[plain] |= at_kth[plain]
        col = np.full(size, np.iinfo(np.int64).max)
        col[grid] = cols
        rows_col = col.reshape(n_rows, width)
        for row in np.flatnonzero(~plain).tolist():  # a tie at the cut: the lowest columns
            tied = np.flatnonzero(at_kth[row])
            chosen[row, tied[np.argsort(rows_col[row, tied], kind="stable")[: need[row]]]] = True
    position = np.full(size, -1, dtype=np.int64)
    position[grid] = np.arange(len(grid))
    return position[np.flatnonzero(chosen.ravel())]
