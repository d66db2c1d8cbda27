"""The front door (issue 10): throttles that hold, lockout, revocable tokens, exact passwords,
usernames that cannot impersonate."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from accounts.api.tokens import LoginRateThrottle
from core.throttling import AnonRateThrottle
from tests import fixtures
from tests.fixtures import UserFactory

User = get_user_model()
REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
PASSWORD = "Velcro-2026-strong"


def _register(api, username="lin_wei", password=PASSWORD):
    body = {"username": username, "password": password, "company": {"name": "Lin Caps", "kind": "sme"}}
    return api.post(REGISTER, body, format="json")


def _bearer(access):
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


# --- throttles -------------------------------------------------------------------------


@pytest.mark.django_db
def test_throttle_rotating_x_forwarded_for_does_not_escape_the_limit(monkeypatch):
    # given: 3 anonymous requests a minute, and no trusted proxy (the default)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "1000/min", "login": "1000/min"})
    api = APIClient()
    # when: every request claims another client address
    statuses = [api.post(REGISTER, {}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(5)]
    # then: they are one client, the socket's
    assert statuses == [400, 400, 400, 429, 429]


@pytest.mark.django_db
def test_throttle_with_one_trusted_proxy_keys_on_the_address_it_saw(monkeypatch, settings):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "1000/min", "login": "1000/min"})
    settings.TRUSTED_PROXIES = 1
    api = APIClient()
    # the client's own X-Forwarded-For entries come first; the proxy appends the real address last
    first = [
        api.post(REGISTER, {}, format="json", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.7").status_code
        for n in range(3)
    ]
    other = api.post(REGISTER, {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code
    assert (first, other) == ([400, 400, 429], 400)


@pytest.mark.django_db(transaction=True)
def test_throttle_20_parallel_logins_cannot_pass_a_limit_of_10(monkeypatch):
    # given: a login limit of 10 a minute and an account
    monkeypatch.setattr(
        LoginRateThrottle, "THROTTLE_RATES", {"anon": "1000/min", "user": "1000/min", "login": "10/min"}
    )
    UserFactory(username="racer", password=PASSWORD)
    # when: 20 logins at the same instant
    statuses = fixtures.concurrently(
        lambda: APIClient().post(TOKEN, {"username": "racer", "password": PASSWORD}, format="json").status_code, 20
    )
    # then: no more than 10 get through (two counters, per address and per username, may
    # each refuse a request the other let pass, so under a race it can be fewer), the rest 429
    assert 1 <= statuses.count(200) <= 10, statuses
    assert statuses.count(200) + statuses.count(429) == 20, statuses


@pytest.mark.django_db
def test_throttle_login_is_counted_per_username_across_addresses(monkeypatch, settings):
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"anon": "1000/min", "user": "1000/min", "login": "3/min"})
    settings.TRUSTED_PROXIES = 1
    body = {"username": "Someone", "password": "wrong-password-123"}
    statuses = [
        APIClient().post(TOKEN, body, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(5)
    ]
    assert statuses[3:] == [429, 429]


# --- lockout -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_lockout_api_login_after_five_wrong_passwords_refuses_even_the_right_one():
    UserFactory(username="victim", password=PASSWORD)
    api = APIClient()
    wrong = [api.post(TOKEN, {"username": "victim", "password": f"nope-{n}-xxxxx"}, format="json") for n in range(5)]
    assert [r.status_code for r in wrong] == [401] * 4 + [429]
    right = api.post(TOKEN, {"username": "victim", "password": PASSWORD}, format="json")
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "locked_out"
    assert "15 minutes" in right.json()["error"]["message"]


@pytest.mark.django_db
def test_lockout_django_admin_locks_after_five_wrong_passwords():
    UserFactory(username="boss", password=PASSWORD, is_staff=True, is_superuser=True)
    browser = Client()
    for n in range(5):
        browser.post("/admin/login/", {"username": "boss", "password": f"wrong-{n}", "next": "/admin/"})
    response = browser.post("/admin/login/", {"username": "boss", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429
    assert "Locked out" in response.content.decode()
    assert browser.get("/admin/").status_code == 302  # still not logged in


@pytest.mark.django_db
def test_lockout_an_admin_unlocks_by_deleting_the_access_attempt():
    from axes.models import AccessAttempt

    UserFactory(username="victim2", password=PASSWORD)
    api = APIClient()
    for n in range(5):
        api.post(TOKEN, {"username": "victim2", "password": f"nope-{n}-xxxxx"}, format="json")
    AccessAttempt.objects.filter(username="victim2").delete()
    assert api.post(TOKEN, {"username": "victim2", "password": PASSWORD}, format="json").status_code == 200


# --- tokens ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refresh_rotates_and_a_used_refresh_token_is_401():
    api = APIClient()
    first = _register(api).json()
    rotated = api.post("/api/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first["refresh"]
    again = api.post("/api/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json")
    assert again.status_code == 401
    assert api.get("/api/v1/me", **_bearer(rotated.json()["access"])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_refresh_token_used_twice_at_once_succeeds_once():
    api = APIClient()
    refresh = _register(api).json()["refresh"]
    statuses = fixtures.concurrently(
        lambda: APIClient().post("/api/v1/auth/token/refresh", {"refresh": refresh}, format="json").status_code, 8
    )
    assert sorted(statuses) == [200] + [401] * 7


@pytest.mark.django_db
def test_logout_revokes_that_refresh_token():
    api = APIClient()
    tokens = _register(api).json()
    response = api.post(
        "/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json", **_bearer(tokens["access"])
    )
    assert response.status_code == 204
    assert api.post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 401


@pytest.mark.django_db
def test_logout_with_someone_elses_refresh_token_is_400_and_revokes_nothing():
    api = APIClient()
    mine = _register(api, "lin_a").json()
    theirs = _register(api, "wang_b").json()
    response = api.post("/api/v1/auth/logout", {"refresh": theirs["refresh"]}, format="json", **_bearer(mine["access"]))
    assert response.status_code == 400
    assert api.post("/api/v1/auth/token/refresh", {"refresh": theirs["refresh"]}, format="json").status_code == 200


@pytest.mark.django_db
def test_password_change_refuses_every_earlier_token_and_returns_working_ones():
    api = APIClient()
    old = _register(api).json()
    response = api.post(
        "/api/v1/auth/password",
        {"old_password": PASSWORD, "new_password": "Webbing-2027-stronger"},
        format="json",
        **_bearer(old["access"]),
    )
    assert response.status_code == 200
    assert api.get("/api/v1/me", **_bearer(old["access"])).status_code == 401
    assert api.post("/api/v1/auth/token/refresh", {"refresh": old["refresh"]}, format="json").status_code == 401
    assert api.get("/api/v1/me", **_bearer(response.json()["access"])).status_code == 200
    assert (
        api.post(TOKEN, {"username": "lin_wei", "password": "Webbing-2027-stronger"}, format="json").status_code == 200
    )


@pytest.mark.django_db
def test_password_change_with_a_wrong_old_password_is_400_and_changes_nothing():
    api = APIClient()
    tokens = _register(api).json()
    response = api.post(
        "/api/v1/auth/password",
        {"old_password": "not-it-123456", "new_password": "Webbing-2027-stronger"},
        format="json",
        **_bearer(tokens["access"]),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"old_password": ["Wrong password."]}
    assert api.get("/api/v1/me", **_bearer(tokens["access"])).status_code == 200


# --- passwords and usernames -------------------------------------------------------------


@pytest.mark.django_db
def test_password_with_a_trailing_space_logs_in_exactly_as_registered():
    api = APIClient()
    assert _register(api, password="Velcro-2026-strong ").status_code == 201
    assert api.post(TOKEN, {"username": "lin_wei", "password": "Velcro-2026-strong "}, format="json").status_code == 200
    assert api.post(TOKEN, {"username": "lin_wei", "password": "Velcro-2026-strong"}, format="json").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("password", [" " * 10, "ab" + " " * 12, "\t\n" * 6])
def test_password_of_mostly_blanks_is_400(password):
    response = _register(APIClient(), password=password)
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("twin", ["ACCEPTADMIN", "AcceptAdmin", "ａｃｃｅｐｔａｄｍｉｎ", "acceptаdmin"])
def test_username_that_folds_to_or_mimics_a_taken_one_is_400(twin):
    api = APIClient()
    assert _register(api, "acceptadmin").status_code == 201
    response = _register(api, twin)
    assert response.status_code == 400, twin
    assert "username" in response.json()["error"]["fields"]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_username_in_chinese_registers():
    assert _register(APIClient(), "林氏帽业").status_code == 201


@pytest.mark.django_db
def test_throttle_django_admin_logins_share_the_login_rate(monkeypatch):
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"anon": "1000/min", "user": "1000/min", "login": "3/min"})
    browser = Client()
    statuses = [
        browser.post("/admin/login/", {"username": f"guess{n}", "password": "x", "next": "/admin/"}).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]  # 200: the login form again, with its error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/auth/logout", {"refresh": "x"}), ("/api/v1/auth/password", {"old_password": "a", "new_password": "b"})],
)
def test_token_endpoints_without_a_token_are_401_in_the_error_shape(path, body):
    response = APIClient().post(path, body, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
