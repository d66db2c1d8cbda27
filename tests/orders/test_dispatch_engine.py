"""Unit tests of the dispatch matching engine (orders/matching/solver.py): pure functions, no database."""

import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from orders.matching.solver import (
    DEADLINE_RATIO_CAP,
    MAX_PAIR_COST,
    UNMATCHED_COST,
    Candidate,
    DispatchFactory,
    DispatchJob,
    Proposal,
    Weights,
    candidate_costs,
    haversine_km,
    haversine_km_array,
    pair_cost,
    solve_batch,
)

JIAOZHOU = (36.264, 120.033)
QINGDAO = (36.067, 120.383)
# Only distance counts, so a pair's cost is exactly its distance_km and the examples read easily.
DISTANCE_ONLY = Weights(distance_per_km=1.0, price_ratio=0.0, rating=0.0, reliability=0.0, load=0.0, deadline_slack=0.0)

# database=None: no .hypothesis/ directory in the working tree. The examples are small, so 150 are cheap.
PROPERTY = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def job(job_id, quantity=100, *, allow_split=False, min_share=1, price=50, hours=48.0):
    return DispatchJob(
        id=job_id,
        quantity=quantity,
        unit_price_fen=price,
        lat=JIAOZHOU[0],
        lng=JIAOZHOU[1],
        hours_to_deadline=hours,
        allow_split=allow_split,
        min_share=min_share,
    )


def factory(factory_id, rating=4.0, reliability=1.0, load=0.0):
    return DispatchFactory(
        id=factory_id, lat=JIAOZHOU[0], lng=JIAOZHOU[1], rating=rating, reliability=reliability, load=load
    )


def cand(job_id, factory_id, distance_km, free_capacity, price=40):
    return Candidate(
        job_id=job_id, factory_id=factory_id, unit_price_fen=price, distance_km=distance_km, free_capacity=free_capacity
    )


# ----------------------------------------------------------------------------- strategies


@st.composite
def instances(draw, max_jobs=6, max_factories=5, split=False, max_capacity=80):
    """Random batches: random ids, random eligibility (a random subset of all pairs)."""
    job_ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=max_jobs))
    factory_ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=max_factories))
    jobs = []
    for job_id in job_ids:
        allow_split = split and draw(st.booleans())
        quantity = draw(st.integers(1, 60))
        jobs.append(
            DispatchJob(
                id=job_id,
                quantity=quantity,
                unit_price_fen=draw(st.integers(1, 100)),
                lat=JIAOZHOU[0] + draw(st.floats(-0.2, 0.2)),
                lng=JIAOZHOU[1] + draw(st.floats(-0.2, 0.2)),
                hours_to_deadline=draw(st.floats(0, 240)),
                allow_split=allow_split,
                min_share=draw(st.integers(1, quantity + 5)) if allow_split else 1,
            )
        )
    factories = [
        DispatchFactory(
            id=factory_id,
            lat=JIAOZHOU[0] + draw(st.floats(-0.2, 0.2)),
            lng=JIAOZHOU[1] + draw(st.floats(-0.2, 0.2)),
            rating=draw(st.floats(0, 5)),
            reliability=draw(st.floats(0, 1)),
            load=draw(st.floats(0, 1)),
        )
        for factory_id in factory_ids
    ]
    pairs = [(j, f) for j in job_ids for f in factory_ids]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    candidates = [
        Candidate(
            job_id=j,
            factory_id=f,
            unit_price_fen=draw(st.integers(1, 100)),
            distance_km=draw(st.floats(0, 60)),
            free_capacity=draw(st.integers(0, max_capacity)),
        )
        for j, f in chosen
    ]
    return jobs, factories, candidates


