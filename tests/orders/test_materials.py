import pytest

from core.errors import InvalidInputError
from orders import services
from orders.models import Assignment, Job, MaterialMovement
from tests import fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def producing():
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory()
    job = fixtures.job(owner, quantity=1000)
    assignment = services.board_accept(job_id=job.id, factory=factory, user=factory_user)
    services.assignment_materials_sent(assignment_id=assignment.id, company=owner[1], user=owner[0])
    services.assignment_materials_received(
        assignment_id=assignment.id, company=factory, user=factory_user, quantity_received=950
    )
    return assignment, factory, factory_user


def _movements(assignment):
    return dict(MaterialMovement.objects.filter(assignment=assignment).values_list("kind", "quantity"))


def test_materials_shortfall_caps_delivery(producing):
    assignment, factory, user = producing
    with pytest.raises(InvalidInputError) as error:
        services.assignment_deliver(assignment_id=assignment.id, company=factory, user=user, quantity_delivered=951)
    assert "quantity_delivered" in error.value.fields
    assert Assignment.objects.get(id=assignment.id).status == "in_production"


def test_materials_loss_beyond_tolerance_is_refused(producing):
    # velcro sewing tolerates 2% process loss: 19 of 950
    assignment, factory, user = producing
    with pytest.raises(InvalidInputError) as error:
        services.assignment_deliver(
            assignment_id=assignment.id, company=factory, user=user, quantity_delivered=900, quantity_lost=20
        )
    assert "quantity_lost" in error.value.fields
    assert _movements(assignment) == {"sent": 1000, "received": 950}


@pytest.mark.parametrize(("leftover", "kind"), [("return", "returned"), ("write_off", "written_off")])
def test_materials_every_piece_received_is_accounted_for(producing, leftover, kind):
    assignment, factory, user = producing
    services.assignment_deliver(
        assignment_id=assignment.id,
        company=factory,
        user=user,
        quantity_delivered=900,
        quantity_lost=19,
        leftover=leftover,
    )
    movements = _movements(assignment)
    assert movements == {"sent": 1000, "received": 950, "consumed": 900, "loss": 19, kind: 31}
    assert movements["consumed"] + movements["loss"] + movements[kind] == movements["received"]


def test_materials_progress_only_grows_and_stays_within_material(producing):
    assignment, factory, user = producing
    services.assignment_progress(assignment_id=assignment.id, company=factory, user=user, quantity_done=500)
    for bad in (400, 951):
        with pytest.raises(InvalidInputError):
            services.assignment_progress(assignment_id=assignment.id, company=factory, user=user, quantity_done=bad)
    assert Assignment.objects.get(id=assignment.id).quantity_done == 500


def test_materials_lost_in_transit_lets_the_factory_give_the_share_back():
    owner = fixtures.sme()
    user, company = fixtures.factory()
    job = fixtures.job(owner, quantity=1000)
    a = services.board_accept(job_id=job.id, factory=company, user=user)
    services.assignment_materials_sent(assignment_id=a.id, company=owner[1], user=owner[0])
    services.assignment_materials_received(assignment_id=a.id, company=company, user=user, quantity_received=0)
    # when
    services.assignment_withdraw(assignment_id=a.id, company=company, user=user, reason="nothing arrived")
    # then
    assert Job.objects.get(id=job.id).status == "open"
    assert MaterialMovement.objects.get(assignment=a, kind="written_off").quantity == 1000
    company.factory_profile.refresh_from_db()
    assert company.factory_profile.cancellations == 0
