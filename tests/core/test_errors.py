from datetime import timedelta

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from conftest import client_for
from core.throttling import AnonRateThrottle
from orders.models import Job
from tests import fixtures

pytestmark = pytest.mark.django_db


def _assert_error_shape(response, status, code=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code


def test_unknown_path_is_json_404(api):
    _assert_error_shape(api.get("/api/v1/no-such-thing"), 404, "not_found")
    _assert_error_shape(api.get("/definitely/not/here"), 404, "not_found")


def test_wrong_method_is_json_405(api):
    _assert_error_shape(api.delete("/api/v1/auth/register"), 405, "method_not_allowed")


def test_broken_json_is_400_parse_error(api):
    response = api.generic("POST", "/api/v1/auth/register", '{"username": ', content_type="application/json")
    _assert_error_shape(response, 400, "parse_error")


def test_non_json_media_type_is_415(api):
    response = api.generic(
        "POST", "/api/v1/auth/register", "username=x", content_type="application/x-www-form-urlencoded"
    )
    _assert_error_shape(response, 415, "unsupported_media_type")


def test_trailing_slash_is_optional_without_redirect(api):
    assert api.get("/healthz").status_code == 200
    assert api.get("/healthz/").status_code == 200
    assert api.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me/").status_code == 401


def test_throttled_requests_get_429_in_error_shape(api, monkeypatch):
    # given: a tight anonymous rate (the class reads its rates at import time)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "1000/min", "login": "100/min"})
    body = {"username": "x", "password": "y"}
    statuses = [api.post("/api/v1/auth/token", body, format="json").status_code for _ in range(4)]
    # then
    assert statuses[:3] == [401, 401, 401]
    response = api.post("/api/v1/auth/token", body, format="json")
    _assert_error_shape(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_deeply_nested_json_is_400_not_500():
    response = APIClient().generic(
        "POST", "/api/v1/auth/register", "[" * 100000 + "]" * 100000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_lone_surrogate_in_a_body_is_400_with_or_without_idempotency_key():
    user, company = fixtures.sme()
    job = fixtures.job((user, company))
    body = '{"reason": "\\ud800"}'  # valid JSON, but an unpaired surrogate is no text
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "k1"}):
        response = client_for(user).generic(
            "POST", f"/api/v1/jobs/{job.id}/cancel", body, content_type="application/json", **headers
        )
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "parse_error"
    assert Job.objects.get(id=job.id).status == "open"


@pytest.mark.parametrize("path", ["/api/v1/auth/register", "/api/v1/auth/token/refresh", "/api/v1/auth/token"])
def test_json_nested_400_deep_is_400_on_anonymous_endpoints(path):
    # 2.4 kB of nesting: deep enough to blow a recursive walk, small enough to pass the parser
    body = '{"a":' * 400 + "1" + "}" * 400
    response = APIClient().generic("POST", path, body, content_type="application/json")
    _assert_error_shape(response, 400, "parse_error")
    assert "nested deeper than 32 levels" in response.json()["error"]["message"]


def test_json_nested_just_within_the_limit_reaches_validation():
    body = '{"a":' * 30 + "1" + "}" * 30
    response = APIClient().generic("POST", "/api/v1/auth/register", body, content_type="application/json")
    _assert_error_shape(response, 400, "invalid")


ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_error_messages_follow_accept_language_codes_stay_english():
    # given: an SME, and a job of its that a factory has taken
    owner = fixtures.sme()
    factory_user, _factory = fixtures.factory()
    job = fixtures.job(owner)
    assert client_for(factory_user).post(f"/api/v1/board/{job.id}/accept", {}, format="json").status_code == 201
    client = client_for(owner[0])
    # when: a job that does not exist, and a cancel the job's state refuses, in Chinese
    missing = client.get("/api/v1/jobs/999999", **ZH)
    refused = client.post(f"/api/v1/jobs/{job.id}/cancel", {}, format="json", **ZH)
    # then: the messages are Chinese, the codes and the shape unchanged
    _assert_error_shape(missing, 404, "not_found")
    assert missing.json()["error"]["message"] == "没有这个订单。"
    _assert_error_shape(refused, 409, "job_not_in_a_state_that_allows_this")
    assert refused.json()["error"]["message"] == "订单当前状态为“已分配”；此操作需要状态为“待付款”或“待接单”。"
    assert refused.json()["error"]["fields"] == {"status": ["assigned"]}
    # and without the header they stay English
    assert client.get("/api/v1/jobs/999999").json()["error"]["message"] == "No such job."
    english = client.post(f"/api/v1/jobs/{job.id}/cancel", {}, format="json").json()["error"]["message"]
    assert english == "The job is assigned; this needs it to be awaiting payment or open."
    assert Job.objects.get(id=job.id).status == "assigned"


def test_validation_and_framework_errors_in_chinese(api):
    # a field error of a serializer, and Django's own 404, both in the request's language
    response = api.post("/api/v1/auth/token", {}, format="json", **ZH)
    _assert_error_shape(response, 400, "invalid")
    assert response.json()["error"]["fields"]["username"] == ["该字段是必填项。"]
    unknown = api.get("/definitely/not/here", **ZH)
    _assert_error_shape(unknown, 404, "not_found")
    assert unknown.json()["error"]["message"] == "未找到。"


def test_the_401s_an_app_tells_apart_each_in_chinese_and_english(api):
    # given: an account, and a token of it that has expired
    user, _company = fixtures.sme()
    expired = RefreshToken.for_user(user).access_token
    expired.set_exp(lifetime=timedelta(seconds=-1))
    # when: a wrong password, an expired token, a token that is no token, a used-up refresh
    # token and no token at all, in Chinese
    wrong = api.post("/api/v1/auth/token", {"username": user.username, "password": "wrong"}, format="json", **ZH)
    stale = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {expired}", **ZH)
    garbage = api.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer abc.def.ghi", **ZH)
    refresh = str(RefreshToken.for_user(user))
    assert api.post("/api/v1/auth/token/refresh", {"refresh": refresh}, format="json").status_code == 200
    used = api.post("/api/v1/auth/token/refresh", {"refresh": refresh}, format="json", **ZH)
    missing = api.get("/api/v1/me", **ZH)
    # then: three codes, every message Chinese
    _assert_error_shape(wrong, 401, "invalid_credentials")
    assert wrong.json()["error"]["message"] == "用户名或密码错误，或账户已停用"
    _assert_error_shape(stale, 401, "token_not_valid")
    assert stale.json()["error"]["message"] == "令牌无效或已过期，请刷新令牌或重新登录"
    _assert_error_shape(garbage, 401, "token_not_valid")
    _assert_error_shape(used, 401, "token_not_valid")
    assert used.json()["error"]["message"] == "令牌已失效（已被使用或撤销）"
    _assert_error_shape(missing, 401, "not_authenticated")
    assert missing.json()["error"]["message"] == "身份认证信息未提供。"
    # and in English the same codes, English messages
    english = api.post("/api/v1/auth/token", {"username": user.username, "password": "wrong"}, format="json")
    assert english.json()["error"] == {
        "code": "invalid_credentials",
        "message": "No active account found with the given credentials",
        "fields": {},
    }
    assert api.get("/api/v1/me").json()["error"]["message"] == "Authentication credentials were not provided."


def test_a_wrong_role_is_403_in_chinese():
    # given: a factory account
    factory_user, _factory = fixtures.factory()
    # when: it posts a job (an SME's act), in Chinese and in English
    chinese = client_for(factory_user).post("/api/v1/jobs", {}, format="json", **ZH)
    english = client_for(factory_user).post("/api/v1/jobs", {}, format="json")
    # then
    _assert_error_shape(chinese, 403, "forbidden")
    assert chinese.json()["error"]["message"] == "只有中小企业账户可以执行此操作。"
    assert english.json()["error"]["message"] == "Only SME accounts may do this."


@pytest.mark.parametrize(
    ("body", "chinese", "english"),
    [
        (
            '{"username": ',
            "请求体不是有效的 JSON（第 1 行，第 14 列）。",
            "The request body is not valid JSON (line 1, column 14).",
        ),
        (
            '{"a": NaN}',
            "请求体不是有效的 JSON（请发送 UTF-8 编码的 JSON 对象）。",
            "The request body is not valid JSON (send a JSON object in UTF-8).",
        ),
        (
            '{"a":' * 40 + "1" + "}" * 40,
            "请求体不是可用的 JSON：嵌套超过 32 层。",
            "The request body is not usable JSON: nested deeper than 32 levels.",
        ),
    ],
)
def test_a_body_that_is_not_json_says_so_in_the_request_language(api, body, chinese, english):
    # when: the same broken body, in Chinese and in English
    zh = api.generic("POST", "/api/v1/auth/token", body, content_type="application/json", **ZH)
    en = api.generic("POST", "/api/v1/auth/token", body, content_type="application/json")
    # then: a clean message where it broke, no Python exception text
    _assert_error_shape(zh, 400, "parse_error")
    assert zh.json()["error"]["message"] == chinese
    assert en.json()["error"]["message"] == english


def test_a_conflict_names_states_in_the_language_asked_and_keeps_the_code_in_fields():
    # given: a job its SME cancelled ("cancelled" is also a word the catalogue translates)
    owner = fixtures.sme()
    job = fixtures.job(owner)
    client = client_for(owner[0])
    assert client.post(f"/api/v1/jobs/{job.id}/cancel", {}, format="json").status_code == 200
    # when: the SME disputes it, in Chinese and in English
    chinese = client.post(f"/api/v1/jobs/{job.id}/dispute", {"reason": "late"}, format="json", **ZH)
    english = client.post(f"/api/v1/jobs/{job.id}/dispute", {"reason": "late"}, format="json")
    # then: the message names both states as a person reads them; the code and the status stay codes
    _assert_error_shape(chinese, 409, "job_not_delivered")
    assert chinese.json()["error"]["message"] == "订单当前状态为“已取消”；此操作需要状态为“已交付”。"
    assert chinese.json()["error"]["fields"] == {"status": ["cancelled"]}
    assert english.json()["error"] == {
        "code": "job_not_delivered",
        "message": "The job is cancelled; this needs it to be delivered.",
        "fields": {"status": ["cancelled"]},
    }
