"""Dispatch matching engine: pure functions over plain data (stdlib, numpy, scipy; no Django).

The dispatch beat task loads the open dispatch jobs and their eligible factories, turns them into
``DispatchJob`` / ``DispatchFactory`` / ``Candidate`` values and calls ``solve_batch``; the
proposals it returns become offers. Eligibility (verification, online, capability, price, radius,
capacity window) is the caller's job: every ``Candidate`` is taken to be an eligible pair and no
other pair is ever proposed.

Cost of a pair (``pair_cost``), always finite and in ``[0, MAX_PAIR_COST]``::

    distance_per_km * distance_km                      (non-finite or negative distance: haversine
                                                         between hand-off place and factory)
  + price_ratio     * factory price / job price         (ratio clipped to [0, PRICE_RATIO_CAP])
  + rating          * (5 - rating)                      (NaN rating counts as UNKNOWN_RATING = 4.0)
  + reliability     * (1 - reliability)                 (NaN counts as 0, the worst)
  + load            * load                              (NaN counts as 1, the worst)
  + deadline_slack  * min(quantity / max(free_capacity, 1), DEADLINE_RATIO_CAP)

``free_capacity`` in the last term is what is left of the candidate's capacity when the pair is
considered (see "Capacity" below), so a factory that already took work in this batch looks tighter.

``solve_batch`` semantics
-------------------------
Objective. Every job left unmatched costs ``UNMATCHED_COST`` (1e6, ten times ``MAX_PAIR_COST``);
``total_cost = sum(proposal.cost) + UNMATCHED_COST * len(unmatched_job_ids)``, and every solve
below minimises exactly that. Because an unmatched job costs more than any pair, the solver places
as many jobs as it can before it looks at cost. Strictly, that holds whenever ``UNMATCHED_COST``
exceeds the cost of the pairs along any augmenting path (k pairs cost at most k * MAX_PAIR_COST);
with the default weights a pair costs a few hundred at most, so in practice it always holds.

Capacity. ``Candidate.free_capacity`` is the factory's capacity for that pair. Within one batch a
factory's bookings are summed, and a pair may take ``q`` more pieces only if
``booked + q <= free_capacity`` of that pair *and* of every pair the factory was already given in
this batch. So the pieces proposed to a factory never exceed the ``free_capacity`` of any candidate
it was proposed through. (Subtracting the booked quantity from the factory's other candidates
alone would not guarantee that when capacities differ per pair, e.g. per deadline: a later job
with a roomy window could push the factory past the window of a job it already took.)

1. Whole jobs (``allow_split`` False), in up to ``max_rounds`` rounds. In a round a pair is usable
   only if its remaining capacity covers the job's whole quantity; each job gets at most one
   factory and each factory at most one job. The round is an optimal minimum-cost assignment,
   solved as a sparse rectangular assignment (``min_weight_full_bipartite_matching``, LAPJVsp) with
   one dummy "unmatched" partner per vertex of the smaller side at ``UNMATCHED_COST``. Ineligible
   pairs are simply absent from the sparse graph, so they can never be chosen. This is the same
   optimum as ``linear_sum_assignment`` on the dense jobs x factories matrix with ``UNMATCHED_COST``
   for every missing pair (the bench checks this). Later rounds let factories with capacity left take
   jobs still unmatched, with costs recomputed on the remaining capacity. Rounds stop early when
   no usable pair is left. Round 1 is globally optimal; the rounds
   together are optimal round by round, not jointly.
2. Split jobs (``allow_split`` True) skip the whole-job rounds; afterwards all of them are divided
   together over the capacity the rounds left, as one transportation problem solved with
   ``linprog(method="highs")``: shares ``x[job, factory]`` with ``0 <= x <= remaining capacity``,
   ``sum_f x + slack = quantity`` per job and ``sum_j x <= the roomiest pair's room`` per factory,
   minimising ``sum(x * pair_cost / quantity) + sum(slack * UNMATCHED_COST / quantity)``, i.e. the
   share's part of the pair cost and UNMATCHED_COST for a job left out. The constraint matrix is
   totally unimodular, so the vertex solution is integral; it is rounded and verified (integral,
   within bounds, sums exact). A job is placed all or nothing: its shares sum exactly to its
   quantity or it is reported unmatched with no proposal at all. ``min_share`` is clamped to
   ``[1, quantity]`` (a job smaller than its min_share can still go whole to one factory).
   min_share and the capacity rule above are not linear, so they are enforced by iteration, a
   heuristic rather than an exact mixed-integer optimum:
   - pairs whose remaining capacity is below min_share are left out;
   - after each solve, a share below min_share is first repaired locally (merged into another share
     of the job, or topped up from one, the cheaper way that keeps every rule);
   - jobs settled cleanly (covered exactly, every share >= min_share, none of their factories over
     the room of a pair in use) are fixed and booked; only the others are solved again, on what is
     left: a remaining small share loses its pair; an over-full factory gets one fixed limit (the
     room of a used pair that keeps the most of what the LP put there) and loses its pairs below
     it, so it is never over again; only when no factory needed that are partly covered jobs
     dropped (until then they may still fit);
   - at most ``MAX_SPLIT_ITERATIONS`` solves; jobs still unsettled then (or if HiGHS fails) get no
     LP shares. Fixed jobs are never touched again, so every proposal stays valid.
   Finally the split jobs the LP did not place are tried once more one by one, in id order, with the
   greedy fill of point 3 on the capacity that is left.
3. ``greedy_cost`` is a baseline on the same instance and rules: whole-job pairs by ascending cost
   (ties: job id, factory id), taken when the job is free, the factory has capacity for it and has
   taken fewer than ``max_rounds`` whole jobs (the rounds' limit); then split jobs in id order, each
   filled from its cheapest pairs per piece (every share >= min_share, a share cut back when the
   rest would fall below min_share) or left unmatched if it cannot be filled.
   It is costed like ``total_cost``. With ``max_rounds=1`` and only whole jobs the engine's
   ``total_cost`` is never above ``greedy_cost``. With split jobs or more rounds it is usually
   lower too, but that is not guaranteed: each stage is optimal, their sequence is not.
4. Deterministic: jobs, factories and candidates are put in id order before anything is built, so
   the output does not depend on input order; ``proposals`` are sorted by (job id, factory id) and
   ``unmatched_job_ids`` ascending. Candidates naming a job or factory not in the batch are ignored;
   of duplicate (job, factory) candidates the cheapest (then the larger capacity) is kept.
   Duplicate job or factory ids, a quantity below 1 or ``max_rounds < 1`` raise ``ValueError``.

``candidate_costs`` is the vectorised ``pair_cost`` of every candidate at its full capacity (the
costs of round 1), for callers and benchmarks that need the cost matrix itself.

``solve_seconds`` is the wall time of the optimal solve (rounds and split phase), without the
greedy baseline. ``rounds`` is the number of whole-job assignment rounds actually solved.
"""

