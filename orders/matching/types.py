"""The matching solver's plain values: jobs, factories, candidate pairs, weights, results,
its constants and great-circle distance. No Django."""

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np

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
    quality: float = 1.0  # 0..1: the factory's inspected quality at the job's process (quality_score)


@dataclass(frozen=True)
class CandidateArrays:
    """The same candidates as parallel numpy arrays, for batches too large to build one
    ``Candidate`` object per pair; ``solve_batch`` takes either form."""

    job_id: np.ndarray
    factory_id: np.ndarray
    unit_price_fen: np.ndarray
    distance_km: np.ndarray
    free_capacity: np.ndarray
    quality: np.ndarray | None = None  # None: every pair 1.0

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
    quality: float = 30.0  # cost per (1 - quality) of the factory at the job's process

    def __post_init__(self):
        # A bad setting must fail loudly at start-up, not skew every batch silently.
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, numbers.Real) and math.isfinite(value) and value >= 0):
                raise ValueError(f"weight {f.name} must be a finite number >= 0, got {value!r}")


DEFAULT_WEIGHTS = Weights()

# A factory's quality at a process, from its lots' original inspections (GB/T 2828.1):
# the share of lots accepted at first inspection, smoothed towards QUALITY_PRIOR so a few
# lots move it gently (a factory never inspected there scores the prior), halved while its
# lots there are under tightened inspection, and 0 once inspection is discontinued.
QUALITY_PRIOR = 0.8
QUALITY_PRIOR_LOTS = 5
TIGHTENED_QUALITY_FACTOR = 0.5


def quality_score(*, lots: int, lots_accepted: int, severity: str, discontinued: bool) -> float:
    if discontinued:
        return 0.0
    rate = (lots_accepted + QUALITY_PRIOR * QUALITY_PRIOR_LOTS) / (lots + QUALITY_PRIOR_LOTS)
    return rate * (TIGHTENED_QUALITY_FACTOR if severity == "tightened" else 1.0)


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
    # With ``solve_batch(defer_greedy=True)``: greedy_cost is NaN and this works it out, for a
    # caller that has other work to overlap it with (the dispatch service writes its offers).
    greedy: Callable[[], float] | None = field(default=None, repr=False, compare=False)


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
