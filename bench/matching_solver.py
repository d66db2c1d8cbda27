"""Benchmark of the dispatch matching engine (orders/matching/solver.py) on random batches around Jiaozhou.

Run from the repository root: ``.venv/bin/python bench/matching_solver.py``. No Django, no database.

Per size (jobs x factories) it prints the candidate count, the engine's solve time, its total cost
against the greedy baseline, the share of jobs placed, and a check of the first round against a raw
dense ``scipy.optimize.linear_sum_assignment`` over the full jobs x factories cost matrix (missing
pairs at UNMATCHED_COST): both costs must be equal, only the time may differ.
"""

import dataclasses
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orders.matching.solver import (  # noqa: E402  (the path above must be set first)
    UNMATCHED_COST,
    Candidate,
    DispatchFactory,
    DispatchJob,
    candidate_costs,
    haversine_km_array,
    solve_batch,
)

SEED = 20240611
CENTRE = (36.264, 120.033)  # Jiaozhou
AREA_RADIUS_KM = 25.0
MAX_CANDIDATES_PER_JOB = 40
SPLIT_SHARE = 0.2  # share of jobs that allow splitting
SIZES = [(200, 50), (2_000, 500), (10_000, 2_000)]
KM_PER_DEGREE = math.pi * 6371.0088 / 180


def _points(rng, n):
    """n points uniform over a disc of AREA_RADIUS_KM around the centre."""
    r = AREA_RADIUS_KM * np.sqrt(rng.random(n))
    angle = rng.random(n) * 2 * math.pi
    lat = CENTRE[0] + r * np.cos(angle) / KM_PER_DEGREE
    lng = CENTRE[1] + r * np.sin(angle) / (KM_PER_DEGREE * math.cos(math.radians(CENTRE[0])))
    return lat, lng


def _log_uniform(rng, low, high, n):
    return np.exp(rng.uniform(math.log(low), math.log(high), n))


def build_instance(rng, n_jobs, n_factories):
    job_lat, job_lng = _points(rng, n_jobs)
    quantity = np.rint(_log_uniform(rng, 300, 20_000, n_jobs)).astype(int)
    job_price = rng.integers(5, 80, n_jobs)  # fen per piece
    hours = rng.uniform(24, 240, n_jobs)
    split = rng.random(n_jobs) < SPLIT_SHARE
    min_share = np.maximum(1, np.rint(quantity * rng.uniform(0.1, 0.3, n_jobs))).astype(int)
    jobs = [
        DispatchJob(
            id=1000 + i,
            quantity=int(quantity[i]),
            unit_price_fen=int(job_price[i]),
            lat=float(job_lat[i]),
            lng=float(job_lng[i]),
            hours_to_deadline=float(hours[i]),
            allow_split=bool(split[i]),
            min_share=int(min_share[i]) if split[i] else 1,
        )
        for i in range(n_jobs)
    ]

    f_lat, f_lng = _points(rng, n_factories)
    radius = rng.uniform(15, 40, n_factories)
    daily = _log_uniform(rng, 1_500, 25_000, n_factories)  # pieces per day for the process
    load = rng.uniform(0.0, 0.85, n_factories)
    rating = np.where(rng.random(n_factories) < 0.1, 4.0, rng.uniform(3.0, 5.0, n_factories))
    reliability = rng.uniform(0.6, 1.0, n_factories)
    factories = [
        DispatchFactory(
            id=500_000 + k,
            lat=float(f_lat[k]),
            lng=float(f_lng[k]),
            rating=float(rating[k]),
            reliability=float(reliability[k]),
            load=float(load[k]),
        )
        for k in range(n_factories)
    ]

    candidates = []
    for start in range(0, n_jobs, 1_000):
        rows = slice(start, min(start + 1_000, n_jobs))
        dist = haversine_km_array(job_lat[rows, None], job_lng[rows, None], f_lat[None, :], f_lng[None, :])
        dist = np.where(dist <= radius[None, :], dist, np.inf)
        k = min(MAX_CANDIDATES_PER_JOB, n_factories)
        nearest = np.argpartition(dist, k - 1, axis=1)[:, :k]
        for offset, factory_row in enumerate(nearest):
            i = start + offset
            for f in factory_row[np.isfinite(dist[offset, factory_row])].tolist():
                free = int(daily[f] * (1 - load[f]) * hours[i] / 24)
                candidates.append(
                    Candidate(
                        job_id=jobs[i].id,
                        factory_id=factories[f].id,
                        unit_price_fen=max(1, int(job_price[i] * rng.uniform(0.6, 1.0))),
                        distance_km=float(dist[offset, f]),
                        free_capacity=free,
                    )
                )
    return jobs, factories, candidates