import math
import numbers
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import attrgetter

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
UNMATCHED_COST = 1_000_000.0
MAX_PAIR_COST = 100_000.0
MAX_DISTANCE_KM = 20_016.0  # half the circumference: nothing on earth is farther away
PRICE_RATIO_CAP = 10.0
DEADLINE_RATIO_CAP = 5.0
UNKNOWN_RATING = 4.0
MAX_SPLIT_ITERATIONS = 8

_INTEGRALITY_TOLERANCE = 1e-6
# "No limit yet" for integer capacities; far above any real capacity, far below int64 overflow.
_NO_LIMIT = np.int64(2**60)


@dataclass(frozen=True)
class DispatchJob:
    id: int
    quantity: int  # pieces still to be placed
    unit_price_fen: int  # the job's price per piece
    lat: float  # material hand-off place
    lng: float
    hours_to_deadline: float
    allow_split: bool = False
    min_share: int = 1  # for split jobs: smallest useful share


@dataclass(frozen=True)
class DispatchFactory:
    id: int
    lat: float
    lng: float
    rating: float  # 0..5 (4.0 when unknown)
    reliability: float  # 0..1
    load: float  # 0..1 share of capacity already booked


@dataclass(frozen=True)
class Candidate:
    """An eligible (job, factory) pair; the caller has checked eligibility."""

    job_id: int
    factory_id: int
    unit_price_fen: int  # factory's price for this process
    distance_km: float
    free_capacity: int  # pieces this factory can still take for this job's process before its deadline


@dataclass(frozen=True)
class CandidateArrays:
    """The same candidates as parallel numpy arrays, for batches too large to build one
    ``Candidate`` object per pair; ``solve_batch`` takes either form."""

    job_id: np.ndarray
    factory_id: np.ndarray
    unit_price_fen: np.ndarray
    distance_km: np.ndarray
    free_capacity: np.ndarray

    def __len__(self) -> int:
        return len(self.job_id)


@dataclass(frozen=True)
class Weights:
    """Cost weights; the caller passes them from settings. Each must be finite and >= 0."""

    distance_per_km: float = 1.0
    price_ratio: float = 50.0  # cost per unit of (factory price / job price)
    rating: float = 5.0  # cost per missing star (5 - rating)
    reliability: float = 30.0  # cost per (1 - reliability)
    load: float = 20.0  # cost per unit of load
    deadline_slack: float = 10.0  # weight * min(quantity / max(free_capacity, 1), cap)

    def __post_init__(self):
        # A bad setting must fail loudly at start-up, not skew every batch silently.
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, numbers.Real) and math.isfinite(value) and value >= 0):
                raise ValueError(f"weight {f.name} must be a finite number >= 0, got {value!r}")


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Proposal:
    job_id: int
    factory_id: int
    quantity: int
    cost: float


