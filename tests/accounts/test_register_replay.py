"""A replayed registration (issue 28, M2) mints tokens only while the account's password is
still the one registered: after a password change or a deactivation the replay answers the
first user and company without tokens, and the client logs in."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

User = get_user_model()
REGISTER = "/api/v1/auth/register"
PASSWORD = "Velcro-2026-strong"
BODY = {"username": "lin_wei", "password": PASSWORD, "company": {"name": "Lin Caps", "kind": "sme"}}
KEY = {"HTTP_IDEMPOTENCY_KEY": "register-lin-wei-1"}


def _me(access):
    return APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {access}")


@pytest.mark.django_db
def test_register_replay_while_the_password_is_unchanged_answers_with_fresh_tokens():
    api = APIClient()
    first = api.post(REGISTER, BODY, format="json", **KEY)
    replay = api.post(REGISTER, BODY, format="json", **KEY)
    assert (first.status_code, replay.status_code, replay["Idempotent-Replayed"]) == (201, 201, "true")
    assert replay.json()["user"] == first.json()["user"]
    assert replay.json()["access"] != first.json()["access"]
    assert _me(replay.json()["access"]).status_code == 200
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_register_replay_after_a_password_change_answers_without_tokens():
    # given: a registration with a key, then the password changed
    api = APIClient()
    first = api.post(REGISTER, BODY, format="json", **KEY).json()
    changed = api.post(
        "/api/v1/auth/password",
        {"old_password": PASSWORD, "new_password": "Webbing-2027-stronger"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {first['access']}",
    )
    assert changed.status_code == 200
    # when: the same registration comes again (same key, old password, same address)
    replay = api.post(REGISTER, BODY, format="json", **KEY)
    # then: the first answer, without tokens; nothing else was created
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == {"user": first["user"], "company": first["company"]}
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_register_replay_of_a_deactivated_account_answers_without_tokens():
    api = APIClient()
    first = api.post(REGISTER, BODY, format="json", **KEY).json()
    User.objects.filter(id=first["user"]["id"]).update(is_active=False)
    replay = api.post(REGISTER, BODY, format="json", **KEY)
    assert replay.status_code == 201
    assert "access" not in replay.json() and "refresh" not in replay.json()


@pytest.mark.django_db
def test_token_answers_are_never_cached():
    # every answer that carries a token: registration, login, refresh, password change
    api = APIClient()
    registered = api.post(REGISTER, BODY, format="json")
    login = api.post("/api/v1/auth/token", {"username": "lin_wei", "password": PASSWORD}, format="json")
    refreshed = api.post("/api/v1/auth/token/refresh", {"refresh": login.json()["refresh"]}, format="json")
    changed = api.post(
        "/api/v1/auth/password",
        {"old_password": PASSWORD, "new_password": "Webbing-2027-stronger"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}",
    )
    answers = {"register": registered, "token": login, "refresh": refreshed, "password": changed}
    assert {name: r.status_code for name, r in answers.items()} == {
        "register": 201,
        "token": 200,
        "refresh": 200,
        "password": 200,
    }
    assert {name: "no-store" in r.get("Cache-Control", "") for name, r in answers.items()} == dict.fromkeys(
        answers, True
    )
