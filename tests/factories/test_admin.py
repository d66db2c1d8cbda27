import pytest
from django.test import Client

from factories.models import FactoryProfile
from tests import fixtures
from tests.model_factories import UserFactory

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