@dataclass
class BatchResult:
    proposals: list[Proposal]
    unmatched_job_ids: list[int]
    total_cost: float
    greedy_cost: float  # simple greedy (cheapest pair first) on the same instance and rules
    solve_seconds: float
    rounds: int


# ----------------------------------------------------------------------------- distances


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlng = math.radians(lng2 - lng1)
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlng / 2) ** 2
    # Rounding can push h a hair above 1 for antipodes; a NaN must stay NaN, hence no min().
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(1.0 if h > 1.0 else h))


def haversine_km_array(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Vectorised ``haversine_km``; arguments broadcast like numpy arrays (degrees in, km out)."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dlng = np.radians(np.asarray(lng2, dtype=np.float64) - np.asarray(lng1, dtype=np.float64))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


# ----------------------------------------------------------------------------- costs
# One implementation, used by pair_cost, the rounds, the split phase and greedy alike, so that
# every path prices a pair identically to the last bit.


def _distances(distance, job_lat, job_lng, factory_lat, factory_lng) -> np.ndarray:
    distance = np.asarray(distance, dtype=np.float64).copy()
    bad = ~np.isfinite(distance) | (distance < 0)
    if bad.any():
        with np.errstate(invalid="ignore"):  # unknown positions too: NaN, then MAX_DISTANCE_KM below
            distance[bad] = haversine_km_array(job_lat[bad], job_lng[bad], factory_lat[bad], factory_lng[bad])
    return np.clip(np.nan_to_num(distance, nan=MAX_DISTANCE_KM), 0.0, MAX_DISTANCE_KM)


def _static_costs(weights, *, distance, job_price, factory_price, rating, reliability, load) -> np.ndarray:
    """Every cost term except the deadline one, which depends on the capacity left."""
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = np.clip(factory_price / np.maximum(job_price, 1.0), 0.0, PRICE_RATIO_CAP)
        rating = np.clip(np.where(np.isnan(rating), UNKNOWN_RATING, rating), 0.0, 5.0)
        reliability = np.clip(np.nan_to_num(reliability, nan=0.0), 0.0, 1.0)
        load = np.clip(np.nan_to_num(load, nan=1.0), 0.0, 1.0)
        cost = (
            weights.distance_per_km * distance
            + weights.price_ratio * ratio
            + weights.rating * (5.0 - rating)
            + weights.reliability * (1.0 - reliability)
            + weights.load * load
        )
        return np.clip(np.nan_to_num(cost, nan=MAX_PAIR_COST, posinf=MAX_PAIR_COST), 0.0, MAX_PAIR_COST)


def _sanitised_hours(hours) -> np.ndarray:
    # Past deadlines count as no time at all; a year is "plenty" and keeps products finite.
    return np.clip(np.nan_to_num(np.asarray(hours, dtype=np.float64), nan=0.0), 0.0, 24.0 * 366)


def _total_costs(weights, static, *, quantity, capacity, hours) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        # free_capacity is already "before the deadline": the share of it this job would use
        # says how tight the deadline is for this factory (hours are kept for the record).
        room = np.maximum(capacity, 1.0)
        tight = np.clip(np.maximum(quantity, 0.0) / room, 0.0, DEADLINE_RATIO_CAP)
        cost = static + weights.deadline_slack * tight
        return np.clip(np.nan_to_num(cost, nan=MAX_PAIR_COST, posinf=MAX_PAIR_COST), 0.0, MAX_PAIR_COST)


def pair_cost(job: DispatchJob, factory: DispatchFactory, cand: Candidate, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """Cost of giving ``job`` to ``factory`` through ``cand`` (finite, 0 <= cost <= MAX_PAIR_COST).

    ``cand.free_capacity`` is used as given; the engine passes the capacity left in the batch.
    """

    def one(value):
        return np.array([value], dtype=np.float64)

    distance = _distances(one(cand.distance_km), one(job.lat), one(job.lng), one(factory.lat), one(factory.lng))
    static = _static_costs(
        weights,
        distance=distance,
        job_price=one(job.unit_price_fen),
        factory_price=one(cand.unit_price_fen),
        rating=one(factory.rating),
        reliability=one(factory.reliability),
        load=one(factory.load),
    )
    total = _total_costs(
        weights,
        static,
        quantity=one(job.quantity),
        capacity=one(cand.free_capacity),
        hours=_sanitised_hours(one(job.hours_to_deadline)),
    )
    return float(total[0])


# ----------------------------------------------------------------------------- instance


def _ids(items, name: str) -> np.ndarray:
    ids = np.fromiter(map(attrgetter("id"), items), dtype=np.int64, count=len(items))
    duplicate = ids[1:][ids[1:] == ids[:-1]]
    if duplicate.size:
        raise ValueError(f"duplicate {name} id {int(duplicate[0])}")
    return ids


def _column(items, attr: str, dtype) -> np.ndarray:
    return np.fromiter(map(attrgetter(attr), items), dtype=dtype, count=len(items))


def _positions(sorted_ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each wanted id in sorted_ids, and whether it is there at all."""
    if not sorted_ids.size:
        return np.zeros(wanted.size, dtype=np.intp), np.zeros(wanted.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, wanted), sorted_ids.size - 1)
    return at, sorted_ids[at] == wanted


def _candidate_column(candidates, attr: str, dtype) -> np.ndarray:
    if isinstance(candidates, CandidateArrays):
        return np.asarray(getattr(candidates, attr), dtype=dtype)
    return _column(candidates, attr, dtype)


def _edge_arrays(jobs, factories, candidates, weights: Weights):
    """Per candidate: job index, factory index, capacity and capacity-independent cost, for those
    whose job and factory are both known (the mask says which). jobs and factories are id-sorted."""
    job_ids, factory_ids = _ids(jobs, "job"), _ids(factories, "factory")
    job_at, job_known = _positions(job_ids, _candidate_column(candidates, "job_id", np.int64))
    factory_at, factory_known = _positions(factory_ids, _candidate_column(candidates, "factory_id", np.int64))
    known = job_known & factory_known
    ej, ef = job_at[known], factory_at[known]
    distance = _distances(
        _candidate_column(candidates, "distance_km", np.float64)[known],
        _column(jobs, "lat", np.float64)[ej],
        _column(jobs, "lng", np.float64)[ej],
        _column(factories, "lat", np.float64)[ef],
        _column(factories, "lng", np.float64)[ef],
    )
    static = _static_costs(
        weights,
        distance=distance,
        job_price=_column(jobs, "unit_price_fen", np.float64)[ej],
        factory_price=_candidate_column(candidates, "unit_price_fen", np.float64)[known],
        rating=_column(factories, "rating", np.float64)[ef],
        reliability=_column(factories, "reliability", np.float64)[ef],
        load=_column(factories, "load", np.float64)[ef],
    )
    return job_ids, factory_ids, known, ej, ef, _candidate_column(candidates, "free_capacity", np.int64)[known], static


class _Instance:
    """The batch as arrays in id order: jobs (j), factories (f) and candidate edges (e)."""

    def __init__(self, jobs, factories, candidates, weights: Weights):
        self.weights = weights
        jobs = sorted(jobs, key=attrgetter("id"))
        factories = sorted(factories, key=attrgetter("id"))
        self.job_ids, self.factory_ids, _, ej, ef, cap, static = _edge_arrays(jobs, factories, candidates, weights)
        self.quantity = _column(jobs, "quantity", np.int64)
        if np.any(self.quantity < 1):
            raise ValueError("every job needs a quantity of at least 1")
        self.split = _column(jobs, "allow_split", bool)
        self.min_share = np.clip(_column(jobs, "min_share", np.int64), 1, self.quantity)
        self.hours = _sanitised_hours(_column(jobs, "hours_to_deadline", np.float64))
        # Canonical edge order (job, factory); of duplicate pairs keep the cheapest, then the roomiest.
        full_cost = self._costs(static, ej, cap)
        order = np.lexsort((-cap, full_cost, ef, ej))
        ej, ef = ej[order], ef[order]
        first = np.ones(ej.size, dtype=bool)
        first[1:] = (ej[1:] != ej[:-1]) | (ef[1:] != ef[:-1])
        keep = order[first]
        self.ej, self.ef = ej[first], ef[first]
        self.capacity = cap[keep]
        self.static = static[keep]

    @property
    def n_jobs(self) -> int:
        return self.job_ids.size

    @property
    def n_factories(self) -> int:
        return self.factory_ids.size

    def _costs(self, static, ej, capacity) -> np.ndarray:
        return _total_costs(
            self.weights,
            static,
            quantity=self.quantity[ej].astype(np.float64),
            capacity=np.asarray(capacity, dtype=np.float64),
            hours=self.hours[ej],
        )

    def costs(self, edges: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """Pair costs of the given edges when ``capacity`` pieces are left on each."""
        return self._costs(self.static[edges], self.ej[edges], capacity)


class _Bookings:
    """What this batch has proposed to each factory, and the tightest capacity it relied on."""

    def __init__(self, n_factories: int):
        self.booked = np.zeros(n_factories, dtype=np.int64)
        self.limit = np.full(n_factories, _NO_LIMIT, dtype=np.int64)

    def available(self, inst: _Instance, edges: np.ndarray) -> np.ndarray:
        f = inst.ef[edges]
        return np.minimum(inst.capacity[edges], self.limit[f]) - self.booked[f]

    def book(self, inst: _Instance, edges: np.ndarray, quantities: np.ndarray) -> None:
        f = inst.ef[edges]
        np.add.at(self.booked, f, quantities)
        np.minimum.at(self.limit, f, inst.capacity[edges])


# ----------------------------------------------------------------------------- whole jobs


def _min_cost_matching(rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Positions of the edges in a matching minimising sum(cost) + UNMATCHED_COST per unmatched vertex.

    (rows, cols) pairs must be unique. The smaller side becomes the matrix rows (LAPJVsp is far
    faster that way) and each of its vertices gets a private dummy partner at UNMATCHED_COST, so a
    full matching always exists. Whichever side is smaller, the objective differs from
    "sum(cost) + UNMATCHED_COST * unmatched jobs" by a constant, so the argmin is the same.
    """
    _, left = np.unique(rows, return_inverse=True)
    _, right = np.unique(cols, return_inverse=True)
    if right.max() < left.max():
        left, right = right, left
    n_left, n_right = int(left.max()) + 1, int(right.max()) + 1
    # LAPJVsp needs non-zero weights; a constant offset per matched row changes nothing.
    weights = np.concatenate([cost + 1.0, np.full(n_left, UNMATCHED_COST + 1.0)])
    graph = csr_array(
        (weights, (np.concatenate([left, np.arange(n_left)]), np.concatenate([right, n_right + np.arange(n_left)]))),
        shape=(n_left, n_right + n_left),
    )
    matched_left, matched_right = min_weight_full_bipartite_matching(graph)
    real = matched_right < n_right
    keys = left.astype(np.int64) * n_right + right
    order = np.argsort(keys, kind="stable")
    wanted = matched_left[real].astype(np.int64) * n_right + matched_right[real]
    return np.sort(order[np.searchsorted(keys, wanted, sorter=order)])


def _place_whole_jobs(inst: _Instance, bookings: _Bookings, max_rounds: int):
    """Rounds of optimal assignment for non-split jobs. Returns (edges, quantities, costs, rounds)."""
    waiting = ~inst.split
    edges = np.flatnonzero(waiting[inst.ej])
    chosen, chosen_costs = [], []
    rounds = 0
    for _ in range(max_rounds):
        edges = edges[waiting[inst.ej[edges]]]
        available = bookings.available(inst, edges)
        usable = available >= inst.quantity[inst.ej[edges]]
        if not usable.any():
            break
        round_edges, round_available = edges[usable], available[usable]
        cost = inst.costs(round_edges, round_available)
        picked = _min_cost_matching(inst.ej[round_edges], inst.ef[round_edges], cost)
        rounds += 1
        if not picked.size:
            break
        taken = round_edges[picked]
        bookings.book(inst, taken, inst.quantity[inst.ej[taken]])
        waiting[inst.ej[taken]] = False
        chosen.append(taken)
        chosen_costs.append(cost[picked])
    if not chosen:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64), np.zeros(0), rounds
    taken = np.concatenate(chosen)
    return taken, inst.quantity[inst.ej[taken]], np.concatenate(chosen_costs), rounds


# ----------------------------------------------------------------------------- split jobs


def _solve_transport(inst, edges, available, per_piece, active_job):
    """One LP of the split phase over the given edges; returns the raw share per edge or None."""
    jobs = np.flatnonzero(active_job)
    n_edges, n_jobs = edges.size, jobs.size
    job_row = np.full(inst.n_jobs, -1, dtype=np.int64)
    job_row[jobs] = np.arange(n_jobs)
    factories, factory_row = np.unique(inst.ef[edges], return_inverse=True)
    n_vars = n_edges + n_jobs
    q = inst.quantity[jobs].astype(np.float64)
    a_eq = csr_array(
        (np.ones(n_vars), (np.concatenate([job_row[inst.ej[edges]], np.arange(n_jobs)]), np.arange(n_vars))),
        shape=(n_jobs, n_vars),
    )
    a_ub = csr_array((np.ones(n_edges), (factory_row, np.arange(n_edges))), shape=(factories.size, n_vars))
    # A factory's total can never exceed the room of its roomiest pair; the exact rule (room of every
    # pair in use) is not linear and is checked afterwards.
    b_ub = np.zeros(factories.size)
    np.maximum.at(b_ub, factory_row, available.astype(np.float64))
    bounds = np.column_stack([np.zeros(n_vars), np.concatenate([available.astype(np.float64), q])])
    c = np.concatenate([per_piece, UNMATCHED_COST / q])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=q, bounds=bounds, method="highs")
    if res.status != 0 or res.x is None:
        return None
    return res.x[:n_edges]


def _split_defects(inst, edges, available, shares, active_job, broken_edge):
    """Check integral shares.

    Returns (jobs not covered exactly, shares below min_share, factories whose total exceeds the room
    of a pair in use there, that smallest room per factory).
    """
    job_of, factory_of = inst.ej[edges], inst.ef[edges]
    broken_edge = broken_edge | (shares < 0) | (shares > available)
    served = np.bincount(job_of, weights=shares, minlength=inst.n_jobs).astype(np.int64)
    broken_job = active_job & (
        (served != inst.quantity) | (np.bincount(job_of, weights=broken_edge, minlength=inst.n_jobs) > 0)
    )
    small = (shares > 0) & (shares < inst.min_share[job_of])
    used = shares > 0
    total = np.bincount(factory_of[used], weights=shares[used], minlength=inst.n_factories).astype(np.int64)
    relied_on = np.full(inst.n_factories, _NO_LIMIT, dtype=np.int64)
    np.minimum.at(relied_on, factory_of[used], available[used])
    over = total > relied_on
    return broken_job, small, over, relied_on


def _repair_small_shares(inst, edges, available, per_piece, shares):
    """Fix shares below min_share locally where the job's other shares allow it; returns new shares.

    A vertex of the LP typically fills a job's cheapest pairs to the brim and leaves a remainder on
    one more pair; dropping that pair only moves the same small remainder elsewhere. So, per small
    share, the cheapest of: merge it into another share of the job that has room, or top it up to
    min_share from a share that stays >= min_share. Moves only use a factory's proven slack (the
    smallest room of its pairs in use minus its total), so a valid factory stays valid.
    """
    job_of, factory_of = inst.ej[edges], inst.ef[edges]
    small = (shares > 0) & (shares < inst.min_share[job_of])
    if not small.any():
        return shares
    used = shares > 0
    total = np.bincount(factory_of[used], weights=shares[used], minlength=inst.n_factories).astype(np.int64)
    relied_on = np.full(inst.n_factories, _NO_LIMIT, dtype=np.int64)
    np.minimum.at(relied_on, factory_of[used], available[used])
    slack = (relied_on - total).tolist()
    starts = np.searchsorted(job_of, np.arange(inst.n_jobs + 1))  # edges are in job order
    share, room, price, fac = shares.tolist(), available.tolist(), per_piece.tolist(), factory_of.tolist()
    for j in np.unique(job_of[small]).tolist():
        least = int(inst.min_share[j])
        own = range(int(starts[j]), int(starts[j + 1]))
        while True:
            smalls = [i for i in own if 0 < share[i] < least]
            if not smalls:
                break
            i = min(smalls, key=lambda k: (share[k], fac[k]))
            s, top_up = share[i], least - share[i]
            moves = []
            for k in own:
                if k == i or share[k] <= 0:
                    continue
                if share[k] + s <= room[k] and slack[fac[k]] >= s:
                    moves.append((s * (price[k] - price[i]), fac[k], 0, k))
                if share[k] - top_up >= least and share[i] + top_up <= room[i] and slack[fac[i]] >= top_up:
                    moves.append((top_up * (price[i] - price[k]), fac[k], 1, k))
            if not moves:
                break
            _, _, kind, k = min(moves)
            moved = s if kind == 0 else top_up
            giver, taker = (i, k) if kind == 0 else (k, i)
            share[giver] -= moved
            share[taker] += moved
            slack[fac[giver]] += moved  # fewer pieces there; its pairs in use can only get roomier
            slack[fac[taker]] -= moved
    return np.array(share, dtype=np.int64)


def _limit_for_over_full_factories(factory_of, available, shares, over) -> dict[int, int]:
    """One fixed limit per over-full factory: the room of one of the pairs the LP used there.

    It is the one that keeps the most of what the LP put on the factory (ties: the larger limit).
    With its pairs below the limit dropped, the factory can never be over again.
    """
    used = np.flatnonzero((shares > 0) & over[factory_of])
    used = used[np.lexsort((-available[used], factory_of[used]))]  # per factory, roomiest pair first
    limits = {}
    for group in np.split(used, np.flatnonzero(np.diff(factory_of[used])) + 1):
        room = available[group]
        kept = np.minimum(room, np.cumsum(shares[group]))  # limit room[i] keeps pairs 0..i, all >= room[i]
        limits[int(factory_of[group[0]])] = int(room[np.argmax(kept)])  # first maximum: the larger limit
    return limits


def _place_split_jobs(inst: _Instance, bookings: _Bookings):
    """Divide all split jobs over the capacity left; books and returns (edges, shares, costs) placed.

    Each LP solve freezes (books) the jobs it settled cleanly: covered exactly, no share below
    min_share, no factory of theirs over the room of a pair in use. Only the rest is solved again,
    on what the frozen jobs left. Whatever is unsettled after MAX_SPLIT_ITERATIONS stays unplaced.
    """
    edges = np.flatnonzero(inst.split[inst.ej])
    job_of_all = inst.ej[edges]
    pending = inst.split.copy()
    active_edge = np.ones(edges.size, dtype=bool)
    # Limits the repairs put on over-full factories: this phase's own, not bookings.
    ceiling = np.full(inst.n_factories, _NO_LIMIT, dtype=np.int64)
    placed_edges, placed_shares, placed_costs = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.int64)], []
    for _ in range(MAX_SPLIT_ITERATIONS):
        f = inst.ef[edges]
        available = np.minimum(bookings.available(inst, edges), ceiling[f] - bookings.booked[f])
        active_edge &= pending[job_of_all] & (available >= inst.min_share[job_of_all])
        # A job its pairs cannot cover even on otherwise empty factories is not worth a variable.
        reach = np.bincount(job_of_all[active_edge], weights=available[active_edge], minlength=inst.n_jobs)
        pending &= reach >= inst.quantity
        active_edge &= pending[job_of_all]
        if not active_edge.any():
            break
        live, room = edges[active_edge], available[active_edge]
        job_of, factory_of = inst.ej[live], inst.ef[live]
        per_piece = inst.costs(live, room) / inst.quantity[job_of]
        raw = _solve_transport(inst, live, room, per_piece, pending)
        if raw is None:
            break
        shares = np.rint(raw).astype(np.int64)
        fractional = np.abs(raw - shares) > _INTEGRALITY_TOLERANCE
        shares = _repair_small_shares(inst, live, room, per_piece, shares)
        broken_job, small, over, _ = _split_defects(inst, live, room, shares, pending, fractional)

        unsettled = broken_job.copy()
        unsettled[job_of[small]] = True
        unsettled[job_of[over[factory_of] & (shares > 0)]] = True
        settled = pending & ~unsettled
        keep = settled[job_of] & (shares > 0)
        if keep.any():
            bookings.book(inst, live[keep], shares[keep])
            placed_edges.append(live[keep])
            placed_shares.append(shares[keep])
            placed_costs.append(shares[keep] * per_piece[keep])
        pending &= ~settled
        if not pending.any():
            break

        # Repair what is left for the next solve.
        position = np.flatnonzero(active_edge)
        active_edge[position[small]] = False
        if over.any():
            # Capacity first: a job only partly covered now may be covered once it is repaired.
            for factory, limit in _limit_for_over_full_factories(factory_of, room, shares, over).items():
                ceiling[factory] = bookings.booked[factory] + limit
                active_edge[position[(factory_of == factory) & (room < limit)]] = False
        else:
            pending &= ~broken_job
    return (
        np.concatenate(placed_edges),
        np.concatenate(placed_shares),
        np.concatenate([np.zeros(0), *placed_costs]),
    )


