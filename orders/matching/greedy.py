"""The greedy baseline (cheapest pair first) that each batch records beside the optimum."""

import math

import numpy as np

from orders.matching.costs import _Bookings, _Instance
from orders.matching.split_jobs import _fill_split_jobs_greedily
from orders.matching.types import _NO_LIMIT, UNMATCHED_COST

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