def brute_force_single_round(jobs, factories, candidates):
    """Cheapest assignment by enumeration: each job one eligible factory or none, each factory one job."""
    jobs_by_id = {j.id: j for j in jobs}
    factories_by_id = {f.id: f for f in factories}
    options = defaultdict(list)
    for c in candidates:
        j = jobs_by_id[c.job_id]
        if c.free_capacity >= j.quantity:
            options[c.job_id].append((c.factory_id, pair_cost(j, factories_by_id[c.factory_id], c)))
    order = [j.id for j in jobs]
    best = math.inf

    def walk(i, used, cost):
        nonlocal best
        if i == len(order):
            best = min(best, cost)
            return
        walk(i + 1, used, cost + UNMATCHED_COST)
        for factory_id, pair in options[order[i]]:
            if factory_id not in used:
                walk(i + 1, used | {factory_id}, cost + pair)

    walk(0, frozenset(), 0.0)
    return best


def outcome(result):
    """Everything but the timing."""
    return result.proposals, result.unmatched_job_ids, result.total_cost, result.greedy_cost, result.rounds


# ----------------------------------------------------------------------------- haversine


def test_haversine_km_jiaozhou_to_qingdao_is_about_38_km():
    # given Jiaozhou and Qingdao; by hand: dlat = -0.197 deg, dlng = 0.35 deg,
    #   h = sin^2(dlat/2) + cos(36.264) cos(36.067) sin^2(dlng/2) = 2.9555e-6 + 0.65187 * 9.3290e-6 = 9.0367e-6
    #   d = 2 * 6371.0088 * asin(sqrt(h)) = 12742.02 * 0.0030061 = 38.30 km
    # when
    distance = haversine_km(*JIAOZHOU, *QINGDAO)
    # then
    assert abs(distance - 38.30) < 0.01


def test_haversine_km_is_symmetric_and_zero_for_the_same_point():
    # given / when
    there = haversine_km(*JIAOZHOU, *QINGDAO)
    back = haversine_km(*QINGDAO, *JIAOZHOU)
    # then
    assert there == back
    assert haversine_km(*JIAOZHOU, *JIAOZHOU) == 0.0


def test_haversine_km_array_matches_the_scalar_version_elementwise():
    # given points around the cluster
    lat1 = np.array([36.264, 36.067, 36.3, 0.0])
    lng1 = np.array([120.033, 120.383, 119.9, 0.0])
    lat2 = np.array([36.067, 36.264, 36.3, 0.0])
    lng2 = np.array([120.383, 120.033, 120.2, 180.0])
    # when
    distances = haversine_km_array(lat1, lng1, lat2, lng2)
    # then
    expected = [haversine_km(a, b, c, d) for a, b, c, d in zip(lat1, lng1, lat2, lng2, strict=True)]
    assert distances.tolist() == pytest.approx(expected, rel=1e-12)
    assert distances[3] == pytest.approx(math.pi * 6371.0088, rel=1e-12)  # antipodes: half the circumference
    assert math.isnan(haversine_km(math.nan, 120.0, 36.0, 120.0))


# ----------------------------------------------------------------------------- pair_cost


def test_pair_cost_adds_the_weighted_terms():
    # given 100 pieces at 50 fen, 48 h left; the factory asks 40 fen, is 5 km away, has room for 1,000
    j = job(1, quantity=100, price=50, hours=48.0)
    f = factory(10, rating=4.5, reliability=0.9, load=0.2)
    c = cand(1, 10, distance_km=5.0, free_capacity=1_000, price=40)
    # when
    cost = pair_cost(j, f, c)
    # then distance 5 + price 50*0.8 + rating 5*0.5 + reliability 30*0.1 + load 20*0.2 + deadline 10*100/1000
    assert cost == pytest.approx(5.0 + 40.0 + 2.5 + 3.0 + 4.0 + 1.0, abs=1e-9)


