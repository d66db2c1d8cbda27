"""Phones and their push tokens (issue 28, L3): another account's token moves to the caller
only after a fresh login, the move is told to the previous company, and a phone gets no
pushes once its user's password changed or the user was deactivated."""

import time

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.services import notification_send, password_change
from core.models import StreamEvent
from realtime import services as realtime_services
from realtime.models import Device, PushMessage
from tests import fixtures

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"platform": "android", "token": "fcm-shared-phone-0001"}


def _bearer(access) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _logged_in_seconds_ago(user, seconds) -> APIClient:
    refresh = RefreshToken.for_user(user)
    refresh["auth_time"] = int(time.time()) - seconds
    return _bearer(refresh.access_token)


def _fresh_login(user) -> APIClient:
    tokens = APIClient().post(
        "/api/v1/auth/token", {"username": user.username, "password": "pw-Secret-123"}, format="json"
    )
    assert tokens.status_code == 200
    return _bearer(tokens.json()["access"])


def _notice(company_id):
    return notification_send(company_id=company_id, kind="k", message="消息 message")


@pytest.mark.parametrize("login", ["refreshed token, no login time", "login 11 minutes ago"])
def test_device_token_of_another_account_does_not_move_without_a_fresh_login(login):
    # given: a phone registered by a factory's user
    owner, owner_company = fixtures.factory()
    assert _fresh_login(owner).post("/api/v1/devices", PHONE, format="json").status_code == 201
    # when: another company's user, signed in long ago, registers the same push token
    other, _ = fixtures.sme()
    client = _bearer(RefreshToken.for_user(other).access_token) if login.startswith("refreshed") else None
    client = client or _logged_in_seconds_ago(other, 11 * 60)
    response = client.post("/api/v1/devices", PHONE, format="json")
    # then: 409, and the phone is still the owner's
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "device_registered_elsewhere"
    device = Device.objects.get()
    assert (device.user_id, device.company_id) == (owner.id, owner_company.id)
    assert not StreamEvent.objects.filter(company_id=owner_company.id, type="notification").exists()


def test_device_moves_after_a_fresh_login_and_the_previous_company_is_told():
    # given: a phone registered by a factory's user
    owner, owner_company = fixtures.factory()
    assert _fresh_login(owner).post("/api/v1/devices", PHONE, format="json").status_code == 201
    # when: someone signs in on that phone as another company's user and registers it
    other, other_company = fixtures.sme()
    response = _fresh_login(other).post("/api/v1/devices", PHONE, format="json")
    # then: the phone is theirs; the owner's company is told; its events no longer go there
    assert response.status_code == 200
    device = Device.objects.get()
    assert (device.user_id, device.company_id) == (other.id, other_company.id)
    told = StreamEvent.objects.get(company_id=owner_company.id, type="notification")
    assert told.data["kind"] == "device_moved" and owner.username in told.data["message"]
    assert realtime_services.push_for_events(event_ids=[_notice(owner_company.id).id]) == (0, 0)
    assert realtime_services.push_for_events(event_ids=[_notice(other_company.id).id]) == (1, 0)


@pytest.mark.parametrize("change", ["password changed", "deactivated"])
def test_device_gets_no_pushes_after_its_users_password_changed_or_deactivation(change):
    # given: a phone receiving its company's pushes
    owner, company = fixtures.factory()
    realtime_services.device_register(user=owner, company=company, **PHONE)
    assert realtime_services.push_for_events(event_ids=[_notice(company.id).id]) == (1, 0)
    # when: the password changes (a stolen token's phone among them) or the user is deactivated
    if change == "password changed":
        password_change(user=owner, old_password="pw-Secret-123", new_password="another-Secret-456")
    else:
        type(owner).objects.filter(id=owner.id).update(is_active=False)
    # then: no more pushes to that phone
    assert realtime_services.push_for_events(event_ids=[_notice(company.id).id]) == (0, 0)
    assert PushMessage.objects.count() == 1


def test_device_registered_again_after_a_password_change_gets_pushes_again():
    owner, company = fixtures.factory()
    realtime_services.device_register(user=owner, company=company, **PHONE)
    password_change(user=owner, old_password="pw-Secret-123", new_password="another-Secret-456")
    owner.refresh_from_db()
    realtime_services.device_register(user=owner, company=company, **PHONE)
    assert realtime_services.push_for_events(event_ids=[_notice(company.id).id]) == (1, 0)
