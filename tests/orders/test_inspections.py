"""Sampling inspection of a delivered share (orders/services/inspections.py): the plan the
SME is given, the verdict by GB/T 2828.1, what follows (acceptance, rework and re-delivery,
or a dispute), the factory's event, and the switching state per factory and process."""

import pytest

from catalogue.models import Process
from conftest import client_for
from core.models import StreamEvent
from orders import selectors, services
from orders.models import Assignment, FactoryQuality, Inspection, JobHistory
from tests import fixtures

pytestmark = pytest.mark.django_db

# A lot of 500 velcro closures at level II is code letter H. Critical (AQL 0.65): H's cell
# points down to J, 80 pieces, 1/2; major (2.5): 50 pieces, 3/4; minor (4.0): 50, 5/6.
LOT = 500


def _delivered(owner=None, factory_pair=None, quantity=LOT):
    owner = owner or fixtures.sme()
    factory_pair = factory_pair or fixtures.factory()
    job = fixtures.job(owner, quantity=quantity)
    assignment = fixtures.delivered_share(job, owner, factory_pair, quantity)
    return owner, factory_pair, assignment


def _inspect(owner, assignment, defects, **extra):
    body = {"sample_inspected": 80, "defects": defects, **extra}
    return client_for(owner[0]).post(f"/api/v1/assignments/{assignment.id}/inspection", body, format="json")


def test_the_sme_and_the_factory_get_the_plan_for_the_delivered_lot():
    owner, factory_pair, assignment = _delivered()
    for user in (owner[0], factory_pair[0]):
        # when
        response = client_for(user).get(f"/api/v1/assignments/{assignment.id}/inspection")
        # then
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["severity"], body["inspections"]) == ("delivered", "normal", [])
        plan = body["plan"]
        assert (plan["lot_size"], plan["code_letter"], plan["sample_size"]) == (LOT, "H", 80)
        assert plan["classes"] == {
            "critical": {"aql": "0.65", "plan_letter": "J", "sample_size": 80, "ac": 1, "re": 2},
            "major": {"aql": "2.5", "plan_letter": "H", "sample_size": 50, "ac": 3, "re": 4},
            "minor": {"aql": "4.0", "plan_letter": "H", "sample_size": 50, "ac": 5, "re": 6},
        }
        assert body["standard"]["process"] == "velcro_sewing"
    other = fixtures.sme()
    assert client_for(other[0]).get(f"/api/v1/assignments/{assignment.id}/inspection").status_code == 404


