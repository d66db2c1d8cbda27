"""The bearer token's user, read with its membership and company in one written-once
statement (accounts.authentication), is the object the ORM's select_related would give."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.authentication import UserWithCompanyQuery
from accounts.models import Membership
from conftest import client_for
from tests import fixtures

pytestmark = pytest.mark.django_db

User = get_user_model()


def _values(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _orm(user_id):
    return User._default_manager.select_related("membership__company").get(id=user_id)


def test_token_user_is_the_orms_user_membership_and_company_in_one_query():
    # given: an SME (its company has a location, an address and a creation time)
    user, company = fixtures.sme()
    expected = _orm(user.id)
    # when
    with CaptureQueriesContext(connection) as queries:
        loaded = UserWithCompanyQuery(User).objects.get(id=str(user.id))  # the token's claim is text
        membership, loaded_company = loaded.membership, loaded.membership.company
        back = membership.user
    # then: one query, the same field values, the same related objects cached
    assert len(queries) == 1
    assert _values(loaded) == _values(expected)
    assert _values(membership) == _values(expected.membership)
    assert _values(loaded_company) == _values(expected.membership.company)
    assert loaded_company.id == company.id and back is loaded
    assert loaded._state.adding is False and loaded._state.db == "default"


def test_token_user_without_a_company_says_so_without_another_query():
    # given: a platform admin acts for no company
    admin = fixtures.admin_user()
    # when
    with CaptureQueriesContext(connection) as queries:
        loaded = UserWithCompanyQuery(User).objects.get(id=admin.id)
        with pytest.raises(Membership.DoesNotExist):
            loaded.membership  # noqa: B018 - the access is the check
    # then: as select_related's object behaves
    assert len(queries) == 1
    assert _values(loaded) == _values(_orm(admin.id))
    with pytest.raises(Membership.DoesNotExist):
        _orm(admin.id).membership  # noqa: B018


@pytest.mark.parametrize("user_id", [987_654_321, "not-a-number", None, float("inf"), 2**70, -(2**70)])
def test_token_user_that_does_not_exist_is_does_not_exist(user_id):
    with pytest.raises(User.DoesNotExist):
        UserWithCompanyQuery(User).objects.get(id=user_id)


def test_token_of_a_deactivated_user_or_a_changed_password_is_refused():
    # given: two users with valid tokens
    user, _ = fixtures.sme()
    other, _ = fixtures.sme()
    active, changed = client_for(user), client_for(other)
    assert active.get("/api/v1/me").status_code == 200
    # when: one is deactivated, the other's password changes
    User.objects.filter(id=user.id).update(is_active=False)
    other.set_password("a-new-Secret-456")
    other.save()
    # then: both tokens are refused in the contract's error shape
    for client in (active, changed):
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert "error" in response.json()
