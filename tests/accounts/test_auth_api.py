import pytest
from django.contrib.auth import get_user_model

from accounts.models import Company, Membership

pytestmark = pytest.mark.django_db
User = get_user_model()

REGISTER = "/api/v1/auth/register"


def _register_body(username="lin_wei", kind="sme", **company):
    return {
        "username": username,
        "password": "Velcro-2026-strong",
        "company": {"name": "Lin Caps", "kind": kind, **company},
    }


def test_register_creates_user_company_membership_and_tokens(api):
    # when
    response = api.post(REGISTER, _register_body(lat=36.27, lng=120.01, address="Jiaozhou"), format="json")
    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "company", "access", "refresh"}
    assert body["user"]["username"] == "lin_wei"
    assert body["company"]["name"] == "Lin Caps"
    assert body["company"]["kind"] == "sme"
    user = User.objects.get(username="lin_wei")
    assert body["user"]["id"] == user.id
    assert Membership.objects.get(user=user).company_id == body["company"]["id"]
    me = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert me.json()["company"]["id"] == body["company"]["id"]


def test_register_factory_creates_an_offline_unverified_profile(api):
    response = api.post(REGISTER, _register_body(kind="factory", lat=36.2, lng=120.0), format="json")
    assert response.status_code == 201
    company = Company.objects.get(id=response.json()["company"]["id"])
    assert company.factory_profile.online is False
    assert company.factory_profile.verified is False
    assert (company.factory_profile.lat, company.factory_profile.lng) == (36.2, 120.0)


def test_register_duplicate_username_is_400_with_field_message(api):
    # given
    assert api.post(REGISTER, _register_body(), format="json").status_code == 201
    # when
    response = api.post(REGISTER, _register_body(), format="json")
    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "username_taken"
    assert error["fields"] == {"username": ["A user with that username already exists."]}
    assert Company.objects.count() == 1


@pytest.mark.parametrize("kind", ["admin", "SME", "", None, 3])
def test_register_unknown_company_kind_is_400(api, kind):
    response = api.post(REGISTER, _register_body(kind=kind), format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]["company"]
    assert User.objects.count() == 0


def test_register_weak_password_is_400_and_creates_nothing(api):
    body = _register_body()
    body["password"] = "123"
    response = api.post(REGISTER, body, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    assert User.objects.count() == 0


def test_register_unknown_field_is_400(api):
    body = {**_register_body(), "is_staff": True}
    response = api.post(REGISTER, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"is_staff": ["Unknown field."]}
    assert User.objects.count() == 0


def test_token_and_refresh_work(api):
    api.post(REGISTER, _register_body(), format="json")
    # when
    tokens = api.post("/api/v1/auth/token", {"username": "lin_wei", "password": "Velcro-2026-strong"}, format="json")
    # then
    assert tokens.status_code == 200
    assert set(tokens.json()) == {"access", "refresh"}
    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens.json()["refresh"]}, format="json")
    assert refreshed.status_code == 200
    assert "access" in refreshed.json()
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "lin_wei"


def test_token_wrong_password_is_401(api):
    api.post(REGISTER, _register_body(), format="json")
    response = api.post("/api/v1/auth/token", {"username": "lin_wei", "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_refresh_with_garbage_token_is_401(api):
    response = api.post("/api/v1/auth/token/refresh", {"refresh": "not-a-token"}, format="json")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_me_without_token_is_401_and_with_bad_token_is_401(api):
    assert api.get("/api/v1/me").status_code == 401
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer abc.def.ghi")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_register_password_like_the_username_is_400_not_500(api):
    # found by schemathesis: the similarity validator needs a real (unsaved) user
    body = _register_body(username="0")
    body["password"] = "0"
    response = api.post(REGISTER, body, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    body["password"] = "hongda-factory-01"
    body["username"] = "hongda-factory-01"
    response = api.post(REGISTER, body, format="json")
    assert response.status_code == 400
    assert any("similar" in m for m in response.json()["error"]["fields"]["password"])
    assert User.objects.count() == 0