def test_a_lot_within_every_acceptance_number_is_accepted_and_goes_on_to_acceptance():
    owner, factory_pair, assignment = _delivered()
    # when 3 major and 5 minor defects are found (each class at its Ac)
    response = _inspect(owner, assignment, {"position": 2, "colour_match": 1, "loose_threads": 5})
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["accepted"], body["next"], body["round"]) == (True, "accept", 1)
    assert body["found"] == {"critical": 0, "major": 3, "minor": 5}
    assert body["photo_ids"] == []
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DELIVERED
    event = StreamEvent.objects.get(company_id=factory_pair[1].id, type="inspection.recorded")
    assert event.data["accepted"] is True and event.data["assignment_id"] == assignment.id
    assert StreamEvent.objects.filter(company_id=owner[1].id, type="inspection.recorded").count() == 1
    assert JobHistory.objects.filter(assignment=assignment, action="inspection_accepted").exists()
    # and the existing acceptance completes it and releases the money
    accepted = client_for(owner[0]).post(
        f"/api/v1/assignments/{assignment.id}/accept", {"quantity_accepted": LOT, "rating": 5}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "completed"
    assert selectors.wallet_for_factory(company_id=factory_pair[1].id)["payable_fen"] > 0
    # and the plan is gone from the page once the lot is inspected
    page = client_for(factory_pair[0]).get(f"/api/v1/assignments/{assignment.id}/inspection").json()
    assert page["plan"] is None and len(page["inspections"]) == 1


def test_a_rejected_lot_is_reworked_redelivered_reinspected_and_then_paid():
    owner, factory_pair, assignment = _delivered()
    # when 4 major defects are found (Re 4)
    response = _inspect(owner, assignment, {"position": 4})
    # then the lot is rejected and back with the factory
    assert response.status_code == 201
    assert (response.json()["accepted"], response.json()["next"]) == (False, "rework")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PRODUCTION
    assert assignment.job.status == "in_production"
    factory_events = StreamEvent.objects.filter(company_id=factory_pair[1].id)
    assert factory_events.filter(type="inspection.recorded", data__accepted=False).exists()
    assert factory_events.filter(type="assignment.status_changed", data__new="in_production").exists()
    # a rework must bring the whole lot back
    path = f"/api/v1/assignments/{assignment.id}/deliver"
    partial = client_for(factory_pair[0]).post(path, {"quantity_delivered": LOT - 1}, format="json")
    assert partial.status_code == 400
    redelivered = client_for(factory_pair[0]).post(path, {"quantity_delivered": LOT}, format="json")
    assert redelivered.status_code == 200
    assert redelivered.json()["status"] == "delivered"
    # the re-inspection passes
    second = _inspect(owner, assignment, {"position": 1})
    assert (second.status_code, second.json()["round"], second.json()["accepted"]) == (201, 2, True)
    accepted = client_for(owner[0]).post(
        f"/api/v1/assignments/{assignment.id}/accept", {"quantity_accepted": LOT, "rating": 4}, format="json"
    )
    assert accepted.json()["status"] == "completed"
    assert selectors.wallet_for_factory(company_id=factory_pair[1].id)["payable_fen"] > 0
    # only the original inspection counts for the switching rules and the figures
    quality = FactoryQuality.objects.get(factory=factory_pair[1], process__code="velcro_sewing")
    assert (quality.lots, quality.lots_accepted, quality.units_inspected, quality.defects) == (1, 0, 80, 4)
    assert quality.recent == [False]


def test_a_rejected_lot_can_go_to_a_dispute_instead_and_the_desk_sees_the_inspection(client):
    owner, _, assignment = _delivered()
    response = _inspect(owner, assignment, {"broken_needle": 2}, on_reject="dispute", note="两件断针")
    assert response.status_code == 201
    assert response.json()["next"] == "dispute"
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DISPUTED
    assert assignment.job.status == "disputed"
    # the admin deciding the dispute reads the inspection on the job's page
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get(f"/admin/orders/job/{assignment.job_id}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "critical 2" in text and "两件断针" in text and "Rejected: disputed" in text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sample_inspected": 80, "defects": {"wobbly": 1}}, "defects"),
        ({"sample_inspected": 79, "defects": {}}, "sample_inspected"),
        ({"sample_inspected": 501, "defects": {}}, "sample_inspected"),
        ({"sample_inspected": 80, "defects": {"position": 51}}, "defects"),
        ({"sample_inspected": 80, "defects": {"position": -1}}, "defects"),
        ({"sample_inspected": 80, "defects": {}, "on_reject": "ignore"}, "on_reject"),
        ({"sample_inspected": 80, "defects": [1]}, "defects"),
    ],
)
def test_bad_inspection_input_is_a_400_and_changes_nothing(body, field):
    owner, _, assignment = _delivered()
    response = client_for(owner[0]).post(f"/api/v1/assignments/{assignment.id}/inspection", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Inspection.objects.filter(assignment=assignment).exists()
    assert not FactoryQuality.objects.filter(lots__gt=0).exists()


def test_only_the_sme_inspects_a_delivered_lot_once():
    owner, factory_pair, assignment = _delivered()
    path = f"/api/v1/assignments/{assignment.id}/inspection"
    body = {"sample_inspected": 80, "defects": {}}
    assert client_for(factory_pair[0]).post(path, body, format="json").status_code == 403
    assert client_for(fixtures.sme()[0]).post(path, body, format="json").status_code == 404
    assert client_for(owner[0]).post(path, body, format="json").status_code == 201
    again = client_for(owner[0]).post(path, body, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_inspected")
    # a share that is not delivered cannot be inspected
    client_for(owner[0]).post(
        f"/api/v1/assignments/{assignment.id}/accept", {"quantity_accepted": LOT, "rating": 5}, format="json"
    )
    completed = client_for(owner[0]).post(path, body, format="json")
    assert (completed.status_code, completed.json()["error"]["code"]) == (409, "assignment_not_delivered")


def test_two_rejected_lots_put_the_factory_on_tightened_inspection_for_that_process():
    owner = fixtures.sme()
    factory_pair = fixtures.factory()
    for _ in range(2):
        _, _, assignment = _delivered(owner, factory_pair)
        assert _inspect(owner, assignment, {"position": 4}).json()["accepted"] is False
    quality = FactoryQuality.objects.get(factory=factory_pair[1], process__code="velcro_sewing")
    assert quality.severity == "tightened"
    # the next lot of the same factory and process is judged on the tightened plan
    _, _, assignment = _delivered(owner, factory_pair)
    page = client_for(owner[0]).get(f"/api/v1/assignments/{assignment.id}/inspection").json()
    assert page["severity"] == "tightened"
    assert page["plan"]["classes"]["major"] == {"aql": "2.5", "plan_letter": "H", "sample_size": 50, "ac": 2, "re": 3}
    # 3 major defects pass on normal but not on tightened
    assert page["plan"]["sample_size"] == 125  # critical: H and J point down to K's 125, 1/2
    tightened = _inspect(owner, assignment, {"position": 3}, sample_inspected=125)
    assert (tightened.json()["accepted"], tightened.json()["severity"]) == (False, "tightened")
    # another factory at the same process is still on normal
    other = fixtures.factory()
    _, _, fresh = _delivered(owner, other)
    assert client_for(owner[0]).get(f"/api/v1/assignments/{fresh.id}/inspection").json()["severity"] == "normal"
    assert Process.objects.get(code="velcro_sewing").inspection_level == "II"


def test_a_lot_of_one_piece_is_inspected_whole():
    small = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 1, 0)])
    owner, _, assignment = _delivered(factory_pair=small, quantity=1)
    inspection = services.inspection_record(
        assignment_id=assignment.id, company=owner[1], user=owner[0], sample_inspected=1, defects={}
    )
    assert (inspection.accepted, inspection.plan["sample_size"], inspection.plan["full_inspection"]) == (True, 1, True)


@pytest.mark.parametrize(("allowed", "severity"), [(False, "normal"), (True, "reduced")])
def test_a_stream_reaches_reduced_inspection_only_where_the_platform_allows_it(settings, allowed, severity):
    # given: a factory's stream one good lot short of the switching score (9.3.3: 30)
    settings.INSPECTION_REDUCED_ALLOWED = allowed
    owner = fixtures.sme()
    factory_pair = fixtures.factory()
    _, _, first = _delivered(owner, factory_pair)
    assert _inspect(owner, first, {}).json()["accepted"] is True
    FactoryQuality.objects.filter(factory=factory_pair[1]).update(score=29)
    # when: one more lot with no defect is accepted (it earns points)
    _, _, second = _delivered(owner, factory_pair)
    assert _inspect(owner, second, {}).json()["accepted"] is True
    # then: reduced only if the platform approved it; the score is kept either way
    quality = FactoryQuality.objects.get(factory=factory_pair[1])
    assert quality.severity == severity
