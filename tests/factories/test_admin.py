import pytest
from django.test import Client

from factories.models import FactoryProfile
from orders import services as order_services
from orders.models import Offer
from tests import fixtures
from tests.fixtures import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_verify_action_verifies_through_the_service():
    # given: an unverified factory and a logged-in platform admin
    _, company = fixtures.factory(verified=False)
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    # when
    response = browser.post(
        "/admin/factories/factoryprofile/",
        {"action": "verify", "_selected_action": [company.id]},
        follow=True,
    )
    # then
    assert response.status_code == 200
    profile = FactoryProfile.objects.get(company=company)
    assert (profile.verification, profile.verified_by_id) == ("verified", admin.id)


def test_admin_pages_render_for_staff():
    fixtures.job()
    admin = UserFactory(username="boss2", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    for path in (
        "/admin/",
        "/admin/orders/job/",
        "/admin/orders/assignment/",
        "/admin/factories/factoryprofile/",
        "/admin/accounts/company/",
    ):
        assert browser.get(path).status_code == 200, path


def _change_form_post(browser, company, **fields):
    """POST the factory's admin change form (the capability inline is read-only but sends
    its management form)."""
    page = browser.get(f"/admin/factories/factoryprofile/{company.id}/change/")
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0].formset
    data = {f"{inline.prefix}-{k}": v for k, v in inline.management_form.initial.items()}
    data.update(fields)
    return browser.post(f"/admin/factories/factoryprofile/{company.id}/change/", data)


def test_admin_factory_change_form_saves_through_the_service_and_cannot_flip_online():
    # given: an online factory and a platform admin
    _, company = fixtures.factory(radius_km=30)
    admin = UserFactory(username="boss3", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    # when: the admin widens the radius and tries to send online=off in the same form
    response = _change_form_post(browser, company, lat=company.lat, lng=company.lng, service_radius_km=45, online="")
    # then: the radius changed, the online flag did not (it is not a form field)
    assert response.status_code == 302
    profile = FactoryProfile.objects.get(company=company)
    assert (profile.service_radius_km, profile.online) == (45, True)


def test_admin_take_offline_action_withdraws_the_factorys_pending_offers(django_capture_on_commit_callbacks):
    # given: a factory holding a pending dispatch offer
    factory_user, company = fixtures.factory()
    job = fixtures.job(mode="dispatch")
    order_services.dispatch_run_batch()
    offer = Offer.objects.get(job=job, factory=company)
    admin = UserFactory(username="boss4", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/admin/factories/factoryprofile/", {"action": "take_offline", "_selected_action": [company.id]}
        )
    # then
    assert response.status_code == 302
    assert FactoryProfile.objects.get(company=company).online is False
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == ("withdrawn", "the factory went offline")


def test_admin_factory_clearing_the_location_of_an_online_factory_is_a_form_error():
    _, company = fixtures.factory()
    admin = UserFactory(username="boss5", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    response = _change_form_post(browser, company, lat="", lng="", service_radius_km=30)
    assert response.status_code == 200  # the form again, with the error
    assert "An online factory needs a location" in response.content.decode()
    profile = FactoryProfile.objects.get(company=company)
    assert profile.lat is not None and profile.online is True
