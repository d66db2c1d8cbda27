"""What a (job, factory) pair costs (see ``orders.matching.solver`` for the formula), and the
solver's instance: sorted ids, edge arrays and per-factory bookings."""

from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from orders.matching.types import (
    _NO_LIMIT,
    DEADLINE_RATIO_CAP,
    DEFAULT_WEIGHTS,
    MAX_DISTANCE_KM,
    MAX_PAIR_COST,
    PRICE_RATIO_CAP,
    UNKNOWN_RATING,
    Candidate,
    CandidateArrays,
    DispatchFactory,
    DispatchJob,
    Weights,
    haversine_km_array,
)

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


def _static_costs(weights, *, distance, job_price, factory_price, rating, reliability, load, quality) -> np.ndarray:
    """Every cost term except the deadline one, which depends on the capacity left."""
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = np.clip(factory_price / np.maximum(job_price, 1.0), 0.0, PRICE_RATIO_CAP)
        rating = np.clip(np.where(np.isnan(rating), UNKNOWN_RATING, rating), 0.0, 5.0)
        reliability = np.clip(np.nan_to_num(reliability, nan=0.0), 0.0, 1.0)
        load = np.clip(np.nan_to_num(load, nan=1.0), 0.0, 1.0)
        quality = np.clip(np.nan_to_num(quality, nan=0.0), 0.0, 1.0)
        cost = (
            weights.distance_per_km * distance
            + weights.price_ratio * ratio
            + weights.rating * (5.0 - rating)
            + weights.reliability * (1.0 - reliability)
            + weights.load * load
            + weights.quality * (1.0 - quality)
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
        quality=one(cand.quality),
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
        values = getattr(candidates, attr)
        if values is None:  # an optional column (quality): every pair at its best
            return np.ones(len(candidates), dtype=dtype)
        return np.asarray(values, dtype=dtype)
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
        quality=_candidate_column(candidates, "quality", np.float64)[known],
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
        key = ej.astype(np.int64) * max(1, self.factory_ids.size) + ef
        order = np.argsort(key, kind="stable")
        if np.all(np.diff(key[order]) != 0):  # no duplicate pairs (eligibility's): one sort is enough
            self.ej, self.ef, self.capacity, self.static = ej[order], ef[order], cap[order], static[order]
            return
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
