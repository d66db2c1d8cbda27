"""Wrong old passwords on ``POST /auth/password`` (issue 28, L1): counted per account whatever
the address (LOGIN_FAILURE_LIMIT, then 429 ``locked_out``), and as failed logins in
django-axes, whose lockout of that username and address then refuses the login too."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

User = get_user_model()
PASSWORD = "Velcro-2026-strong"
NEW = "Webbing-2027-stronger"


def _registered(api):
    body = {"username": "lin_wei", "password": PASSWORD, "company": {"name": "Lin Caps", "kind": "sme"}}
    return api.post("/api/v1/auth/register", body, format="json").json()


def _change(access, old, address):
    return APIClient().post(
        "/api/v1/auth/password",
        {"old_password": old, "new_password": NEW},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("wrong", "then"), [(5, 429), (4, 200)])
def test_password_change_wrong_old_passwords_from_many_addresses_lock_the_account(settings, wrong, then):
    # given: a stolen access token, and an attacker with an address per guess
    settings.TRUSTED_PROXIES = 1
    access = _registered(APIClient())["access"]
    # when: wrong guesses from as many addresses, then the right password from another
    guesses = [_change(access, f"guess-{n}-xxxxxx", f"203.0.113.{n}").status_code for n in range(wrong)]
    right = _change(access, PASSWORD, "203.0.113.99")
    # then: five lock the account's password changes (the password stays); four do not
    assert guesses == [400] * wrong
    assert right.status_code == then
    if then == 429:
        assert right.json()["error"]["code"] == "locked_out"
    assert User.objects.get(username="lin_wei").check_password(PASSWORD if then == 429 else NEW)


@pytest.mark.django_db
def test_password_change_wrong_old_passwords_lock_that_address_out_of_the_login():
    # given: five wrong old passwords from one address
    api = APIClient()
    access = _registered(api)["access"]
    statuses = [_change(access, f"guess-{n}-xxxxxx", "127.0.0.1").status_code for n in range(5)]
    # when: the login from that address, with the right password
    login = api.post("/api/v1/auth/token", {"username": "lin_wei", "password": PASSWORD}, format="json")
    # then: axes counted the guesses as failed logins of that username from that address
    assert statuses == [400, 400, 400, 400, 429]
    assert login.status_code == 429
    assert login.json()["error"]["code"] == "locked_out"
