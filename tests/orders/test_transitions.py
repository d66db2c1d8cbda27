"""Every action from every state: the lifecycle's allowed steps succeed, a repeat of the
step just taken is a harmless retry, and everything else is 409 with nothing changed."""

import pytest

from conftest import client_for
from orders import services
from orders.models import Assignment, Job, JobHistory
from payments.models import LedgerTransaction
from tests import fixtures

pytestmark = pytest.mark.django_db

STATES = [
    "awaiting_payment",
    "open",
    "assigned",
    "materials_sent",
    "in_production",
    "delivered",
    "disputed",
    "completed",
    "cancelled",
    "expired",
]

# action: (who, path template, body)
ACTIONS = {
    "cancel": ("sme", "/api/v1/jobs/{job}/cancel", {"reason": "changed plans"}),
    "dispute": ("sme", "/api/v1/jobs/{job}/dispute", {"reason": "loose stitches"}),
    "grab": ("other_factory", "/api/v1/board/{job}/accept", {}),
    "materials_sent": ("sme", "/api/v1/assignments/{assignment}/materials-sent", {}),
    "materials_received": (
        "factory",
        "/api/v1/assignments/{assignment}/materials-received",
        {"quantity_received": 1000},
    ),
    "progress": ("factory", "/api/v1/assignments/{assignment}/progress", {"quantity_done": 10}),
    "deliver": ("factory", "/api/v1/assignments/{assignment}/deliver", {"quantity_delivered": 990}),
    "accept": ("sme", "/api/v1/assignments/{assignment}/accept", {"quantity_accepted": 990, "rating": 5}),
    "withdraw": ("factory", "/api/v1/assignments/{assignment}/withdraw", {"reason": "machine broke"}),
    "resolve": ("admin", "/api/v1/admin/jobs/{job}/resolve-dispute", {"quantity_accepted": 900}),
}

# What each action does from each state: "ok" (moves on), "retry" (the same step again:
# 200, nothing new), "404" (nothing of that kind to act on); anything missing is 409.
ALLOWED = {
    "cancel": {"awaiting_payment": "ok", "open": "ok", "cancelled": "retry"},
    "dispute": {"delivered": "ok", "disputed": "retry"},
    "grab": {"open": "ok", "awaiting_payment": "404"},
    "materials_sent": {"assigned": "ok", "materials_sent": "retry"},
    "materials_received": {"materials_sent": "ok", "in_production": "retry"},
    "progress": {"in_production": "ok"},
    "deliver": {"in_production": "ok", "delivered": "retry"},
    "accept": {"delivered": "ok", "completed": "retry"},
    "withdraw": {"assigned": "ok", "materials_sent": "ok"},
    "resolve": {"disputed": "ok"},
}
NO_ASSIGNMENT = {"awaiting_payment", "open", "cancelled", "expired"}


def _job_in(state):
    sme_user, sme_company = fixtures.sme()
    factory_user, factory_company = fixtures.factory()
    other_user, _ = fixtures.factory()
    job = fixtures.job((sme_user, sme_company), paid=state != "awaiting_payment")
    assignment = None
    steps = STATES[2 : STATES.index(state) + 1] if state in STATES[2:8] else []
    if state == "completed":
        steps.remove("disputed")  # completed straight from delivered
    if state == "cancelled":
        services.job_cancel(job_id=job.id, sme=sme_company, user=sme_user)
    if state == "expired":
        services.job_expire(job_id=job.id)
    for step in steps:
        if step == "assigned":
            assignment = services.board_accept(job_id=job.id, factory=factory_company, user=factory_user)
        elif step == "materials_sent":
            services.assignment_materials_sent(assignment_id=assignment.id, company=sme_company, user=sme_user)
        elif step == "in_production":
            services.assignment_materials_received(
                assignment_id=assignment.id, company=factory_company, user=factory_user, quantity_received=1000
            )
        elif step == "delivered":
            services.assignment_deliver(
                assignment_id=assignment.id,
                company=factory_company,
                user=factory_user,
                quantity_delivered=990,
                quantity_lost=10,
            )
        elif step == "disputed":
            services.job_dispute(job_id=job.id, sme=sme_company, user=sme_user, reason="bad")
        elif step == "completed":
            services.assignment_accept(
                assignment_id=assignment.id, company=sme_company, user=sme_user, quantity_accepted=990, rating=4
            )
    job.refresh_from_db()
    assert job.status == state
    users = {"sme": sme_user, "factory": factory_user, "other_factory": other_user, "admin": fixtures.admin_user()}
    return job, assignment, users


def _snapshot(job):
    return (
        Job.objects.get(id=job.id).status,
        sorted(Assignment.objects.filter(job=job).values_list("id", "status", "quantity_done")),
        JobHistory.objects.filter(job=job).count(),
        LedgerTransaction.objects.count(),
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_table_allows_only_the_lifecycle(state, action):
    # given
    job, assignment, users = _job_in(state)
    who, template, body = ACTIONS[action]
    expected = ALLOWED[action].get(state, "409")
    if "{assignment}" in template and assignment is None:
        expected = "404"
    path = template.format(job=job.id, assignment=assignment.id if assignment else 999999)
    before = _snapshot(job)
    # when
    response = client_for(users[who]).post(path, body, format="json")
    # then
    if expected == "ok":
        assert response.status_code in (200, 201), response.content
        assert _snapshot(job) != before
    elif expected == "retry":
        assert response.status_code == 200, response.content
        assert _snapshot(job) == before
    elif expected == "404":
        assert response.status_code == 404, response.content
        assert _snapshot(job) == before
    else:
        assert response.status_code == 409, response.content
        assert response.json()["error"]["code"] != ""
        assert _snapshot(job) == before
