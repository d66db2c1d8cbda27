from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Company
from conftest import client_for
from core.idempotency import idempotency_records_purge
from core.models import IdempotencyRecord
from orders.models import Job
from tests import fixtures

User = get_user_model()
REGISTER = "/api/v1/auth/register"


def _body(username="wang_fang"):
    return {"username": username, "password": "Strap-2026-strong", "company": {"name": "Wang Hats", "kind": "sme"}}


@pytest.mark.django_db
def test_idempotency_replay_returns_identical_response_and_one_effect(api):
    # given
    first = api.post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    # when
    second = api.post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    # then
    assert first.status_code == second.status_code == 201
    assert {k: second.json()[k] for k in ("user", "company")} == {k: first.json()[k] for k in ("user", "company")}
    assert second["Idempotent-Replayed"] == "true"
    assert User.objects.count() == 1
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_register_stores_no_tokens_and_a_replay_gets_fresh_working_ones(api):
    # given: a registration with a key
    first = api.post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="reg-2")
    # when: it is replayed
    second = api.post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="reg-2")
    # then: the stored response holds no secret, and the replay's tokens work
    stored = IdempotencyRecord.objects.get(key="reg-2").response_body
    assert set(stored) == {"user", "company"}
    assert first.json()["refresh"] not in str(stored) and first.json()["access"] not in str(stored)
    assert second.json()["access"] != first.json()["access"]
    me = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {second.json()['access']}")
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "wang_fang"


@pytest.mark.django_db
def test_idempotency_same_key_other_body_is_422_and_changes_nothing(api):
    api.post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    # when
    response = api.post(REGISTER, _body("someone_else"), format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    # then
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert list(User.objects.values_list("username", flat=True)) == ["wang_fang"]


@pytest.mark.django_db
def test_idempotency_failed_request_is_not_stored_so_a_retry_runs(api):
    bad = _body()
    bad["password"] = "1"
    assert api.post(REGISTER, bad, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert IdempotencyRecord.objects.count() == 0
    # a corrected request may not reuse the key with another body, but the same body reruns
    assert api.post(REGISTER, bad, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_idempotency_key_too_long_is_400(api):
    response = api.post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_idempotency_key_expires_after_24_hours(api):
    api.post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    # when: the same key, another body, a day later is a new request
    response = api.post(REGISTER, _body("next_day"), format="json", HTTP_IDEMPOTENCY_KEY="old")
    # then
    assert response.status_code == 201
    assert User.objects.count() == 2


@pytest.mark.django_db
def test_idempotency_purge_deletes_only_expired_records():
    fresh = IdempotencyRecord.objects.create(
        scope="anon", key="a", method="POST", path="/", request_hash="h", response_status=201
    )
    old = IdempotencyRecord.objects.create(
        scope="anon", key="b", method="POST", path="/", request_hash="h", response_status=201
    )
    IdempotencyRecord.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("id", flat=True)) == [fresh.id]


@pytest.mark.django_db(transaction=True)
def test_idempotency_concurrent_replay_has_one_effect():
    # given: several clients fire the same key and body at the same moment
    responses = fixtures.concurrently(
        lambda: APIClient().post(REGISTER, _body(), format="json", HTTP_IDEMPOTENCY_KEY="race"), 4
    )
    # then
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["user"]["id"] for r in responses}) == 1
    assert User.objects.count() == 1
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_key_with_control_characters_is_400():
    user, _ = fixtures.sme()
    response = client_for(user).post("/api/v1/jobs/quote", {}, format="json", HTTP_IDEMPOTENCY_KEY="k\u0000")
    assert response.status_code in (400, 403)
    body = fixtures.VELCRO_SPEC
    posted = client_for(user).post(
        "/api/v1/jobs",
        {
            "process": "velcro_sewing",
            "quantity": 10,
            "spec": body,
            "deadline": (timezone.now() + timedelta(days=2)).isoformat(),
            "unit_price_fen": 15,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="bad\u0000key",
    )
    assert posted.status_code == 400
    assert posted.json()["error"]["code"] == "invalid_idempotency_key"
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_idempotency_anonymous_keys_of_different_clients_do_not_collide():
    body = {"username": "a1", "password": "Strap-2026-strong", "company": {"name": "A", "kind": "sme"}}
    other = {"username": "b1", "password": "Strap-2026-strong", "company": {"name": "B", "kind": "sme"}}
    first = APIClient(REMOTE_ADDR="10.0.0.1").post(
        "/api/v1/auth/register", body, format="json", HTTP_IDEMPOTENCY_KEY="1"
    )
    second = APIClient(REMOTE_ADDR="10.0.0.2").post(
        "/api/v1/auth/register", other, format="json", HTTP_IDEMPOTENCY_KEY="1"
    )
    assert (first.status_code, second.status_code) == (201, 201)
