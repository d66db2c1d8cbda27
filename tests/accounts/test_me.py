"""GET and PATCH /api/v1/me (API.md "Auth and identity")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Company
from conftest import client_for
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_me_patch_sets_where_an_sme_hands_material_over():
    user, company = fixtures.sme(lat=None, lng=None)
    response = client_for(user).patch(
        "/api/v1/me", {"company": {"lat": 36.27, "lng": 120.01, "address": "Lanzhou East Rd 18"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["company"] | {} == {
        "id": company.id,
        "name": company.name,
        "kind": "sme",
        "lat": 36.27,
        "lng": 120.01,
        "address": "Lanzhou East Rd 18",
    }
    stored = Company.objects.get(id=company.id)
    assert (stored.lat, stored.lng, stored.address) == (36.27, 120.01, "Lanzhou East Rd 18")


@pytest.mark.parametrize(
    "body",
    [{"company": {"lat": 91}}, {"company": {"kind": "factory"}}, {"company": {"name": ""}}, {"name": "x"}, {}],
)
def test_me_patch_bad_input_is_400_and_changes_nothing(body):
    user, company = fixtures.sme()
    response = client_for(user).patch("/api/v1/me", body, format="json")
    assert response.status_code == 400
    stored = Company.objects.get(id=company.id)
    assert (stored.name, stored.kind, stored.lat) == (company.name, "sme", company.lat)


def test_me_patch_by_a_platform_admin_is_403():
    response = client_for(fixtures.admin_user()).patch("/api/v1/me", {"company": {"name": "x"}}, format="json")
    assert response.status_code == 403


def test_quote_works_without_a_spec():
    user, _ = fixtures.sme()
    response = client_for(user).post(
        "/api/v1/jobs/quote",
        {"process": "velcro_sewing", "quantity": 1000, "deadline": (timezone.now() + timedelta(days=5)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["total_fen"] == response.json()["unit_price_fen"] * 1000
