import pytest
from rest_framework.test import APIClient

from conftest import client_for
from core.errors import ConflictError, InvalidInputError, NotFoundError
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


def _material_sent():
    """An SME's 1,000-piece job taken by a factory, the material sent to it."""
    owner = fixtures.sme()
    user, company = fixtures.factory()
    job = fixtures.job(owner, quantity=1000)
    share = services.board_accept(job_id=job.id, factory=company, user=user)
    services.assignment_materials_sent(assignment_id=share.id, company=owner[1], user=owner[0])
    return owner, (user, company), job, share


def test_materials_received_zero_is_not_a_receipt_and_changes_nothing():
    # given: material sent
    owner, (user, company), job, a = _material_sent()
    # when: the factory reports that nothing arrived
    with pytest.raises(InvalidInputError) as refused:
        services.assignment_materials_received(assignment_id=a.id, company=company, user=user, quantity_received=0)
    # then: not a loss, not a receipt: the share still waits for its material
    assert refused.value.code == "nothing_received"
    a.refresh_from_db()
    assert (a.status, a.quantity_received) == ("materials_sent", None)
    assert not MaterialMovement.objects.filter(assignment=a, kind__in=["received", "written_off"]).exists()


def test_materials_withdrawal_returns_the_material_for_the_sme_to_confirm_and_counts_against_the_factory():
    # given: material sent to the factory
    owner, (user, company), job, a = _material_sent()
    # when: the factory gives the share back
    services.assignment_withdraw(assignment_id=a.id, company=company, user=user, reason="machine broke")
    # then: nothing is written off, the material is on its way back, the record counts it
    assert Job.objects.get(id=job.id).status == "open"
    returned = MaterialMovement.objects.get(assignment=a, kind="returned")
    assert (returned.quantity, returned.confirmed_at) == (1000, None)
    assert not MaterialMovement.objects.filter(assignment=a, kind="written_off").exists()
    company.factory_profile.refresh_from_db()
    assert company.factory_profile.cancellations == 1
    # and when the SME confirms it has the material back (twice: the repeat changes nothing)
    services.assignment_materials_returned(assignment_id=a.id, company=owner[1], user=owner[0])
    services.assignment_materials_returned(assignment_id=a.id, company=owner[1], user=owner[0])
    returned.refresh_from_db()
    assert returned.confirmed_by_id == owner[0].id
    assert a.history.filter(action="materials_returned").count() == 1


def test_materials_a_factory_that_withdrew_cannot_grab_the_job_again():
    owner = fixtures.sme()
    user, company = fixtures.factory()
    job = fixtures.job(owner, quantity=1000)
    a = services.board_accept(job_id=job.id, factory=company, user=user)
    services.assignment_withdraw(assignment_id=a.id, company=company, user=user)
    with pytest.raises(NotFoundError):
        services.board_accept(job_id=job.id, factory=company, user=user)
    assert client_for(user).get("/api/v1/board").json()["count"] == 0


def test_materials_withdrawal_once_production_started_is_409():
    owner, (user, company), job, a = _material_sent()
    services.assignment_materials_received(assignment_id=a.id, company=company, user=user, quantity_received=1)
    with pytest.raises(ConflictError) as refused:
        services.assignment_withdraw(assignment_id=a.id, company=company, user=user)
    assert refused.value.code == "assignment_not_in_a_state_that_allows_this"
    assert Assignment.objects.get(id=a.id).status == "in_production"


def test_materials_returned_endpoint_is_the_smes_own():
    owner, (user, company), job, share = _material_sent()
    services.assignment_withdraw(assignment_id=share.id, company=company, user=user)
    path = f"/api/v1/assignments/{share.id}/materials-returned"
    other_sme, _ = fixtures.sme()
    assert client_for(other_sme).post(path, {}, format="json").status_code == 404  # not yours
    assert client_for(user).post(path, {}, format="json").status_code == 403  # a factory may not confirm
    assert APIClient().post(path, {}, format="json").status_code == 401
    assert not MaterialMovement.objects.filter(assignment=share, confirmed_at__isnull=False).exists()
    response = client_for(owner[0]).post(path, {}, format="json")
    assert response.status_code == 200
    assert response.json()["materials"]["returned_confirmed"] == 1000
