"""Health, OpenAPI schema, configuration and the compose file."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_redis(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json()["db"] == "ok"
    assert response.json()["database"] == "postgresql"
    assert response.json()["redis"] == "ok"  # the test run always has REDIS_URL


def test_openapi_schema_and_docs_are_served(api, admin_user):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/register" in schema.content
    docs = api.get("/api/docs")
    assert docs.status_code == 200


def test_openapi_schema_generates_without_warnings():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", os.devnull],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr
    assert "Error" not in result.stderr


def _django_check(**env):
    full = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    full.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup(); print('ok')"],
        cwd=ROOT,
        env={**full, "DJANGO_SETTINGS_MODULE": "marketplace.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dev_secret_key_is_refused_when_debug_is_off():
    refused = _django_check(DEBUG="0")
    assert refused.returncode != 0
    assert "SECRET_KEY is the development key" in refused.stderr
    allowed_debug = _django_check(DEBUG="1")
    assert allowed_debug.returncode == 0, allowed_debug.stderr
    allowed_key = _django_check(DEBUG="0", SECRET_KEY="a-real-production-key")
    assert allowed_key.returncode == 0, allowed_key.stderr


def test_compose_file_wires_every_process_with_the_variables():
    compose = yaml.safe_load(Path(ROOT, "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat", "proxy"}
    assert "gunicorn marketplace.asgi:application -k marketplace.server.UvicornWorker" in services["web"]["command"]
    # the internet reaches web only through the proxy, which web trusts as one proxy
    assert "ports" not in services["web"]
    assert services["proxy"]["image"].startswith("nginx")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-1}"
    assert services["worker"]["command"].startswith("celery -A marketplace worker")
    assert services["beat"]["command"].startswith("celery -A marketplace beat")
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379")
        for variable in (
            "SECRET_KEY",
            "PAYMENT_PROVIDER",
            "PAYMENT_WEBHOOK_SECRET",
            "PLATFORM_COMMISSION_BPS",
            "MATCHING_BATCH_SECONDS",
            "OFFER_TTL_SECONDS",
        ):
            assert variable in environment
        assert set(services[name]["depends_on"]) == {"db", "redis"}
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")


def _deploy_env() -> dict:
    """DEBUG off, a real secret and the gateway chosen; none of the transport settings."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    keep.pop("DEBUG", None)
    return {**keep, "SECRET_KEY": "k" * 20 + "-production-secret-" + "q7Z" * 10, "PAYMENT_PROVIDER": "sandbox"}


def test_check_deploy_is_clean_with_debug_off_and_nothing_else_set():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**_deploy_env(), "DJANGO_SETTINGS_MODULE": "marketplace.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_payment_provider_must_be_chosen_when_debug_is_off():
    env = {k: v for k, v in _deploy_env().items() if k != "PAYMENT_PROVIDER"}
    refused = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "marketplace.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "PAYMENT_PROVIDER is not set and DEBUG is off" in refused.stderr


@pytest.mark.django_db
def test_openapi_every_operation_documents_the_error_shape(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]
    assert len(operations) > 30
    for path, method, operation in operations:
        public = path.startswith(
            (
                "/api/v1/auth/register",
                "/api/v1/auth/token",
                "/healthz",
                "/sandbox",
                "/api/v1/payments/webhooks",
                "/api/v1/photo-uploads",  # the signed URL is the credential
                "/api/v1/photo-files",
            )
        )
        # every operation can be throttled; a signed-in caller's can be refused its token or
        # role; an input can be bad, a named object missing, a retried key reused (core.api.schema)
        codes = ["429", *(() if public else ("401", "403"))]
        codes += ["400"] if method in ("post", "patch", "put") else []
        codes += ["404"] if "{" in path else []
        codes += ["422"] if "Idempotency-Key" in {p["name"] for p in operation.get("parameters", [])} else []
        codes += [code for code in ("409",) if code in operation["responses"]]
        for code in codes:
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, method, code)
    assert "fields" in schema["components"]["schemas"]["ErrorDetail"]["properties"]


def _operations(schema):
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]


def _examples(body):
    return (body.get("content") or {}).get("application/json", {}).get("examples") or {}


@pytest.mark.django_db
def test_openapi_every_operation_is_described_with_examples(api):
    # given: the schema the apps are built against
    schema = yaml.safe_load(api.get("/api/schema/").content)
    # when: each operation is read as a newcomer reads it
    missing = []
    for name, operation in _operations(schema):
        summary, description = operation.get("summary") or "", operation.get("description") or ""
        if not summary or len(description) < 80 or description.startswith(summary):
            missing.append(f"{name}: a summary and a written description")
        if "requestBody" in operation and not _examples(operation["requestBody"]):
            missing.append(f"{name}: a request example")
        success = {code: body for code, body in operation["responses"].items() if code.startswith("2")}
        if any("content" in body for body in success.values()) and not any(map(_examples, success.values())):
            missing.append(f"{name}: a response example")
        errors = {code: body for code, body in operation["responses"].items() if code[0] in "45"}
        for code, body in errors.items():
            examples = _examples(body)
            if not examples:
                missing.append(f"{name}: an example of its {code}")
            for example in examples.values():
                error = example["value"].get("error", {})
                if set(error) != {"code", "message", "fields"} or not error["code"]:
                    missing.append(f"{name}: its {code} example in the error shape")
    # then: nothing is left undocumented
    assert len(_operations(schema)) > 40
    assert missing == []


@pytest.mark.django_db
def test_openapi_examples_speak_the_contract(api):
    # given: every example body of the schema
    schema = yaml.safe_load(api.get("/api/schema/").content)
    values = [
        (name, example["value"])
        for name, operation in _operations(schema)
        for body in [operation.get("requestBody", {}), *operation["responses"].values()]
        for example in _examples(body).values()
    ]

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v, key)
        else:
            yield key, value

    # then: money in fen is an integer, and every time carries its time zone
    for name, value in values:
        if isinstance(value, dict) and set(value) == {"error"}:
            continue  # an error's fields hold messages about the fields, not their values
        for key, leaf in walk(value):
            if key.endswith("_fen"):
                assert isinstance(leaf, int), (name, key, leaf)
            if key.endswith(("_at", "deadline", "cutoff")) and leaf is not None:
                assert re.search(r"T\d\d:\d\d:\d\d(\+\d\d:\d\d|Z)$", leaf), (name, key, leaf)
    # and: the particular errors of an operation are shown, not only the generic ones
    accept = schema["paths"]["/api/v1/board/{job_id}/accept/"]["post"]["responses"]["409"]
    assert [e["value"]["error"]["code"] for e in _examples(accept).values()] == ["already_taken"]
    login = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" in login  # public, but a wrong password is a 401
