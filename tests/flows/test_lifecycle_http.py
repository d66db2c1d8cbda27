"""The whole life of a job, from registration to completion, through the HTTP API only."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.fixtures import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _client(token=None):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _register(username, kind, lat, lng):
    response = _client().post(
        "/api/v1/auth/register",
        {
            "username": username,
            "password": "Hat-cluster-2026",
            "company": {"name": username.title(), "kind": kind, "lat": lat, "lng": lng},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_lifecycle_http_from_register_to_completed(eager_celery_live):
    # given: an SME, a factory 6 km away, and a platform admin, all through the API
    sme = _register("capco", "sme", 36.270, 120.010)
    factory = _register("hongda", "factory", 36.300, 120.060)
    sme_api, factory_api = _client(sme["access"]), _client(factory["access"])
    UserFactory(username="ops", is_staff=True)
    admin_token = _ok(
        _client().post("/api/v1/auth/token", {"username": "ops", "password": "pw-Secret-123"}, format="json")
    )["access"]
    _ok(_client(admin_token).post(f"/api/v1/admin/factories/{factory['company']['id']}/verify", {}, format="json"))
    _ok(factory_api.patch("/api/v1/factory/profile", {"online": True, "service_radius_km": 20}, format="json"))
    _ok(
        factory_api.post(
            "/api/v1/factory/capabilities",
            {"process": "velcro_sewing", "unit_price_fen": 12, "daily_capacity": 5000, "min_quantity": 500},
            format="json",
        ),
        201,
    )
    profile = _ok(factory_api.get("/api/v1/factory/profile"))
    assert (profile["verified"], profile["online"]) == (True, True)

    # when: the SME quotes and posts 8,000 velcro closures due in 4 days
    deadline = (timezone.now() + timedelta(days=4)).isoformat()
    spec = {"width_mm": 25, "color": "black", "stitch": "box_x"}
    quote = _ok(
        sme_api.post(
            "/api/v1/jobs/quote",
            {"process": "velcro_sewing", "quantity": 8000, "spec": spec, "deadline": deadline},
            format="json",
        )
    )
    assert quote["unit_price_fen"] == 15  # the reference price beats the one factory's 12 fen
    job = _ok(
        sme_api.post(
            "/api/v1/jobs",
            {
                "process": "velcro_sewing",
                "quantity": 8000,
                "spec": spec,
                "deadline": deadline,
                "unit_price_fen": quote["unit_price_fen"],
                "mode": "grab",
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="post-1",
        ),
        201,
    )
    assert job["status"] == "awaiting_payment"
    assert job["payment"]["status"] == "requires_payment"
    assert job["payment"]["amount_fen"] == 120_000
    assert _ok(factory_api.get("/api/v1/board"))["count"] == 0  # not paid, not on the board

    # the SME pays on the sandbox gateway's page; its signed webhook opens the job
    pay_path = job["payment"]["pay_url"].replace("http://testserver", "")
    _ok(_client().post(pay_path))
    job = _ok(sme_api.get(f"/api/v1/jobs/{job['id']}"))
    assert job["status"] == "open"
    assert job["payment"]["status"] == "succeeded"

    # the factory finds it on its board and takes it
    board = _ok(factory_api.get("/api/v1/board"))
    assert board["count"] == 1
    entry = board["results"][0]
    assert entry["id"] == job["id"]
    assert 5 < entry["distance_km"] < 7
    assert (entry["quantity"], entry["unit_price_fen"], entry["spec"]) == (8000, 15, spec)
    assignment = _ok(factory_api.post(f"/api/v1/board/{job['id']}/accept", {}, format="json"), 201)
    assert _ok(sme_api.get(f"/api/v1/jobs/{job['id']}"))["status"] == "assigned"
    assert _ok(factory_api.get("/api/v1/wallet"))["escrow_fen"] == 120_000

    # material goes over; 40 pieces' worth short
    base = f"/api/v1/assignments/{assignment['id']}"
    _ok(sme_api.post(f"{base}/materials-sent", {"note": "2 cartons"}, format="json"))
    assert _ok(sme_api.get(f"/api/v1/jobs/{job['id']}"))["status"] == "materials_sent"
    _ok(factory_api.post(f"{base}/materials-received", {"quantity_received": 7960}, format="json"))
    assert _ok(sme_api.get(f"/api/v1/jobs/{job['id']}"))["status"] == "in_production"
    _ok(factory_api.post(f"{base}/progress", {"quantity_done": 4000}, format="json"))
    # the shortfall caps delivery
    too_many = factory_api.post(f"{base}/deliver", {"quantity_delivered": 8000}, format="json")
    assert too_many.status_code == 400
    delivered = _ok(
        factory_api.post(f"{base}/deliver", {"quantity_delivered": 7900, "quantity_lost": 60}, format="json")
    )
    assert delivered["materials"] == {
        "sent": 8000,
        "received": 7960,
        "consumed": 7900,
        "loss": 60,
        "returned": 0,
        "written_off": 0,
        "returned_confirmed": 0,
    }
    assert _ok(sme_api.get(f"/api/v1/jobs/{job['id']}"))["status"] == "delivered"

    # then: the SME accepts 7,880 pieces and rates the factory
    done = _ok(
        sme_api.post(f"{base}/accept", {"quantity_accepted": 7880, "rating": 5, "comment": "neat"}, format="json")
    )
    assert (done["status"], done["quantity_rejected"]) == ("completed", 20)
    job = _ok(sme_api.get(f"/api/v1/jobs/{job['id']}"))
    assert job["status"] == "completed"
    # 7,880 x 15 = 118,200 fen earned; 5% commission 5,910; 120 pieces not accepted refunded
    wallet = _ok(factory_api.get("/api/v1/wallet"))
    assert (wallet["escrow_fen"], wallet["payable_fen"]) == (0, 112_290)
    assert job["payment"]["refunded_fen"] == 1_800
    assert job["payment"]["status"] == "partially_refunded"
    profile = _ok(factory_api.get("/api/v1/factory/profile"))
    assert (profile["rating"], profile["jobs_completed"], profile["on_time_rate"]) == (5.0, 1, 1.0)
    check = _ok(_client(admin_token).get("/api/v1/admin/ledger/check"))
    assert check["balanced"] is True, check["problems"]

    events = _ok(sme_api.get(f"/api/v1/jobs/{job['id']}/events?page_size=200"))["results"]
    trail = [(e["action"], e["old_status"], e["new_status"]) for e in events]
    assert trail == [
        ("posted", "", "awaiting_payment"),
        ("paid", "awaiting_payment", "open"),
        ("accepted", "", "assigned"),
        ("status", "open", "assigned"),
        ("materials_sent", "assigned", "materials_sent"),
        ("status", "assigned", "materials_sent"),
        ("materials_received", "materials_sent", "in_production"),
        ("status", "materials_sent", "in_production"),
        ("progress", "", ""),
        ("delivered", "in_production", "delivered"),
        ("status", "in_production", "delivered"),
        ("accepted_delivery", "delivered", "completed"),
        ("status", "delivered", "completed"),
    ]
    # the SME's own people by username; the factory's by role and company name (issue 28, L5)
    assert {e["actor"] for e in events} == {"capco", "Factory · Hongda", "system"}
