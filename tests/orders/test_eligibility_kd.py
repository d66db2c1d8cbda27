import random

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from factories.models import FactoryProfile
from orders.matching import eligibility
from orders.models import Job
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_eligibility_nearest_via_kd_tree_equals_checking_every_factory(monkeypatch):
    # given: 40 jobs and 90 factories scattered around Jiaozhou, with varied prices, radii and capacities
    rng = random.Random(5)
    for _ in range(90):
        fixtures.factory(
            lat=36.264 + rng.uniform(-0.3, 0.3),
            lng=120.033 + rng.uniform(-0.3, 0.3),
            radius_km=rng.randint(5, 40),
            capabilities=[("velcro_sewing", rng.randint(8, 18), rng.choice([200, 1000, 4000]), 100, 0)],
        )
    owner = fixtures.sme()
    for _ in range(40):
        fixtures.job(
            owner,
            quantity=rng.choice([500, 2000, 9000]),
            unit_price_fen=rng.randint(10, 16),
            lat=36.264 + rng.uniform(-0.3, 0.3),
            lng=120.033 + rng.uniform(-0.3, 0.3),
            allow_split=rng.random() < 0.3,
            days=rng.uniform(1, 6),
        )
    jobs = list(Job.objects.filter(status="open"))
    profiles = list(FactoryProfile.objects.all())
    # when: the k-d tree path (90 factories > 2 x 10, then 6 x 10) and the all-pairs path answer the same question
    now = timezone.now()  # one instant: free capacity grows by the second
    with_kd = eligibility.eligibility_for(jobs, profiles, now=now, nearest=10)
    monkeypatch.setattr(eligibility, "KD_WIDEN", 10**6)  # never use the tree
    every_factory = eligibility.eligibility_for(jobs, profiles, now=now, nearest=10)
    # then
    assert len(with_kd) > 100
    assert with_kd == every_factory


@pytest.mark.parametrize("seed", range(6))
def test_eligibility_kd_tree_misses_no_nearer_factory_far_from_the_equator(monkeypatch, seed):
    # given: a region spanning three degrees of latitude far north, where a flat map's east-west
    # scale is several percent off at its edges, and many factories priced out of the jobs, so
    # that each job's few eligible factories lie near the edge of what the tree looked at
    rng = random.Random(seed)
    for _ in range(70):
        fixtures.factory(
            lat=60.0 + rng.uniform(-1.5, 1.5),
            lng=25.0 + rng.uniform(-3.0, 3.0),
            radius_km=500,
            capabilities=[("velcro_sewing", rng.choice([10, 30, 30, 30]), 100000, 100, 0)],
        )
    owner = fixtures.sme()
    for _ in range(25):
        fixtures.job(
            owner, quantity=500, unit_price_fen=15, lat=60.0 + rng.uniform(-1.5, 1.5), lng=25.0 + rng.uniform(-3, 3)
        )
    jobs = list(Job.objects.filter(status="open"))
    profiles = list(FactoryProfile.objects.all())
    # when: the tree (70 factories > 2 x 4, then 6 x 4, then all) and the all-pairs path answer the same question
    now = timezone.now()  # one instant: free capacity grows by the second
    with_kd = eligibility.eligibility_for(jobs, profiles, now=now, nearest=4)
    monkeypatch.setattr(eligibility, "KD_WIDEN", 10**6)
    every_factory = eligibility.eligibility_for(jobs, profiles, now=now, nearest=4)
    # then
    assert len(every_factory) >= 50
    assert with_kd == every_factory


@given(
    st.integers(1, 6).flatmap(
        lambda width: st.tuples(
            st.just(width),
            st.lists(
                st.lists(
                    st.one_of(st.none(), st.sampled_from([0.5, 1.0, 1.0, 2.0, 3.5])), min_size=width, max_size=width
                ),
                min_size=1,
                max_size=8,
            ),
            st.integers(1, 7),
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_nearest_per_job_picks_each_rows_closest_pairs_ties_by_column(case):
    # given: a grid of candidates per job, some filtered out (None), many at equal distances,
    # capability columns in a scrambled order
    width, grid_rows, nearest = case
    grid, cols, distance = [], [], []
    for r, row in enumerate(grid_rows):
        for c, d in enumerate(row):
            if d is not None:
                grid.append(r * width + c)
                cols.append((c * 7 + r * 3) % 11)
                distance.append(d)
    if not grid:
        return
    grid, cols, distance = np.array(grid), np.array(cols), np.array(distance)
    # when
    chosen = eligibility._nearest_per_job(grid, len(grid_rows), width, cols, distance, nearest)
    # then: per job, the first `nearest` of its pairs by (distance, column)
    expected = []
    for r in range(len(grid_rows)):
        own = [i for i in range(len(grid)) if grid[i] // width == r]
        expected += sorted(own, key=lambda i: (distance[i], cols[i]))[:nearest]
    assert sorted(chosen.tolist()) == sorted(expected)