def test_pair_cost_caps_the_deadline_term():
    # given a factory with no room at all before a deadline that has passed
    j = job(1, quantity=10_000, hours=-5.0)
    c = cand(1, 10, distance_km=0.0, free_capacity=0)
    # when
    deadline_only = Weights(distance_per_km=0.0, price_ratio=0.0, rating=0.0, reliability=0.0, load=0.0)
    cost = pair_cost(j, factory(10), c, deadline_only)
    # then
    assert cost == 10.0 * DEADLINE_RATIO_CAP


def test_pair_cost_falls_back_to_haversine_when_the_distance_is_unknown():
    # given a job in Jiaozhou, a factory in Qingdao and a candidate without a usable distance
    j = job(1)
    f = DispatchFactory(id=10, lat=QINGDAO[0], lng=QINGDAO[1], rating=4.0, reliability=1.0, load=0.0)
    # when
    costs = [pair_cost(j, f, cand(1, 10, distance_km=d, free_capacity=100), DISTANCE_ONLY) for d in (math.nan, -1.0)]
    # then
    assert costs == [haversine_km(*JIAOZHOU, *QINGDAO)] * 2


@given(
    quantity=st.integers(-(2**40), 2**40),
    job_price=st.integers(-(2**40), 2**40),
    factory_price=st.integers(-(2**40), 2**40),
    capacity=st.integers(-(2**40), 2**40),
    numbers=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=9, max_size=9),
    weights=st.lists(st.floats(0, 1e300), min_size=6, max_size=6),
)
@PROPERTY
def test_pair_cost_is_finite_and_non_negative_for_any_input(
    quantity, job_price, factory_price, capacity, numbers, weights
):
    # given anything at all in the numeric fields
    lat, lng, hours, f_lat, f_lng, rating, reliability, load, distance = numbers
    j = DispatchJob(id=1, quantity=quantity, unit_price_fen=job_price, lat=lat, lng=lng, hours_to_deadline=hours)
    f = DispatchFactory(id=2, lat=f_lat, lng=f_lng, rating=rating, reliability=reliability, load=load)
    c = Candidate(job_id=1, factory_id=2, unit_price_fen=factory_price, distance_km=distance, free_capacity=capacity)
    # when
    cost = pair_cost(j, f, c, Weights(*weights))
    # then
    assert math.isfinite(cost)
    assert 0.0 <= cost <= MAX_PAIR_COST < UNMATCHED_COST


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "5"])
def test_weights_reject_negative_or_non_finite_values(bad):
    # given / when / then
    with pytest.raises(ValueError, match="weight distance_per_km"):
        Weights(distance_per_km=bad)


def test_candidate_costs_equal_pair_cost_and_mark_unknown_pairs_nan():
    # given two candidates of known pairs and one naming a job that is not in the batch
    jobs = [job(2, quantity=300, hours=30.0), job(1, quantity=80)]
    factories = [factory(10, rating=3.5, load=0.4), factory(11, reliability=0.7)]
    candidates = [cand(1, 11, 3.0, 500, price=30), cand(2, 10, 12.5, 200, price=45), cand(9, 10, 1.0, 100)]
    # when
    costs = candidate_costs(jobs, factories, candidates)
    # then
    assert costs[0] == pair_cost(jobs[1], factories[1], candidates[0])
    assert costs[1] == pair_cost(jobs[0], factories[0], candidates[1])
    assert math.isnan(costs[2])


# ----------------------------------------------------------------------------- whole jobs


@given(instance=instances())
@PROPERTY
def test_solve_batch_single_round_total_cost_equals_the_brute_force_optimum(instance):
    # given a small random batch of whole jobs
    jobs, factories, candidates = instance
    # when
    result = solve_batch(jobs, factories, candidates, max_rounds=1)
    # then
    assert abs(result.total_cost - brute_force_single_round(jobs, factories, candidates)) <= 1e-6


