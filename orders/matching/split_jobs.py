"""Split jobs: divided over the capacity the whole-job rounds left, as one transportation
problem (HiGHS), repaired and re-solved until every share meets its minimum; then a greedy
fill for what the LP could not place."""

import highspy
import numpy as np

from orders.matching.costs import _Bookings, _Instance
from orders.matching.types import _INTEGRALITY_TOLERANCE, _NO_LIMIT, MAX_SPLIT_ITERATIONS, UNMATCHED_COST

# ----------------------------------------------------------------------------- split jobs

# HiGHS (the solver scipy's linprog wraps, called directly through its own highspy: linprog's
# wrapper walks every column in Python to report bound multipliers this phase never reads,
# half the time of a 60,000-variable solve). The model is linprog's, row for row: factory
# rows (at most their roomiest pair's room), then job rows (shares + slack = quantity).
# Presolve finds nothing to remove in these transportation problems and costs about half of
# each solve; without it the dual simplex stops at a looser dual tolerance on a vertex a hair
# worse than the optimum (10,000 x 2,000: 8e-5 in 1e5), at 1e-9 on the same one.
_HIGHS_OPTIONS = {
    "output_flag": False,
    "presolve": "off",
    "dual_feasibility_tolerance": 1e-9,
    "simplex_strategy": 1,  # dual simplex, as linprog asks
}


def _solve_transport(inst, edges, available, per_piece, active_job):
    """One LP of the split phase over the given edges; returns the raw share per edge or None."""
    jobs = np.flatnonzero(active_job)
    n_edges, n_jobs = edges.size, jobs.size
    job_row = np.full(inst.n_jobs, -1, dtype=np.int64)
    job_row[jobs] = np.arange(n_jobs)
    factories, factory_row = np.unique(inst.ef[edges], return_inverse=True)
    n_factories = factories.size
    q = inst.quantity[jobs].astype(np.float64)
    # A factory's total can never exceed the room of its roomiest pair; the exact rule (room of every
    # pair in use) is not linear and is checked afterwards.
    room = np.zeros(n_factories)
    np.maximum.at(room, factory_row, available.astype(np.float64))
    # Columns: a share sits in its factory's row and its job's; a job's slack in its job's row.
    index = np.concatenate(
        [np.column_stack([factory_row, n_factories + job_row[inst.ej[edges]]]).ravel(), n_factories + np.arange(n_jobs)]
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_edges + n_jobs, n_factories + n_jobs
    lp.col_cost_ = np.concatenate([per_piece, UNMATCHED_COST / q])
    lp.col_lower_ = np.zeros(n_edges + n_jobs)
    lp.col_upper_ = np.concatenate([available.astype(np.float64), q])
    lp.row_lower_ = np.concatenate([np.full(n_factories, -highspy.kHighsInf), q])
    lp.row_upper_ = np.concatenate([room, q])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([np.arange(0, 2 * n_edges + 1, 2), 2 * n_edges + 1 + np.arange(n_jobs)])
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = np.ones(index.size)
    solver = highspy.Highs()
    for name, value in _HIGHS_OPTIONS.items():
        solver.setOptionValue(name, value)
    solver.passModel(lp)
    if solver.run() == highspy.HighsStatus.kError or solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(solver.getSolution().col_value)[:n_edges]


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
