"""Whole jobs: rounds of optimal rectangular assignment (sparse LAPJV) with an 'unmatched'
option per job priced above any real pair."""

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from orders.matching.costs import _Bookings, _Instance
from orders.matching.types import UNMATCHED_COST

# ----------------------------------------------------------------------------- whole jobs


def _min_cost_matching(rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Positions of the edges in a matching minimising sum(cost) + UNMATCHED_COST per unmatched vertex.

    (rows, cols) pairs must be unique. The smaller side becomes the matrix rows (LAPJVsp is far
    faster that way) and each of its vertices gets a private dummy partner at UNMATCHED_COST, so a
    full matching always exists. Whichever side is smaller, the objective differs from
    "sum(cost) + UNMATCHED_COST * unmatched jobs" by a constant, so the argmin is the same.
    """
    _, rows_at = np.unique(rows, return_inverse=True)
    _, cols_at = np.unique(cols, return_inverse=True)
    swapped = cols_at.max() < rows_at.max()
    left, right = (cols_at, rows_at) if swapped else (rows_at, cols_at)
    n_left, n_right = int(left.max()) + 1, int(right.max()) + 1
    # LAPJVsp needs non-zero weights; a constant offset per matched row changes nothing.
    weights = np.concatenate([cost + 1.0, np.full(n_left, UNMATCHED_COST + 1.0)])
    graph = csr_array(
        (weights, (np.concatenate([left, np.arange(n_left)]), np.concatenate([right, n_right + np.arange(n_left)]))),
        shape=(n_left, n_right + n_left),
    )
    matched_left, matched_right = min_weight_full_bipartite_matching(graph)
    real = matched_right < n_right
    matched_left, matched_right = matched_left[real].astype(np.int64), matched_right[real].astype(np.int64)
    if swapped:
        matched_left, matched_right = matched_right, matched_left
    # Each matched pair's edge, by the edges' (row, column) key: already sorted when the
    # edges come in (row, column) order (the rounds' do), else sorted here.
    n_cols = int(cols_at.max()) + 1
    keys = rows_at.astype(np.int64) * n_cols + cols_at
    wanted = matched_left * n_cols + matched_right
    if np.all(keys[1:] > keys[:-1]):
        return np.sort(np.searchsorted(keys, wanted))
    order = np.argsort(keys, kind="stable")
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
