"""Who may call what: another company's object is 404 (never revealed), a wrong role is
403, no token is 401. One row per endpoint."""

import pytest

from conftest import client_for
from orders import services
from orders.models import Assignment, Job, JobHistory
from tests import fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner_sme = fixtures.sme()
    other_sme = fixtures.sme()
    holder = fixtures.factory()
    other_factory = fixtures.factory(lat=40.0, lng=116.4)  # Beijing: never eligible for Jiaozhou jobs
    job = fixtures.job(owner_sme)
    assignment = services.board_accept(job_id=job.id, factory=holder[1], user=holder[0])
    open_job = fixtures.job(owner_sme)
    return {
        "users": {
            "owner_sme": owner_sme[0],
            "other_sme": other_sme[0],
            "holder": holder[0],
            "other_factory": other_factory[0],
            "admin": fixtures.admin_user(),
            "anonymous": None,
        },
        "job": job.id,
        "open_job": open_job.id,
        "assignment": assignment.id,
        "capability": holder[1].factory_profile.capabilities.get().id,
        "factory": holder[1].id,
    }


# (method, path, body, {caller: expected status}) for callers that must be refused.
CASES = [
    ("get", "/api/v1/jobs/{job}", None, {"other_sme": 404, "other_factory": 404, "anonymous": 401}),
    ("get", "/api/v1/jobs/{job}/events", None, {"other_sme": 404, "other_factory": 404, "anonymous": 401}),
    ("post", "/api/v1/jobs/{open_job}/cancel", {}, {"other_sme": 404, "holder": 403, "admin": 403, "anonymous": 401}),
    ("post", "/api/v1/jobs/{job}/dispute", {"reason": "x"}, {"other_sme": 404, "holder": 403, "anonymous": 401}),
    ("post", "/api/v1/jobs", {}, {"holder": 403, "admin": 403, "anonymous": 401}),
    ("post", "/api/v1/jobs/quote", {}, {"holder": 403, "anonymous": 401}),
    (
        "post",
        "/api/v1/assignments/{assignment}/materials-sent",
        {},
        {"other_sme": 404, "holder": 403, "other_factory": 403, "anonymous": 401},
    ),
    (
        "post",
        "/api/v1/assignments/{assignment}/accept",
        {"quantity_accepted": 1, "rating": 5},
        {"other_sme": 404, "holder": 403, "anonymous": 401},
    ),
    (
        "post",
        "/api/v1/assignments/{assignment}/materials-received",
        {"quantity_received": 1},
        {"other_factory": 404, "owner_sme": 403, "anonymous": 401},
    ),
    (
        "post",
        "/api/v1/assignments/{assignment}/progress",
        {"quantity_done": 1},
        {"other_factory": 404, "owner_sme": 403, "anonymous": 401},
    ),
    (
        "post",
        "/api/v1/assignments/{assignment}/deliver",
        {"quantity_delivered": 1},
        {"other_factory": 404, "owner_sme": 403, "anonymous": 401},
    ),
    (
        "post",
        "/api/v1/assignments/{assignment}/withdraw",
        {},
        {"other_factory": 404, "owner_sme": 403, "anonymous": 401},
    ),
    (
        "patch",
        "/api/v1/factory/capabilities/{capability}",
        {"unit_price_fen": 1},
        {"other_factory": 404, "owner_sme": 403, "anonymous": 401},
    ),
    (
        "delete",
        "/api/v1/factory/capabilities/{capability}",
        None,
        {"other_factory": 404, "owner_sme": 403, "anonymous": 401},
    ),
    ("get", "/api/v1/factory/capabilities", None, {"owner_sme": 403, "admin": 403, "anonymous": 401}),
    ("get", "/api/v1/factory/profile", None, {"owner_sme": 403, "anonymous": 401}),
    ("patch", "/api/v1/factory/profile", {"online": False}, {"owner_sme": 403, "anonymous": 401}),
    ("get", "/api/v1/board", None, {"owner_sme": 403, "anonymous": 401}),
    ("post", "/api/v1/board/{open_job}/accept", {}, {"owner_sme": 403, "other_factory": 404, "anonymous": 401}),
    ("get", "/api/v1/wallet", None, {"owner_sme": 403, "admin": 403, "anonymous": 401}),
    ("get", "/api/v1/jobs/summary", None, {"holder": 403, "admin": 403, "anonymous": 401}),
    ("post", "/api/v1/admin/factories/{factory}/verify", {}, {"owner_sme": 403, "holder": 403, "anonymous": 401}),
    (
        "post",
        "/api/v1/admin/jobs/{job}/resolve-dispute",
        {"quantity_accepted": 1},
        {"owner_sme": 403, "holder": 403, "anonymous": 401},
    ),
    ("get", "/api/v1/admin/ledger/check", None, {"owner_sme": 403, "holder": 403, "anonymous": 401}),
    ("get", "/api/v1/me", None, {"anonymous": 401}),
    ("get", "/api/v1/processes", None, {"anonymous": 401}),
    ("get", "/api/v1/assignments", None, {"anonymous": 401}),
]


def _snapshot():
    return (
        list(Job.objects.order_by("id").values_list("id", "status")),
        list(Assignment.objects.order_by("id").values_list("id", "status", "quantity_done")),
        JobHistory.objects.count(),
    )


@pytest.mark.parametrize(("method", "template", "body", "refused"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_permissions_refuse_others_and_wrong_roles(world, method, template, body, refused):
    path = template.format(**world)
    before = _snapshot()
    for caller, expected in refused.items():
        client = client_for(world["users"][caller])
        response = (
            getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)
        )
        assert response.status_code == expected, f"{caller}: {response.status_code} {response.content!r}"
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert _snapshot() == before


def test_permissions_lists_show_only_your_own(world):
    # the SME that owns nothing sees no jobs; the far factory holds no assignment
    assert client_for(world["users"]["other_sme"]).get("/api/v1/jobs").json()["count"] == 0
    assert client_for(world["users"]["other_factory"]).get("/api/v1/jobs").json()["count"] == 0
    assert client_for(world["users"]["other_factory"]).get("/api/v1/assignments").json()["count"] == 0
    assert client_for(world["users"]["other_factory"]).get("/api/v1/board").json()["count"] == 0
    # the owner sees both of its jobs, the holder the one it holds
    assert client_for(world["users"]["owner_sme"]).get("/api/v1/jobs").json()["count"] == 2
    holder_jobs = client_for(world["users"]["holder"]).get("/api/v1/jobs").json()
    assert [j["id"] for j in holder_jobs["results"]] == [world["job"]]
