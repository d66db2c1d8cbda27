"""A split job's share on the board never leaves a remainder too small to place: the most a
factory may take leaves 0 or at least the job's floor, and taking that much is accepted."""

import pytest

from factories.models import FactoryProfile
from orders import selectors, services
from orders.matching.eligibility import split_floor
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_the_boards_largest_share_leaves_no_remainder_below_the_floor():
    # given: a split job of 1,000 (floor 100) and a factory that can make a little less than
    # all of it before the deadline (its free capacity would leave a remainder under 100)
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, allow_split=True, days=2)
    user, company = fixtures.factory(capabilities=[("velcro_sewing", 12, 470, 1, 0)])
    profile = FactoryProfile.objects.get(company=company)
    [row] = [r for r in selectors.board_list_for_factory(profile=profile)[0:10] if r.job.id == job.id]
    free, floor = row.pair.free_capacity, split_floor(job)
    assert 1000 - floor < free < 1000  # the case this test is about
    # then: the largest share leaves exactly the floor for another factory
    assert row.pair.max_share == 1000 - floor
    # and taking it is accepted, the rest stays on the board for others
    share = services.board_accept(job_id=job.id, factory=company, user=user, quantity=row.pair.max_share)
    assert share.quantity == 1000 - floor
