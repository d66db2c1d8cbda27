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


def test_offers_received_adds_each_factorys_own_count_in_one_batch():
    # given: three factories, one of which has received offers before
    from factories.models import FactoryProfile

    a, b, c = (fixtures.factory()[1] for _ in range(3))
    FactoryProfile.objects.filter(company=a).update(offers_received=5)
    # when: a batch made three offers to a, one to b and two to c (and names a company that
    # has no factory profile)
    factory_services.factory_record_offers_received(company_ids=[a.id, c.id, a.id, b.id, a.id, c.id, 10**9])
    # then
    received = dict(FactoryProfile.objects.values_list("company_id", "offers_received"))
    assert (received[a.id], received[b.id], received[c.id]) == (8, 1, 2)
