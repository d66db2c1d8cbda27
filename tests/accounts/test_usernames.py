"""One canonical username (issue 28, M1): registration, login, the login throttle and the
axes lockout all compare ``strip(NFKC(name)).casefold()``, and a username that is no text is
a 400 before any password is checked."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.api.tokens import LoginRateThrottle
from accounts.identity import canonical_username
from tests.fixtures import UserFactory

User = get_user_model()
TOKEN = "/api/v1/auth/token"
REGISTER = "/api/v1/auth/register"
PASSWORD = "Velcro-2026-strong"
# What the attacker of issue 28 sent: each a "new" username to the old per-username counter.
VARIANTS = [" name", "name\t", "\u3000name", "name\u2003", "NAME", "ｎａｍｅ", " Name\u3000"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_canonical_username_of_every_variant_is_the_name(variant):
    assert canonical_username(variant) == "name"


@pytest.mark.django_db
def test_login_throttle_counts_white_space_and_case_variants_as_one_username(monkeypatch, settings):
    # given: 3 login attempts a minute per username, and an attacker rotating addresses
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"anon": "1000/min", "user": "1000/min", "login": "3/min"})
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="name", password=PASSWORD)
    # when: each attempt spells the name another way, from another address
    statuses = [
        APIClient()
        .post(TOKEN, {"username": v, "password": "wrong-1"}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .status_code
        for n, v in enumerate(VARIANTS[:5])
    ]
    # then: the fourth and fifth are the same username's 4th and 5th attempts
    assert statuses == [401, 401, 401, 429, 429]


@pytest.mark.django_db
def test_lockout_counts_variants_of_one_name_and_refuses_the_right_password():
    # given: an account and five wrong passwords, each under another spelling of its name
    UserFactory(username="name", password=PASSWORD)
    api = APIClient()
    wrong = [
        api.post(TOKEN, {"username": variant, "password": f"nope-{n}-xxxxx"}, format="json").status_code
        for n, variant in enumerate(["name ", "NAME", "\u3000Name", "ｎａｍｅ", "name\u2003"])
    ]
    # when: the right password comes, spelt plainly
    right = api.post(TOKEN, {"username": "name", "password": PASSWORD}, format="json")
    # then: the pair is locked out, recorded under the one canonical name
    assert wrong == [401, 401, 401, 401, 429]
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "locked_out"
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["name"]


@pytest.mark.django_db
@pytest.mark.parametrize("variant", [" name\u3000", "NAME", "ｎａｍｅ"])
def test_login_with_a_variant_of_the_name_logs_that_account_in(variant):
    user = UserFactory(username="name", password=PASSWORD)
    response = APIClient().post(TOKEN, {"username": variant, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    me = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.json()["user"] == {"id": user.id, "username": "name"}


@pytest.mark.django_db
@pytest.mark.parametrize("username", [12345, 1.5, True, None, ["name"], {"name": 1}])
def test_login_with_a_username_that_is_not_text_is_400_and_no_attempt(username):
    UserFactory(username="12345", password=PASSWORD)
    response = APIClient().post(TOKEN, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["username"]
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_register_with_a_username_that_is_not_text_is_400_and_creates_nothing():
    body = {"username": 12345, "password": PASSWORD, "company": {"name": "Lin Caps", "kind": "sme"}}
    response = APIClient().post(REGISTER, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["username"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_strips_white_space_and_a_variant_of_a_taken_name_is_taken():
    api = APIClient()
    company = {"name": "Lin Caps", "kind": "sme"}
    first = api.post(REGISTER, {"username": "\u3000lin\u2003", "password": PASSWORD, "company": company}, format="json")
    again = api.post(REGISTER, {"username": " LIN", "password": PASSWORD, "company": company}, format="json")
    assert first.status_code == 201 and first.json()["user"]["username"] == "lin"
    assert again.status_code == 400 and again.json()["error"]["code"] == "username_taken"
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", [["name"], "name", 5])
def test_login_with_a_body_that_is_no_object_is_400(body):
    response = APIClient().post(TOKEN, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid", "parse_error")


def test_axes_username_of_a_body_that_is_no_object_is_empty():
    from types import SimpleNamespace

    from accounts.identity import axes_username

    assert axes_username(SimpleNamespace(data=["name"], POST={}), None) == ""
    assert axes_username(SimpleNamespace(data={"username": " NAME\u3000"}, POST={}), None) == "name"
    assert axes_username(None, {"username": 12345}) == ""
