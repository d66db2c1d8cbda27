"""The company admin edits through accounts.services; kind and memberships are fixed."""

import pytest
from django.test import Client

from accounts.models import Company
from tests import fixtures
from tests.fixtures import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_company_edit_changes_name_and_address_but_not_kind():
    # given: an SME and a platform admin
    _, company = fixtures.sme()
    admin = UserFactory(username="ops1", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    page = browser.get(f"/admin/accounts/company/{company.id}/change/")
    inline = page.context["inline_admin_formsets"][0].formset
    data = {f"{inline.prefix}-{k}": v for k, v in inline.management_form.initial.items()}
    # when: the admin renames it and tries to turn it into a factory
    data.update(name="Lin Caps Ltd", kind="factory", lat=company.lat, lng=company.lng, address="Lanzhou Rd 1")
    response = browser.post(f"/admin/accounts/company/{company.id}/change/", data)
    # then
    assert response.status_code == 302
    stored = Company.objects.get(id=company.id)
    assert (stored.name, stored.address, stored.kind) == ("Lin Caps Ltd", "Lanzhou Rd 1", "sme")


def test_admin_company_cannot_be_added_or_deleted_in_the_admin():
    admin = UserFactory(username="ops2", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    _, company = fixtures.sme()
    assert browser.get("/admin/accounts/company/add/").status_code == 403
    assert browser.get(f"/admin/accounts/company/{company.id}/delete/").status_code == 403