def _fill_split_jobs_greedily(inst: _Instance, bookings: _Bookings, jobs: np.ndarray):
    """Fill each split job in turn from its cheapest pairs per piece, all or nothing; books what it places.

    Every share is >= min_share (a share is cut back when the rest would fall below it). Returns
    (edges, shares, costs) of the placed jobs.
    """
    split_edges = np.flatnonzero(inst.split[inst.ej])
    starts = np.searchsorted(inst.ej[split_edges], np.arange(inst.n_jobs + 1))
    placed_edges, placed_shares, placed_costs = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.int64)], []
    for j in jobs.tolist():
        own = split_edges[starts[j] : starts[j + 1]]
        # A job's pairs go to distinct factories, so booking one share leaves the others' room alone.
        available = bookings.available(inst, own)
        q, least = int(inst.quantity[j]), int(inst.min_share[j])
        ok = available >= least
        own, available = own[ok], available[ok]
        if available.sum() < q:
            continue
        per_piece = inst.costs(own, available) / q
        need, take = q, []
        for pos in np.lexsort((inst.ef[own], per_piece)).tolist():
            share = min(need, int(available[pos]))
            if 0 < need - share < least:
                share = need - least
            if share < least:
                continue
            take.append((pos, share))
            need -= share
            if need == 0:
                break
        if need:
            continue
        positions = np.array([p for p, _ in take], dtype=np.intp)
        amounts = np.array([a for _, a in take], dtype=np.int64)
        bookings.book(inst, own[positions], amounts)
        placed_edges.append(own[positions])
        placed_shares.append(amounts)
        placed_costs.append(amounts * per_piece[positions])
    return np.concatenate(placed_edges), np.concatenate(placed_shares), np.concatenate([np.zeros(0), *placed_costs])


