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
  + quality         * (1 - quality)                     (the pair's factory at the job's process;
                                                         NaN counts as 0, the worst)
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
   HiGHS's dual simplex (``highspy``, presolve off): shares ``x[job, factory]`` with ``0 <= x <= remaining capacity``,
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

``defer_greedy=True`` leaves ``greedy_cost`` NaN and hands back ``BatchResult.greedy``, which
computes it (the same figure) when the caller likes: the dispatch service runs it on a thread
while PostgreSQL writes the batch's offers.

``solve_seconds`` is the wall time of the optimal solve (rounds and split phase), without the
greedy baseline. ``rounds`` is the number of whole-job assignment rounds actually solved.
"""

import functools
import math
import time
from collections.abc import Sequence

import numpy as np

from orders.matching.costs import _Bookings, _Instance, candidate_costs, pair_cost
from orders.matching.greedy import _greedy_cost
from orders.matching.split_jobs import _fill_split_jobs_greedily, _place_split_jobs
from orders.matching.types import (
    DEADLINE_RATIO_CAP,
    DEFAULT_WEIGHTS,
    MAX_PAIR_COST,
    UNMATCHED_COST,
    BatchResult,
    Candidate,
    CandidateArrays,
    DispatchFactory,
    DispatchJob,
    Proposal,
    Weights,
    haversine_km,
    haversine_km_array,
)
from orders.matching.whole_jobs import _place_whole_jobs

__all__ = [
    "DEADLINE_RATIO_CAP",
    "DEFAULT_WEIGHTS",
    "MAX_PAIR_COST",
    "UNMATCHED_COST",
    "BatchResult",
    "Candidate",
    "CandidateArrays",
    "DispatchFactory",
    "DispatchJob",
    "Proposal",
    "Weights",
    "candidate_costs",
    "haversine_km",
    "haversine_km_array",
    "pair_cost",
    "solve_batch",
]


def solve_batch(
    jobs: Sequence[DispatchJob],
    factories: Sequence[DispatchFactory],
    candidates: Sequence[Candidate],
    weights: Weights = DEFAULT_WEIGHTS,
    max_rounds: int = 3,
    *,
    defer_greedy: bool = False,
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
    greedy = functools.partial(_greedy_cost, inst, max_rounds)
    return BatchResult(
        proposals=proposals,
        unmatched_job_ids=unmatched,
        total_cost=total,
        greedy_cost=math.nan if defer_greedy else greedy(),
        solve_seconds=solve_seconds,
        rounds=rounds,
        greedy=greedy if defer_greedy else None,
    )
