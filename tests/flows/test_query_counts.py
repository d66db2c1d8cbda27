"""List endpoints run a fixed number of queries, whatever the page size (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from orders import services
from tests import fixtures

pytestmark = pytest.mark.django_db


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


@pytest.fixture
def busy_world():
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory(capabilities=[("velcro_sewing", 12, 100000, 100, 0)])
    for index in range(12):
        job = fixtures.job(owner, quantity=500)
        if index % 2:
            assignment = services.board_accept(job_id=job.id, factory=factory, user=factory_user)
            services.assignment_materials_sent(assignment_id=assignment.id, company=owner[1], user=owner[0])
    return owner[0], factory_user


@pytest.mark.parametrize(
    ("who", "path", "pinned"),
    [
        ("sme", "/api/v1/jobs", 8),  # the page's payments are one query of their own (payments keeps job ids)
        ("factory", "/api/v1/jobs", 8),
        ("factory", "/api/v1/assignments", 6),
        ("sme", "/api/v1/assignments", 6),
        ("factory", "/api/v1/board", 12),  # its entries' count and page, then the page's rows checked
        ("factory", "/api/v1/factory/capabilities", 5),
        ("sme", "/api/v1/processes", 3),
    ],
)
def test_list_query_count_is_pinned_and_independent_of_page_size(busy_world, who, path, pinned):
    client = client_for(busy_world[0] if who == "sme" else busy_world[1])
    small, small_body = _queries(client, f"{path}?page_size=2")
    large, large_body = _queries(client, f"{path}?page_size=200")
    assert len(large_body["results"]) >= len(small_body["results"])
    assert small == large == pinned


def test_event_list_query_count_is_pinned(busy_world):
    client = client_for(busy_world[0])
    job_id = client.get("/api/v1/jobs").json()["results"][0]["id"]
    small, _ = _queries(client, f"/api/v1/jobs/{job_id}/events?page_size=1")
    large, _ = _queries(client, f"/api/v1/jobs/{job_id}/events?page_size=200")
    assert small == large
