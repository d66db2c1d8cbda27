"""The maintained board (``BoardEntry``, written as jobs open and factories change) answers
exactly what the rule computed from every open job answers (``board_list_computed``)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import StreamEvent
from factories import services as factory_services
from factories.models import Capability, FactoryProfile
from orders import selectors, services
from orders.models import BoardEntry
from orders.services.board import board_rebuild_all
from tests import fixtures

pytestmark = pytest.mark.django_db

JIAOZHOU = (36.264, 120.033)

job_strategy = st.fixed_dictionaries(
    {
        "process": st.sampled_from(["velcro_sewing", "embroidery"]),
        "quantity": st.integers(100, 6000),
        "price": st.sampled_from([12, 15, 18, 80]),
        "days": st.floats(0.2, 8),
        "split": st.booleans(),
        "dlat": st.floats(-0.3, 0.3),
        "dlng": st.floats(-0.3, 0.3),
        "mode": st.sampled_from(["grab", "grab", "dispatch"]),
    }
)
factory_strategy = st.fixed_dictionaries(
    {
        "dlat": st.floats(-0.2, 0.2),
        "dlng": st.floats(-0.2, 0.2),
        "radius": st.integers(10, 45),
        "price": st.sampled_from([10, 12, 14, 16]),
        "per_day": st.integers(200, 5000),
        "minimum": st.sampled_from([1, 100, 100, 1500]),
        "lead": st.sampled_from([0, 0, 1, 3]),
        "embroidery": st.booleans(),
    }
)
step_strategy = st.sampled_from(["accept_nearest", "go_offline", "go_online", "raise_price", "drop_embroidery", "none"])


def _board(profile, now) -> list[tuple[int, int, int, int, float]]:
    rows = selectors.board_list_for_factory(profile=profile, now=now)
    page = rows[0 : rows.count() + 1]
    return [(r.job.id, r.pair.free_capacity, r.pair.min_share, r.pair.max_share, r.pair.distance_km) for r in page]


def _reference(profile, now) -> list[tuple[int, int, int, int, float]]:
    return [
        (job.id, pair.free_capacity, pair.min_share, pair.max_share, pair.distance_km)
        for job, pair in selectors.board_list_computed(profile=profile, now=now)
    ]


def _make_factory(spec):
    capabilities = [("velcro_sewing", spec["price"], spec["per_day"], spec["minimum"], spec["lead"])]
    if spec["embroidery"]:
        capabilities.append(("embroidery", spec["price"] * 4, spec["per_day"], spec["minimum"], spec["lead"]))
    return fixtures.factory(
        lat=JIAOZHOU[0] + spec["dlat"],
        lng=JIAOZHOU[1] + spec["dlng"],
        radius_km=spec["radius"],
        capabilities=capabilities,
    )


def _step(step, pair):
    user, company = pair
    profile = FactoryProfile.objects.get(company=company)
    if step == "accept_nearest":
        nearest = selectors.board_list_for_factory(profile=profile)[0:1]
        if nearest:
            row = nearest[0]
            quantity = row.pair.max_share if row.job.allow_split else None
            services.board_accept(job_id=row.job.id, factory=company, user=user, quantity=quantity)
    elif step in ("go_offline", "go_online"):
        factory_services.factory_profile_update(company=company, online=step == "go_online")
    elif step == "raise_price":
        capability = Capability.objects.filter(factory_id=company.id).first()
        factory_services.capability_update(capability=capability, unit_price_fen=capability.unit_price_fen + 2)
    elif step == "drop_embroidery":
        capability = Capability.objects.filter(factory_id=company.id, process__code="embroidery").first()
        if capability is not None:
            factory_services.capability_delete(capability=capability)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    factories=st.lists(factory_strategy, min_size=1, max_size=4),
    jobs=st.lists(job_strategy, min_size=1, max_size=12),
    steps=st.lists(st.tuples(st.integers(0, 3), step_strategy), max_size=6),
)
def test_board_entries_answer_what_the_rule_computes(factories, jobs, steps):
    # given: factories, then jobs posted and paid through the services (they open on the boards)
    pairs = [_make_factory(spec) for spec in factories]
    sme = fixtures.sme()
    for spec in jobs:
        fixtures.job(
            sme,
            process=spec["process"],
            quantity=spec["quantity"],
            unit_price_fen=spec["price"],
            days=spec["days"],
            allow_split=spec["split"],
            mode=spec["mode"],
            spec={"stitch_count": 5000, "colors": 3} if spec["process"] == "embroidery" else None,
            lat=JIAOZHOU[0] + spec["dlat"],
            lng=JIAOZHOU[1] + spec["dlng"],
        )
    # when: factories take jobs, go offline and online, change their capabilities
    for index, step in steps:
        _step(step, pairs[index % len(pairs)])
    # then: every factory's maintained board is the rule's answer, row for row (free capacity
    # shrinks by the second, so both are asked as of one moment)
    now = timezone.now()
    for _, company in pairs:
        profile = FactoryProfile.objects.get(company=company)
        assert _board(profile, now) == _reference(profile, now)
    # and rebuilding every board from scratch changes nothing
    before = set(BoardEntry.objects.values_list("factory_id", "job_id", "distance_km"))
    board_rebuild_all()
    assert set(BoardEntry.objects.values_list("factory_id", "job_id", "distance_km")) == before


def test_board_entries_follow_a_job_from_open_to_taken():
    # given: two factories near, one of them far too expensive
    user, near = fixtures.factory()
    _, dear = fixtures.factory(capabilities=[("velcro_sewing", 90, 4000, 100, 0)])
    # when: a job opens
    job = fixtures.job()
    # then: it is on the board of the one its rules admit
    assert list(BoardEntry.objects.values_list("factory_id", "job_id")) == [(near.id, job.id)]
    # when: the factory takes it
    services.board_accept(job_id=job.id, factory=near, user=user)
    # then: it left the board, and the factory was told
    assert not BoardEntry.objects.exists()
    assert StreamEvent.objects.filter(company_id=near.id, type="board.job_removed").count() == 1
    assert not StreamEvent.objects.filter(company_id=dear.id).exists()


def test_board_entries_are_rebuilt_when_a_factory_goes_offline_and_back():
    user, company = fixtures.factory()
    job = fixtures.job()
    factory_services.factory_profile_update(company=company, online=False)
    assert not BoardEntry.objects.exists()
    factory_services.factory_profile_update(company=company, online=True)
    assert list(BoardEntry.objects.values_list("job_id", flat=True)) == [job.id]
    assert StreamEvent.objects.filter(company_id=company.id, type="board.refreshed").count() == 2


def test_board_entry_past_its_deadline_is_not_listed():
    user, company = fixtures.factory()
    job = fixtures.job(days=1)
    BoardEntry.objects.filter(job=job).update(deadline=timezone.now() - timedelta(minutes=1))
    profile = FactoryProfile.objects.get(company=company)
    assert selectors.board_list_for_factory(profile=profile).count() == 0
    assert selectors.board_list_for_factory(profile=profile)[0:50] == []