@given(instance=instances(max_jobs=30, max_factories=20))
@PROPERTY
def test_solve_batch_single_round_equals_dense_linear_sum_assignment(instance):
    # given a random batch and the dense jobs x factories matrix, missing pairs at UNMATCHED_COST
    jobs, factories, candidates = instance
    rows = {j.id: i for i, j in enumerate(jobs)}
    cols = {f.id: k for k, f in enumerate(factories)}
    matrix = np.full((len(jobs), len(factories)), UNMATCHED_COST)
    for c, cost in zip(candidates, candidate_costs(jobs, factories, candidates), strict=True):
        if c.free_capacity >= jobs[rows[c.job_id]].quantity:
            matrix[rows[c.job_id], cols[c.factory_id]] = cost
    r, k = linear_sum_assignment(matrix)
    chosen = matrix[r, k]
    placed = int(np.count_nonzero(chosen < UNMATCHED_COST))
    dense = math.fsum(chosen[chosen < UNMATCHED_COST].tolist()) + UNMATCHED_COST * (len(jobs) - placed)
    # when
    result = solve_batch(jobs, factories, candidates, max_rounds=1)
    # then
    assert abs(result.total_cost - dense) <= 1e-6
    assert len(jobs) - len(result.unmatched_job_ids) == placed


@given(instance=instances(max_jobs=8, max_factories=6))
@PROPERTY
def test_solve_batch_single_round_total_cost_is_never_above_greedy(instance):
    # given a random batch of whole jobs
    jobs, factories, candidates = instance
    # when
    result = solve_batch(jobs, factories, candidates, max_rounds=1)
    # then
    assert result.total_cost <= result.greedy_cost + 1e-6


def test_solve_batch_beats_greedy_when_the_cheapest_pair_is_a_trap():
    # given A-X 10, A-Y 11, B-X 12, B-Y 100: greedy takes A-X and is left with B-Y
    jobs = [job(1), job(2)]
    factories = [factory(10), factory(11)]
    candidates = [cand(1, 10, 10.0, 500), cand(1, 11, 11.0, 500), cand(2, 10, 12.0, 500), cand(2, 11, 100.0, 500)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY, max_rounds=1)
    # then
    assert result.proposals == [Proposal(1, 11, 100, 11.0), Proposal(2, 10, 100, 12.0)]
    assert result.unmatched_job_ids == []
    assert result.total_cost == 23.0
    assert result.greedy_cost == 110.0
    assert result.rounds == 1


def test_solve_batch_places_as_many_jobs_as_possible_before_cost():
    # given job 1 can go to either factory, job 2 only to the expensive one
    jobs = [job(1), job(2)]
    factories = [factory(10), factory(11)]
    candidates = [cand(1, 10, 1.0, 500), cand(1, 11, 2.0, 500), cand(2, 10, 90.0, 500)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY, max_rounds=1)
    # then
    assert result.proposals == [Proposal(1, 11, 100, 2.0), Proposal(2, 10, 100, 90.0)]
    assert result.total_cost == 92.0


def test_solve_batch_never_proposes_a_pair_that_cannot_take_the_whole_job():
    # given the cheap factory has room for 99 of the 100 pieces
    jobs = [job(1, quantity=100)]
    factories = [factory(10), factory(11)]
    candidates = [cand(1, 10, 1.0, 99), cand(1, 11, 50.0, 100)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then
    assert result.proposals == [Proposal(1, 11, 100, 50.0)]


def test_solve_batch_leaves_a_job_without_a_fitting_candidate_unmatched():
    # given the only candidate is too small and another job has no candidate at all
    jobs = [job(1, quantity=100), job(2)]
    factories = [factory(10)]
    candidates = [cand(1, 10, 1.0, 99)]
    # when
    result = solve_batch(jobs, factories, candidates)
    # then
    assert result.proposals == []
    assert result.unmatched_job_ids == [1, 2]
    assert result.total_cost == 2 * UNMATCHED_COST
    assert result.greedy_cost == 2 * UNMATCHED_COST
    assert result.rounds == 0


def test_solve_batch_gives_a_factory_another_job_in_a_later_round():
    # given one factory with room for 300 and two jobs of 100 and 150
    jobs = [job(1, quantity=100), job(2, quantity=150)]
    factories = [factory(10)]
    candidates = [cand(1, 10, 1.0, 300), cand(2, 10, 2.0, 300)]
    # when
    one_round = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY, max_rounds=1)
    two_rounds = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY, max_rounds=2)
    # then
    assert one_round.proposals == [Proposal(1, 10, 100, 1.0)]
    assert one_round.unmatched_job_ids == [2]
    assert two_rounds.proposals == [Proposal(1, 10, 100, 1.0), Proposal(2, 10, 150, 2.0)]
    assert two_rounds.unmatched_job_ids == []
    assert two_rounds.rounds == 2