def dense_single_round(jobs, factories, candidates):
    """Raw dense linear_sum_assignment over every job x factory; returns (cost, seconds)."""
    started = time.perf_counter()
    job_index = {job.id: i for i, job in enumerate(jobs)}
    factory_index = {factory.id: k for k, factory in enumerate(factories)}
    cost = candidate_costs(jobs, factories, candidates)
    matrix = np.full((len(jobs), len(factories)), UNMATCHED_COST)
    for cand, c in zip(candidates, cost.tolist(), strict=True):
        if cand.free_capacity >= jobs[job_index[cand.job_id]].quantity:
            matrix[job_index[cand.job_id], factory_index[cand.factory_id]] = c
    rows, cols = linear_sum_assignment(matrix)
    chosen = matrix[rows, cols]
    real = chosen < UNMATCHED_COST
    total = math.fsum(chosen[real].tolist()) + UNMATCHED_COST * (len(jobs) - int(real.sum()))
    return total, time.perf_counter() - started


def _versus_greedy(result, n_jobs):
    unmatched = len(result.unmatched_job_ids)
    # greedy_cost = placed pairs + UNMATCHED_COST per unmatched job; the pairs stay far below 1e6 here.
    greedy_unmatched = round(result.greedy_cost // UNMATCHED_COST)
    better = 100 * (result.greedy_cost - result.total_cost) / result.greedy_cost
    placed_cost = result.total_cost - UNMATCHED_COST * unmatched
    greedy_placed_cost = result.greedy_cost - UNMATCHED_COST * greedy_unmatched
    return (
        f"total cost {result.total_cost:,.1f} vs greedy {result.greedy_cost:,.1f} ({better:+.2f}% better); "
        f"jobs matched {1 - unmatched / n_jobs:.1%} vs greedy {1 - greedy_unmatched / n_jobs:.1%}; "
        f"cost of the placed pairs {placed_cost:,.1f} vs greedy {greedy_placed_cost:,.1f}"
    )


def main():
    rng = np.random.default_rng(SEED)
    print(f"dispatch matching bench, seed {SEED}, {SPLIT_SHARE:.0%} split jobs, UNMATCHED_COST {UNMATCHED_COST:,.0f}")
    for n_jobs, n_factories in SIZES:
        jobs, factories, candidates = build_instance(rng, n_jobs, n_factories)
        print(f"\n== {n_jobs:,} jobs x {n_factories:,} factories: {len(candidates):,} candidates")

        started = time.perf_counter()
        result = solve_batch(jobs, factories, candidates)
        wall = time.perf_counter() - started
        print(
            f"engine (3 rounds + split): solve {result.solve_seconds:.3f} s "
            f"(with greedy baseline {wall:.3f} s), rounds {result.rounds}, proposals {len(result.proposals):,}"
        )
        print("  " + _versus_greedy(result, n_jobs))

        whole = [dataclasses.replace(job, allow_split=False, min_share=1) for job in jobs]
        single = solve_batch(whole, factories, candidates, max_rounds=1)
        dense_cost, dense_seconds = dense_single_round(whole, factories, candidates)
        equal = abs(single.total_cost - dense_cost) <= 1e-6
        print(
            f"round 1, all jobs whole: engine {single.total_cost:,.6f} in {single.solve_seconds:.3f} s; "
            f"dense linear_sum_assignment {dense_cost:,.6f} in {dense_seconds:.3f} s "
            f"({dense_seconds / single.solve_seconds:.1f}x the engine's time); equal: {equal}"
        )
        print("  " + _versus_greedy(single, n_jobs))
        if not equal:
            raise SystemExit("engine round 1 differs from the dense optimum")


if __name__ == "__main__":
    main()
