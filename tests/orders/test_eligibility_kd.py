import random

import pytest

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
    # when: the k-d tree path (90 factories > 3 x 10) and the all-pairs path answer the same question
    with_kd = eligibility.eligibility_for(jobs, profiles, nearest=10)
    monkeypatch.setattr(eligibility, "KD_WIDEN", 10**6)  # never use the tree
    every_factory = eligibility.eligibility_for(jobs, profiles, nearest=10)
    # then
    assert len(with_kd) > 100
    assert with_kd == every_factory