def test_solve_batch_later_round_keeps_within_the_capacity_an_earlier_job_relied_on():
    # given job 1 (100 pieces) fits the factory's 100 before its deadline; job 2 (50) has room for 500
    jobs = [job(1, quantity=100), job(2, quantity=50)]
    factories = [factory(10)]
    candidates = [cand(1, 10, 1.0, 100), cand(2, 10, 2.0, 500)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY, max_rounds=3)
    # then job 2 would push the factory past the 100 that job 1's deadline allows
    assert result.proposals == [Proposal(1, 10, 100, 1.0)]
    assert result.unmatched_job_ids == [2]
    assert result.rounds == 1


def test_solve_batch_later_round_uses_the_capacity_left_on_the_pair():
    # given job 1 (100) has room for 500; job 2 (50) has room for 150, of which job 1 leaves 50
    jobs = [job(1, quantity=100), job(2, quantity=50)]
    factories = [factory(10)]
    candidates = [cand(1, 10, 1.0, 500), cand(2, 10, 2.0, 150)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY, max_rounds=3)
    # then
    assert result.proposals == [Proposal(1, 10, 100, 1.0), Proposal(2, 10, 50, 2.0)]
    assert result.rounds == 2


# ----------------------------------------------------------------------------- split jobs


def test_solve_batch_splits_a_job_over_the_cheapest_capacity():
    # given 1,000 pieces, shares of at least 100; X (cheap) and Y have 600 each, Z (cheapest) only 50
    jobs = [job(1, quantity=1_000, allow_split=True, min_share=100)]
    factories = [factory(10), factory(11), factory(12)]
    candidates = [cand(1, 10, 2.0, 600), cand(1, 11, 8.0, 600), cand(1, 12, 1.0, 50)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then each share costs its pieces' part of the pair cost
    assert result.proposals == [Proposal(1, 10, 600, 600 * 2.0 / 1_000), Proposal(1, 11, 400, 400 * 8.0 / 1_000)]
    assert result.unmatched_job_ids == []
    assert result.total_cost == pytest.approx(1.2 + 3.2, abs=1e-12)


def test_solve_batch_divides_split_jobs_jointly_not_one_after_another():
    # given X and Y have room for 100 each; job 1 costs 1 at X and 2 at Y, job 2 costs 1 at X and 10 at Y
    jobs = [job(1, quantity=100, allow_split=True), job(2, quantity=100, allow_split=True)]
    factories = [factory(10), factory(11)]
    candidates = [cand(1, 10, 1.0, 100), cand(1, 11, 2.0, 100), cand(2, 10, 1.0, 100), cand(2, 11, 10.0, 100)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then greedy serves job 1 first at X and leaves job 2 the expensive Y
    assert result.proposals == [Proposal(1, 11, 100, 2.0), Proposal(2, 10, 100, 1.0)]
    assert result.total_cost == 3.0
    assert result.greedy_cost == 11.0


def test_solve_batch_split_job_gives_no_share_below_min_share():
    # given 1,000 pieces in shares of at least 300; the cheap factory has 900, the other 1,000
    jobs = [job(1, quantity=1_000, allow_split=True, min_share=300)]
    factories = [factory(10), factory(11)]
    candidates = [cand(1, 10, 1.0, 900), cand(1, 11, 5.0, 1_000)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then 900 + 100 would be cheaper but 100 is not a useful share
    assert [(p.factory_id, p.quantity) for p in result.proposals] == [(10, 700), (11, 300)]


def test_solve_batch_leaves_a_split_job_bigger_than_all_capacity_unmatched():
    # given 1,000 pieces and 300 + 300 of room
    jobs = [job(1, quantity=1_000, allow_split=True, min_share=100), job(2, quantity=200, allow_split=True)]
    factories = [factory(10), factory(11)]
    candidates = [cand(1, 10, 1.0, 300), cand(1, 11, 2.0, 300), cand(2, 11, 3.0, 300)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then job 1 gets nothing at all, not a part
    assert result.proposals == [Proposal(2, 11, 200, 3.0)]
    assert result.unmatched_job_ids == [1]
    assert result.total_cost == 3.0 + UNMATCHED_COST


def test_solve_batch_split_job_smaller_than_its_min_share_goes_whole():
    # given 50 pieces with a min_share of 100
    jobs = [job(1, quantity=50, allow_split=True, min_share=100)]
    factories = [factory(10)]
    candidates = [cand(1, 10, 4.0, 60)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then
    assert result.proposals == [Proposal(1, 10, 50, 4.0)]


def test_solve_batch_split_jobs_use_only_capacity_the_whole_jobs_left():
    # given a whole job takes 400 of the factory's 500; a split job needs 300
    jobs = [job(1, quantity=400), job(2, quantity=300, allow_split=True, min_share=50)]
    factories = [factory(10), factory(11)]
    candidates = [cand(1, 10, 1.0, 500), cand(2, 10, 1.0, 500), cand(2, 11, 9.0, 250)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then
    assert [(p.job_id, p.factory_id, p.quantity) for p in result.proposals] == [
        (1, 10, 400),
        (2, 10, 100),
        (2, 11, 200),
    ]


# ----------------------------------------------------------------------------- invariants


@given(instance=instances(max_jobs=10, max_factories=6, split=True, max_capacity=150), max_rounds=st.integers(1, 3))
@PROPERTY
def test_solve_batch_never_breaks_capacity_eligibility_or_share_rules(instance, max_rounds):
    # given a random batch of whole and split jobs
    jobs, factories, candidates = instance
    jobs_by_id = {j.id: j for j in jobs}
    pairs = {(c.job_id, c.factory_id): c for c in candidates}
    # when
    result = solve_batch(jobs, factories, candidates, max_rounds=max_rounds)
    # then only candidate pairs, each job placed whole or not at all
    per_job, per_factory = defaultdict(list), defaultdict(list)
    for p in result.proposals:
        assert (p.job_id, p.factory_id) in pairs
        assert 0 < p.quantity <= pairs[p.job_id, p.factory_id].free_capacity
        per_job[p.job_id].append(p)
        per_factory[p.factory_id].append(p)
    for job_id, proposals in per_job.items():
        j = jobs_by_id[job_id]
        assert sum(p.quantity for p in proposals) == j.quantity
        assert len({p.factory_id for p in proposals}) == len(proposals)
        if j.allow_split:
            assert min(p.quantity for p in proposals) >= min(j.min_share, j.quantity)
        else:
            assert len(proposals) == 1
    assert not set(per_job) & set(result.unmatched_job_ids)
    assert sorted([*per_job, *result.unmatched_job_ids]) == sorted(jobs_by_id)
    # and no factory beyond the capacity of any pair it was given work through
    for factory_id, proposals in per_factory.items():
        booked = sum(p.quantity for p in proposals)
        assert booked <= min(pairs[p.job_id, factory_id].free_capacity for p in proposals)
        assert sum(1 for p in proposals if not jobs_by_id[p.job_id].allow_split) <= max_rounds
    # and the totals add up
    expected = math.fsum(p.cost for p in result.proposals) + UNMATCHED_COST * len(result.unmatched_job_ids)
    assert result.total_cost == expected
    assert all(0.0 <= p.cost <= MAX_PAIR_COST for p in result.proposals)


@given(instance=instances(max_jobs=10, max_factories=6, split=True, max_capacity=150))
@PROPERTY
def test_solve_batch_is_deterministic_whatever_the_input_order(instance):
    # given the same batch twice, and once with every list reversed
    jobs, factories, candidates = instance
    # when
    first = solve_batch(jobs, factories, candidates)
    again = solve_batch(jobs, factories, candidates)
    reversed_input = solve_batch(jobs[::-1], factories[::-1], candidates[::-1])
    # then
    assert outcome(again) == outcome(first)
    assert outcome(reversed_input) == outcome(first)
    assert [(p.job_id, p.factory_id) for p in first.proposals] == sorted(
        (p.job_id, p.factory_id) for p in first.proposals
    )
    assert first.unmatched_job_ids == sorted(first.unmatched_job_ids)


@given(instance=instances(max_jobs=10, max_factories=6, split=True, max_capacity=150))
@PROPERTY
def test_solve_batch_deferred_greedy_is_the_same_figure_and_changes_no_proposal(instance):
    # given a batch solved with the greedy baseline at once and deferred
    jobs, factories, candidates = instance
    # when
    now = solve_batch(jobs, factories, candidates)
    deferred = solve_batch(jobs, factories, candidates, defer_greedy=True)
    # then the plan is the same, the figure waits, and working it out gives today's figure
    assert outcome(deferred)[:3] == outcome(now)[:3]
    assert deferred.rounds == now.rounds
    assert now.greedy is None
    assert math.isnan(deferred.greedy_cost)
    assert deferred.greedy() == now.greedy_cost


# ----------------------------------------------------------------------------- input handling


def test_solve_batch_of_an_empty_batch_is_empty():
    # given / when
    result = solve_batch([], [], [])
    # then
    assert (result.proposals, result.unmatched_job_ids, result.total_cost, result.greedy_cost, result.rounds) == (
        [],
        [],
        0.0,
        0.0,
        0,
    )


def test_solve_batch_ignores_candidates_of_jobs_or_factories_outside_the_batch():
    # given candidates naming job 9 and factory 99, which are not in the batch
    jobs = [job(1)]
    factories = [factory(10)]
    candidates = [cand(9, 10, 1.0, 500), cand(1, 99, 1.0, 500), cand(1, 10, 7.0, 500)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then
    assert result.proposals == [Proposal(1, 10, 100, 7.0)]


def test_solve_batch_keeps_the_cheapest_of_duplicate_candidates():
    # given the same pair twice at different distances
    jobs = [job(1)]
    factories = [factory(10)]
    candidates = [cand(1, 10, 9.0, 500), cand(1, 10, 3.0, 500)]
    # when
    result = solve_batch(jobs, factories, candidates, weights=DISTANCE_ONLY)
    # then
    assert result.proposals == [Proposal(1, 10, 100, 3.0)]


@pytest.mark.parametrize(
    ("jobs", "factories", "max_rounds", "message"),
    [
        ([job(1), job(1)], [factory(10)], 3, "duplicate job id 1"),
        ([job(1)], [factory(10), factory(10)], 3, "duplicate factory id 10"),
        ([job(1, quantity=0)], [factory(10)], 3, "quantity of at least 1"),
        ([job(1)], [factory(10)], 0, "max_rounds"),
    ],
)
def test_solve_batch_rejects_malformed_batches(jobs, factories, max_rounds, message):
    # given / when / then
    with pytest.raises(ValueError, match=message):
        solve_batch(jobs, factories, [cand(1, 10, 1.0, 500)], max_rounds=max_rounds)
