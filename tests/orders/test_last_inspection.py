"""A share carries its latest inspection (``last_inspection``): null until its lot is inspected,
then the latest round's verdict, for the job's SME and the share's factory only, read in the
shares' own query (no query per share)."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from orders import selectors
from orders.api.serializers import AssignmentSerializer
from tests import fixtures

pytestmark = pytest.mark.django_db

LOT = 500
VERDICT = ("id", "round", "accepted", "next", "inspected_at")


def _inspect(owner, assignment, defects):
    body = {"sample_inspected": 80, "defects": defects}
    response = client_for(owner[0]).post(f"/api/v1/assignments/{assignment.id}/inspection", body, format="json")
    assert response.status_code == 201, response.content
    return {key: response.json()[key] for key in VERDICT}


def _shares_seen(user, job_id):
    """The share as each reading shows it to ``user``: in the job, in the job list, in its own list."""
    client = client_for(user)
    job = client.get(f"/api/v1/jobs/{job_id}")
    assert job.status_code == 200, job.content
    listed = [j for j in client.get("/api/v1/jobs?page_size=200").json()["results"] if j["id"] == job_id]
    seen = {"job": job.json()["assignments"], "jobs": listed[0]["assignments"]}
    shares = client.get("/api/v1/assignments?page_size=200").json()["results"]
    seen["assignments"] = [a for a in shares if a["job"] == job_id]
    return seen


def test_a_share_says_null_until_its_lot_is_inspected_then_the_verdict():
    # given: a share delivered and not yet inspected
    owner, factory_pair = fixtures.sme(), fixtures.factory()
    job = fixtures.job(owner, quantity=LOT)
    assignment = fixtures.delivered_share(job, owner, factory_pair, LOT)
    # then: every reading of it, by the SME and by the factory, says it was never inspected
    for user in (owner[0], factory_pair[0]):
        for where, shares in _shares_seen(user, job.id).items():
            assert [s["last_inspection"] for s in shares] == [None], (user, where)
    # when: the SME inspects the lot and it passes
    verdict = _inspect(owner, assignment, {"position": 1})
    # then: both see that inspection, as the inspection's own answer gave it
    assert (verdict["round"], verdict["accepted"], verdict["next"]) == (1, True, "accept")
    for user in (owner[0], factory_pair[0]):
        for where, shares in _shares_seen(user, job.id).items():
            assert [s["last_inspection"] for s in shares] == [verdict], (user, where)
    # and accepting the lot answers with it too
    accepted = client_for(owner[0]).post(
        f"/api/v1/assignments/{assignment.id}/accept", {"quantity_accepted": LOT, "rating": 5}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["last_inspection"] == verdict


def test_after_a_rework_and_a_reinspection_the_share_shows_the_latest_round():
    # given: a delivered lot rejected at its first inspection (4 major defects: Re 4)
    owner, factory_pair = fixtures.sme(), fixtures.factory()
    job = fixtures.job(owner, quantity=LOT)
    assignment = fixtures.delivered_share(job, owner, factory_pair, LOT)
    first = _inspect(owner, assignment, {"position": 4})
    assert (first["round"], first["accepted"], first["next"]) == (1, False, "rework")
    # then: back in production, the share says why (the rejected round)
    for user in (owner[0], factory_pair[0]):
        assert {s["last_inspection"]["id"] for v in _shares_seen(user, job.id).values() for s in v} == {first["id"]}
    # when: the factory re-delivers (its answer still shows the rejection) and the lot passes
    redelivered = client_for(factory_pair[0]).post(
        f"/api/v1/assignments/{assignment.id}/deliver", {"quantity_delivered": LOT}, format="json"
    )
    assert redelivered.status_code == 200, redelivered.content
    assert redelivered.json()["last_inspection"] == first
    second = _inspect(owner, assignment, {"position": 1})
    # then: every reading shows round 2, the latest, not round 1
    assert (second["round"], second["accepted"], second["next"]) == (2, True, "accept")
    for user in (owner[0], factory_pair[0]):
        for where, shares in _shares_seen(user, job.id).items():
            assert [s["last_inspection"] for s in shares] == [second], (user, where)
    # and it is the last of the rounds the share's inspection page lists
    page = client_for(factory_pair[0]).get(f"/api/v1/assignments/{assignment.id}/inspection").json()
    assert [i["round"] for i in page["inspections"]] == [1, 2]
    assert {key: page["inspections"][-1][key] for key in VERDICT} == second


def test_a_share_read_without_the_annotation_answers_the_same():
    # given: an inspected share, read as the API reads it and as a plain model
    owner, factory_pair = fixtures.sme(), fixtures.factory()
    job = fixtures.job(owner, quantity=LOT)
    assignment = fixtures.delivered_share(job, owner, factory_pair, LOT)
    _inspect(owner, assignment, {"position": 4})
    read = selectors.assignment_get_for_company(assignment_id=assignment.id, company=owner[1])
    assignment.refresh_from_db()

    # then: the same body, instant and all (PostgreSQL's JSON of the time against the model's)
    def body(share):
        return json.loads(json.dumps(AssignmentSerializer(share).data, cls=DjangoJSONEncoder))

    assert body(read) == body(assignment)
    assert body(read)["last_inspection"]["inspected_at"].endswith("+08:00")


def test_another_factory_never_sees_a_share_or_its_inspection():
    # given: a split job, one share inspected (first factory), one not (second factory)
    owner = fixtures.sme()
    first, second = fixtures.factory(), fixtures.factory()
    job = fixtures.job(owner, quantity=2 * LOT, allow_split=True)
    inspected = fixtures.delivered_share(job, owner, first, LOT)
    other = fixtures.delivered_share(job, owner, second, LOT)
    verdict = _inspect(owner, inspected, {"position": 1})
    # then: the SME sees both shares, the inspected one with its verdict
    assert {s["id"]: s["last_inspection"] for s in _shares_seen(owner[0], job.id)["job"]} == {
        inspected.id: verdict,
        other.id: None,
    }
    # and the second factory sees only its own share, never the first's inspection
    for where, shares in _shares_seen(second[0], job.id).items():
        assert [(s["id"], s["last_inspection"]) for s in shares] == [(other.id, None)], where
    # and a factory holding no share, and another SME, get 404 for the job and for the share
    for user, _ in (fixtures.factory(), fixtures.sme()):
        client = client_for(user)
        assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404
        assert client.get(f"/api/v1/assignments/{inspected.id}/inspection").status_code == 404
        assert inspected.id not in {a["id"] for a in client.get("/api/v1/assignments").json()["results"]}


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


@pytest.mark.parametrize("shares", [1, 4])
def test_inspected_shares_cost_no_query_of_their_own(shares):
    # given: an SME with ``shares`` jobs of one factory, each inspected (one reworked twice)
    owner, factory_pair = fixtures.sme(), fixtures.factory()
    for index in range(shares):
        job = fixtures.job(owner, quantity=LOT)
        assignment = fixtures.delivered_share(job, owner, factory_pair, LOT)
        if index == 0:
            _inspect(owner, assignment, {"position": 4})
            client_for(factory_pair[0]).post(
                f"/api/v1/assignments/{assignment.id}/deliver", {"quantity_delivered": LOT}, format="json"
            )
        _inspect(owner, assignment, {"position": 1})
    sme, factory = client_for(owner[0]), client_for(factory_pair[0])
    # then: the lists and a job run the numbers tests/flows/test_query_counts.py pins, whatever
    # the number of inspected shares
    for client, path, pinned in (
        (sme, "/api/v1/jobs", 6),
        (factory, "/api/v1/jobs", 6),
        (factory, "/api/v1/assignments", 4),
        (sme, f"/api/v1/jobs/{job.id}", 5),
    ):
        count, body = _queries(client, path)
        assert count == pinned, path
        results = body.get("results", [body])
        assert all(a["last_inspection"]["accepted"] for r in results for a in r.get("assignments", [r]))
    # and the share inspected twice shows its second round
    rounds = sorted(a["last_inspection"]["round"] for a in _queries(factory, "/api/v1/assignments")[1]["results"])
    assert rounds == [1] * (shares - 1) + [2]