# ----------------------------------------------------------------------------- greedy baseline


def _greedy_cost(inst: _Instance, max_rounds: int) -> float:
    bookings = _Bookings(inst.n_factories)
    placed_job = np.zeros(inst.n_jobs, dtype=bool)
    costs = []

    edges = np.flatnonzero(~inst.split[inst.ej])
    if edges.size:
        initial = inst.costs(edges, inst.capacity[edges])
        edges = edges[np.lexsort((inst.ef[edges], inst.ej[edges], initial))]
        job_of, factory_of = inst.ej[edges].tolist(), inst.ef[edges].tolist()
        capacity, quantity = inst.capacity[edges].tolist(), inst.quantity.tolist()
        booked = [0] * inst.n_factories
        limit = [int(_NO_LIMIT)] * inst.n_factories
        jobs_taken = [0] * inst.n_factories
        placed = placed_job.tolist()
        taken, taken_room = [], []
        for pos, e in enumerate(edges.tolist()):
            j, f = job_of[pos], factory_of[pos]
            if placed[j] or jobs_taken[f] >= max_rounds:
                continue
            room = min(capacity[pos], limit[f]) - booked[f]
            if room < quantity[j]:
                continue
            placed[j] = True
            booked[f] += quantity[j]
            limit[f] = min(limit[f], capacity[pos])
            jobs_taken[f] += 1
            taken.append(e)
            taken_room.append(room)
        bookings.booked[:] = booked
        bookings.limit[:] = limit
        placed_job[:] = placed
        if taken:
            costs.append(inst.costs(np.array(taken), np.array(taken_room)))

    split_edges, _, split_costs = _fill_split_jobs_greedily(inst, bookings, np.flatnonzero(inst.split))
    placed_job[inst.ej[split_edges]] = True
    costs.append(split_costs)

    matched = math.fsum(float(x) for chunk in costs for x in chunk)
    return matched + UNMATCHED_COST * int(np.count_nonzero(~placed_job))


