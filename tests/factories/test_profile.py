"""A factory's profile: going online and offline (factories/services.py)."""

import pytest

from conftest import client_for
from factories import services as factory_services
from orders import services
from orders.models import Job, Offer
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_profile_going_offline_withdraws_the_factorys_pending_offers(django_capture_on_commit_callbacks):
    job = fixtures.job(mode="dispatch")
    user, company = fixtures.factory()
    services.dispatch_run_batch()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(user).patch("/api/v1/factory/profile", {"online": False}, format="json")
    assert Offer.objects.get(job=job).status == "withdrawn"
    assert Job.objects.get(id=job.id).dispatch_misses == 0


def test_profile_going_online_needs_a_location_and_radius_bounds():
    user, company = fixtures.factory()
    factory_services.factory_profile_update(company=company, online=False)
    client = client_for(user)
    assert client.patch("/api/v1/factory/profile", {"service_radius_km": 0}, format="json").status_code == 400
    assert client.patch("/api/v1/factory/profile", {"verified": True}, format="json").status_code == 400
    response = client.patch("/api/v1/factory/profile", {"online": True, "service_radius_km": 45}, format="json")
    assert response.status_code == 200
    assert (response.json()["online"], response.json()["service_radius_km"]) == (True, 45)
