"""A battery of malformed requests against every endpoint of the OpenAPI schema.

Every one must be answered with a 4xx in the contract's error shape, never a 500, and
must change nothing. The endpoint list comes from the schema, so a new endpoint is covered
the day it is added.
"""

import json

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

from conftest import client_for
from tests.fixtures import world_for_battery

pytestmark = pytest.mark.django_db

HUGE = "界" * 100_000
NUL = "cap\u0000"

RAW_BODIES = [
    '{"unterminated": ',
    "not json at all",
    "[1, 2, 3]",
    '"a string"',
    "42",
    "null",
    '{"a": NaN}',
    "\ud83e\udde2" * 3,
]


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put", "patch"):
                yield path, method, operation, schema


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _request_properties(schema, operation):
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    body = _resolve(schema, content.get("schema", {}))
    return body.get("properties", {}), set(body.get("required", []))


def _wrong_value(prop):
    kind = prop.get("type")
    if kind in ("integer", "number"):
        return "not-a-number"
    if kind == "boolean":
        return "maybe"
    if kind == "array":
        return {"not": "a list"}
    if kind == "object":
        return 5
    return {"not": "a string"}


def _bodies(schema, operation):
    props, required = _request_properties(schema, operation)
    yield {"unknown_field_xyz": 1}
    if required:
        yield {}
    for name, raw in props.items():
        prop = _resolve(schema, raw)
        if prop.get("readOnly"):
            continue
        yield {name: _wrong_value(prop)}
        if not prop.get("nullable") and name in required:
            yield {name: None}
        if prop.get("type") in ("string", None) and "enum" not in prop:
            yield {name: HUGE}
            yield {name: NUL}
        if prop.get("type") == "integer":
            yield {name: 2**70}
            yield {name: -(2**70)}
        if prop.get("type") == "object" or (prop.get("type") is None and "spec" in name):
            yield {name: {"k": NUL}}
            yield {name: {"k": {"deep": [HUGE]}}}


def _path_for(template, ids):
    path = template
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _snapshot():
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in ("core", "accounts", "catalogue", "factories", "orders", "payments", "auth"):
            counts[model._meta.label] = model.objects.count()
    counts.pop("core.IdempotencyRecord", None)
    return counts


def _assert_error(response, where):
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code} {response.content[:300]!r}"
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}, where


def test_every_endpoint_answers_malformed_bodies_with_4xx_and_changes_nothing():
    world = world_for_battery()
    before = _snapshot()
    tried = 0
    for template, method, operation, schema in _operations():
        path = _path_for(template, world["ids"])
        for who, user in world["users"].items():
            client = client_for(user)
            for raw in RAW_BODIES:
                response = client.generic(
                    method.upper(), path, raw.encode("utf-8", "surrogatepass"), content_type="application/json"
                )
                _assert_error(response, f"{who} {method} {path} raw={raw[:20]!r}")
                tried += 1
            for body in _bodies(schema, operation):
                response = client.generic(method.upper(), path, json.dumps(body), content_type="application/json")
                _assert_error(response, f"{who} {method} {path} body={json.dumps(body)[:80]}")
                tried += 1
    assert tried > 100
    assert _snapshot() == before


def test_list_endpoints_refuse_bad_query_parameters_without_500():
    world = world_for_battery()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for template, item in schema["paths"].items():
        if "get" not in item:
            continue
        path = _path_for(template, world["ids"])
        for user in world["users"].values():
            client = client_for(user)
            for query in (
                "?page=abc",
                "?page=99999",
                "?page_size=-5",
                "?page_size=100000",
                "?status=%00bogus",
                "?status=" + "x" * 5000,
            ):
                response = client.get(path + query)
                assert response.status_code < 500, f"{path}{query}: {response.status_code}"
                if response.status_code >= 400:
                    assert set(response.json()["error"]) == {"code", "message", "fields"}
