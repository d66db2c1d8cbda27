import json
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from conftest import client_for
from factories.selectors import factory_profile_get
from orders import selectors, services
from orders.api.serializers import AssignmentSerializer, BoardJobSerializer, board_rows_data
from orders.models import Assignment, Job
from payments import ledger
from tests import fixtures

pytestmark = pytest.mark.django_db


def _board(user, **params):
    response = client_for(user).get("/api/v1/board", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_board_lists_eligible_jobs_nearest_first_with_distance():
    # given: a factory in Jiaozhou and jobs 2 km, 10 km and 60 km away
    user, company = fixtures.factory(lat=36.264, lng=120.033, radius_km=30)
    owner = fixtures.sme()
    near = fixtures.job(owner, lat=36.282, lng=120.033)
    far_ok = fixtures.job(owner, lat=36.354, lng=120.033)
    fixtures.job(owner, lat=36.804, lng=120.033)  # out of radius
    # when
    board = _board(user)
    # then
    assert [row["id"] for row in board["results"]] == [near.id, far_ok.id]
    assert board["results"][0]["distance_km"] == pytest.approx(2.0, abs=0.05)
    assert board["results"][1]["distance_km"] == pytest.approx(10.0, abs=0.05)
    row = board["results"][0]
    assert set(row) >= {
        "process",
        "spec",
        "quantity",
        "unit_price_fen",
        "deadline",
        "lat",
        "lng",
        "address",
        "distance_km",
        "min_share",
        "max_share",
    }


@pytest.mark.parametrize(
    "change",
    [
        "unverified",
        "offline",
        "price_too_high",
        "min_quantity",
        "no_capability",
        "short_capacity",
        "lead_time",
        "dispatch_mode",
        "unpaid",
    ],
)
def test_board_hides_jobs_the_factory_is_not_eligible_for(change):
    # given: a factory that would see the job, but for one thing
    capability = ("velcro_sewing", 12, 4000, 100, 0)
    kwargs = {}
    job_kwargs = {}
    if change == "unverified":
        kwargs["verified"] = False
    if change == "offline":
        kwargs["online"] = False
    if change == "price_too_high":
        capability = ("velcro_sewing", 16, 4000, 100, 0)
    if change == "min_quantity":
        capability = ("velcro_sewing", 12, 4000, 1500, 0)
    if change == "no_capability":
        capability = ("embroidery", 12, 4000, 100, 0)
    if change == "short_capacity":
        capability = ("velcro_sewing", 12, 150, 100, 0)  # 150 a day, 5 days: 750 < 1,000
    if change == "lead_time":
        capability = ("velcro_sewing", 12, 4000, 100, 6)
    if change == "dispatch_mode":
        job_kwargs["mode"] = "dispatch"
    if change == "unpaid":
        job_kwargs["paid"] = False
    user, _ = fixtures.factory(capabilities=[capability], **kwargs)
    fixtures.job(quantity=1000, unit_price_fen=15, days=5, **job_kwargs)
    # then: not listed; the count is of the jobs the factory's rules admit, so a job that only
    # lacks free capacity right now is counted but not listed (docs/architecture.md "Reading a board")
    board = _board(user)
    assert board["results"] == []
    assert board["count"] == (1 if change == "short_capacity" else 0)


def test_board_accept_split_job_takes_part_and_leaves_the_rest_open():
    # given: a split job of 10,000 and two factories of 4,000 a day... due in 1.5 days
    job = fixtures.job(quantity=10000, allow_split=True, days=1.5)
    first_user, first = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
    second_user, second = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
    third_user, third = fixtures.factory(capabilities=[("velcro_sewing", 12, 4000, 100, 0)])
    # when: the first takes 5,000 (more than it can make) and then 4,000
    too_much = client_for(first_user).post(f"/api/v1/board/{job.id}/accept", {"quantity": 7000}, format="json")
    taken = client_for(first_user).post(f"/api/v1/board/{job.id}/accept", {"quantity": 4000}, format="json")
    # then
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "invalid_share"
    assert taken.status_code == 201
    assert Job.objects.get(id=job.id).status == "open"
    remaining = _board(second_user)["results"][0]
    # (it could make 5,999 of the 6,000 left, but that would leave 1 piece, under the floor of
    # 1,000 that the service refuses to leave: the most it may take leaves exactly the floor)
    assert (remaining["max_share"], remaining["min_share"]) == (5000, 1000)
    # when: the others cover the rest
    assert (
        client_for(second_user).post(f"/api/v1/board/{job.id}/accept", {"quantity": 4000}, format="json").status_code
        == 201
    )
    assert client_for(third_user).post(f"/api/v1/board/{job.id}/accept", {}, format="json").status_code == 201
    # then
    shares = sorted(Assignment.objects.filter(job=job).values_list("factory_id", "quantity"))
    assert shares == sorted([(first.id, 4000), (second.id, 4000), (third.id, 2000)])
    assert Job.objects.get(id=job.id).status == "assigned"


def test_board_split_job_completed_share_still_covers_its_part():
    # given: a split job of 1,000; A completes 500, B takes 500 and withdraws
    owner = fixtures.sme()
    job = fixtures.job(owner, quantity=1000, allow_split=True)
    a_pair, b_pair, c_pair = fixtures.factory(), fixtures.factory(), fixtures.factory()
    a = fixtures.delivered_share(job, owner, a_pair, 500)
    services.assignment_accept(assignment_id=a.id, company=owner[1], user=owner[0], quantity_accepted=500, rating=5)
    b = services.board_accept(job_id=job.id, factory=b_pair[1], user=b_pair[0], quantity=500)
    services.assignment_withdraw(assignment_id=b.id, company=b_pair[1], user=b_pair[0])
    # then: C sees only the 500 left, and A may not take the job again (409, not a 500)
    row = client_for(c_pair[0]).get("/api/v1/board").json()["results"][0]
    assert (row["id"], row["max_share"]) == (job.id, 500)
    with pytest.raises(Exception) as too_much:
        services.board_accept(job_id=job.id, factory=c_pair[1], user=c_pair[0], quantity=1000)
    assert too_much.value.code == "invalid_share"
    again = client_for(a_pair[0]).post(f"/api/v1/board/{job.id}/accept", {}, format="json")
    assert again.status_code == 404  # A holds (held) a share: the job is not on its board
    # and C's 500 is paid out of what is left in escrow
    c = fixtures.delivered_share(job, owner, c_pair, 500)
    services.assignment_accept(assignment_id=c.id, company=owner[1], user=owner[0], quantity_accepted=500, rating=4)
    assert Job.objects.get(id=job.id).status == "completed"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 0


def test_board_accept_quantity_on_unsplit_job_is_400():
    job = fixtures.job(quantity=1000)
    user, _ = fixtures.factory()
    response = client_for(user).post(f"/api/v1/board/{job.id}/accept", {"quantity": 500}, format="json")
    assert response.status_code == 400
    assert Assignment.objects.count() == 0


def test_withdraw_reopens_the_job_and_counts_against_the_factory():
    # given
    job = fixtures.job(quantity=1000)
    user, company = fixtures.factory()
    assignment = services.board_accept(job_id=job.id, factory=company, user=user)
    # when
    response = client_for(user).post(
        f"/api/v1/assignments/{assignment.id}/withdraw", {"reason": "machine down"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert Job.objects.get(id=job.id).status == "open"
    profile = company.factory_profile
    profile.refresh_from_db()
    assert (profile.jobs_taken, profile.cancellations, profile.reliability) == (1, 1, 0.0)
    # and another factory can take it again
    other_user, other = fixtures.factory()
    again = services.board_accept(job_id=job.id, factory=other, user=other_user)
    assert again.quantity == 1000
    assert Job.objects.get(id=job.id).status == "assigned"


def test_capacity_is_released_when_production_is_delivered():
    # given: a factory whose whole capacity one job takes
    user, company = fixtures.factory(capabilities=[("velcro_sewing", 12, 1000, 100, 0)])
    first = fixtures.job(quantity=2900, days=3)
    second = fixtures.job(quantity=2900, days=3)
    assignment = services.board_accept(job_id=first.id, factory=company, user=user)
    assert _board(user)["results"] == []
    # when: it delivers the first
    owner = first.sme.memberships.get().user
    services.assignment_materials_sent(assignment_id=assignment.id, company=first.sme, user=owner)
    services.assignment_materials_received(
        assignment_id=assignment.id, company=company, user=user, quantity_received=2900
    )
    services.assignment_deliver(assignment_id=assignment.id, company=company, user=user, quantity_delivered=2900)
    # then: the second fits again
    assert [row["id"] for row in _board(user)["results"]] == [second.id]


def test_job_post_validates_spec_per_field_and_terms():
    user, company = fixtures.sme()
    client = client_for(user)
    body = {
        "process": "velcro_sewing",
        "quantity": 100,
        "spec": {"width_mm": 5, "stitch": "wavy", "glitter": True},
        "deadline": (timezone.now() + timedelta(days=2)).isoformat(),
        "unit_price_fen": 15,
    }
    response = client.post("/api/v1/jobs", body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["spec"]
    assert set(fields) == {"width_mm", "stitch", "color", "glitter"}
    past = {**body, "spec": fixtures.VELCRO_SPEC, "deadline": (timezone.now() - timedelta(hours=1)).isoformat()}
    response = client.post("/api/v1/jobs", past, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"deadline"}
    unknown = {**body, "spec": fixtures.VELCRO_SPEC, "process": "knitting"}
    assert client.post("/api/v1/jobs", unknown, format="json").json()["error"]["code"] == "unknown_process"
    assert Job.objects.count() == 0


def test_job_quote_adds_urgency_surcharge_for_near_deadlines():
    user, _ = fixtures.sme()
    fixtures.factory(capabilities=[("velcro_sewing", 20, 4000, 100, 0)])
    fixtures.factory(capabilities=[("velcro_sewing", 18, 4000, 100, 0)])
    base = {"process": "velcro_sewing", "quantity": 1000, "spec": fixtures.VELCRO_SPEC}
    relaxed = (
        client_for(user)
        .post(
            "/api/v1/jobs/quote", {**base, "deadline": (timezone.now() + timedelta(days=5)).isoformat()}, format="json"
        )
        .json()
    )
    urgent = (
        client_for(user)
        .post(
            "/api/v1/jobs/quote",
            {**base, "deadline": (timezone.now() + timedelta(hours=20)).isoformat()},
            format="json",
        )
        .json()
    )
    # market median of 18 and 20 is 20 (upper middle), above the 15 fen reference
    assert (relaxed["unit_price_fen"], relaxed["total_fen"], relaxed["urgency_surcharge_bps"]) == (20, 20000, 0)
    assert (urgent["unit_price_fen"], urgent["urgency_surcharge_bps"]) == (26, 3000)


def test_board_rows_render_exactly_as_the_board_serializer_does():
    # given: a board with a split job, a whole one and an address
    user, company = fixtures.factory(lat=36.264, lng=120.033, radius_km=30)
    owner = fixtures.sme()
    fixtures.job(owner, lat=36.282, lng=120.033, allow_split=True, quantity=3000)
    fixtures.job(owner, lat=36.354, lng=120.0335, spec={**fixtures.VELCRO_SPEC, "color": "红"})
    rows = selectors.board_list_for_factory(profile=factory_profile_get(company=company))[0:50]
    # when
    plain = board_rows_data(rows)
    # then: the same JSON, key for key and in the same order, as the API answers
    assert len(plain) == 2
    assert json.dumps(plain) == json.dumps(BoardJobSerializer(rows, many=True).data)
    assert _board(user)["results"] == json.loads(json.dumps(plain))


def test_board_accept_answers_the_share_exactly_as_reading_it_back_shows_it():
    # given
    user, company = fixtures.factory()
    job = fixtures.job(fixtures.sme(), allow_split=True, quantity=3000)
    # when
    response = client_for(user).post(f"/api/v1/board/{job.id}/accept", {"quantity": 1000}, format="json")
    # then
    assert response.status_code == 201, response.content
    stored = selectors.assignment_get_for_company(assignment_id=response.json()["id"], company=company)
    assert response.json() == json.loads(json.dumps(AssignmentSerializer(stored).data, cls=DjangoJSONEncoder))
    assert response.json()["factory"] == {"id": company.id, "name": company.name}