# ----------------------------------------------------------------------------- entry points


def candidate_costs(
    jobs: Sequence[DispatchJob],
    factories: Sequence[DispatchFactory],
    candidates: Sequence[Candidate],
    weights: Weights = DEFAULT_WEIGHTS,
) -> np.ndarray:
    """Vectorised ``pair_cost`` of every candidate at its full free capacity, in input order.

    These are the costs of the first whole-job round. NaN marks a candidate whose job or factory
    is not among ``jobs`` / ``factories``.
    """
    jobs = sorted(jobs, key=attrgetter("id"))
    factories = sorted(factories, key=attrgetter("id"))
    _, _, known, ej, _, cap, static = _edge_arrays(jobs, factories, candidates, weights)
    out = np.full(len(candidates), np.nan)
    out[known] = _total_costs(
        weights,
        static,
        quantity=_column(jobs, "quantity", np.float64)[ej],
        capacity=cap.astype(np.float64),
        hours=_sanitised_hours(_column(jobs, "hours_to_deadline", np.float64))[ej],
    )
    return out


def solve_batch(
    jobs: Sequence[DispatchJob],
    factories: Sequence[DispatchFactory],
    candidates: Sequence[Candidate],
    weights: Weights = DEFAULT_WEIGHTS,
    max_rounds: int = 3,
) -> BatchResult:
    """Propose factories for a batch of dispatch jobs; see the module docstring for the rules.

    Precondition: every candidate is an eligible pair (the caller checked eligibility); its
    free_capacity is the room for that job before its deadline, not yet reduced by this batch.
    """
    if max_rounds < 1:
        raise ValueError("max_rounds must be at least 1")
    started = time.perf_counter()
    inst = _Instance(jobs, factories, candidates, weights)
    bookings = _Bookings(inst.n_factories)
    whole_edges, whole_qty, whole_cost, rounds = _place_whole_jobs(inst, bookings, max_rounds)
    split_edges, split_qty, split_cost = _place_split_jobs(inst, bookings)
    # What the LP had to give up on may still fit in what is left, one job at a time.
    left_over = inst.split.copy()
    left_over[inst.ej[split_edges]] = False
    more_edges, more_qty, more_cost = _fill_split_jobs_greedily(inst, bookings, np.flatnonzero(left_over))
    solve_seconds = time.perf_counter() - started

    edges = np.concatenate([whole_edges, split_edges, more_edges])
    quantities = np.concatenate([whole_qty, split_qty, more_qty])
    costs = np.concatenate([whole_cost, split_cost, more_cost])
    order = np.lexsort((inst.ef[edges], inst.ej[edges]))
    proposals = [
        Proposal(job_id=job_id, factory_id=factory_id, quantity=quantity, cost=cost)
        for job_id, factory_id, quantity, cost in zip(
            inst.job_ids[inst.ej[edges[order]]].tolist(),
            inst.factory_ids[inst.ef[edges[order]]].tolist(),
            quantities[order].tolist(),
            costs[order].tolist(),
            strict=True,
        )
    ]
    placed = np.zeros(inst.n_jobs, dtype=bool)
    placed[inst.ej[edges]] = True
    unmatched = inst.job_ids[~placed].tolist()
    total = math.fsum(p.cost for p in proposals) + UNMATCHED_COST * len(unmatched)
    return BatchResult(
        proposals=proposals,
        unmatched_job_ids=unmatched,
        total_cost=total,
        greedy_cost=_greedy_cost(inst, max_rounds),
        solve_seconds=solve_seconds,
        rounds=rounds,
    )
