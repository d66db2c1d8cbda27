"""The OpenAPI schema is a contract a code generator can use (API.md): every operation in an
area (tag) with a readable operationId, every property described, the headers declared
where they apply, and examples that belong to their operation."""

import json
import re

import jsonschema
import pytest

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
READABLE_ID = re.compile(r"^[a-z]+(_[a-z]+)*$")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated))  # plain JSON, as a generator reads it


def _operations(schema):
    return [
        (f"{method.upper()} {path}", path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _examples(body) -> dict:
    return ((body or {}).get("content") or {}).get("application/json", {}).get("examples") or {}


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _undescribed(node, where: str):
    """Every property under ``node`` (nested objects, arrays and allOf included) without a
    description."""
    if not isinstance(node, dict):
        return
    for name, prop in (node.get("properties") or {}).items():
        if not prop.get("description"):
            yield f"{where}.{name}"
        yield from _undescribed(prop, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _undescribed(node[key], f"{where}[]")
    for part in node.get("allOf", []) + node.get("oneOf", []) + node.get("anyOf", []):
        yield from _undescribed(part, where)


def test_every_operation_has_an_area_and_a_readable_unique_operation_id(schema):
    # given: the areas the schema declares
    areas = {tag["name"] for tag in schema.get("tags", [])}
    assert {"auth", "jobs", "board", "offers", "assignments", "payments", "settlements", "realtime"} <= areas
    # when: each operation is read as a generator reads it
    problems, ids = [], {}
    for name, _path, _method, operation in _operations(schema):
        tags = operation.get("tags") or []
        if len(tags) != 1 or tags[0] not in areas:
            problems.append(f"{name}: tags {tags}")
        operation_id = operation.get("operationId", "")
        if not READABLE_ID.match(operation_id) or operation_id.startswith("api_") or "v1" in operation_id:
            problems.append(f"{name}: operationId {operation_id!r}")
        ids.setdefault(operation_id, []).append(name)
    # then
    assert problems == []
    assert {i: names for i, names in ids.items() if len(names) > 1} == {}
    by_name = {name: operation["operationId"] for name, _p, _m, operation in _operations(schema)}
    assert by_name["POST /api/v1/jobs/"] == "jobs_create"
    assert by_name["POST /api/v1/board/{job_id}/accept/"] == "board_accept"
    assert by_name["GET /api/v1/jobs/"] == "jobs_list"


def test_every_property_has_a_description(schema):
    undescribed = [
        where for component, node in schema["components"]["schemas"].items() for where in _undescribed(node, component)
    ]
    assert undescribed == []


def test_login_and_refresh_answer_a_typed_token_pair(schema):
    for path in ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/"):
        body = schema["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        pair = _resolve(schema, body)
        assert {"access", "refresh"} <= set(pair["properties"]), path
        assert {"access", "refresh"} <= set(pair.get("required", [])), path


def test_headers_are_declared_where_they_apply(schema):
    # given: the operations that take an Idempotency-Key (their view is idempotent)
    for name, _path, method, operation in _operations(schema):
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        # then: every operation says it answers in the language asked
        assert set(_resolve(schema, headers["Accept-Language"]["schema"])["enum"]) == {"zh-hans", "en"}, name
        # and the key is declared exactly where a reuse is a 422
        assert ("Idempotency-Key" in headers) == ("422" in operation["responses"]), name
        if "Idempotency-Key" in headers:
            assert method == "post", name
            assert headers["Idempotency-Key"]["schema"]["pattern"], name
    posted = dict((n, o) for n, _p, _m, o in _operations(schema))["POST /api/v1/jobs/"]
    assert "Idempotency-Key" in {p["name"] for p in posted["parameters"]}


def test_examples_belong_to_their_operation(schema):
    problems, seen = [], {}
    for name, _path, method, operation in _operations(schema):
        body = _resolve(
            schema,
            ((operation.get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema"),
        )
        inputs = set((body or {}).get("properties") or {}) | {
            p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
        }
        bodies = [("request", operation.get("requestBody"))] + list(operation["responses"].items())
        for status, response in bodies:
            for example in _examples(response).values():
                value = example["value"]
                error = value.get("error") if isinstance(value, dict) else None
                # an error about input names only this operation's input
                if error and error["code"] == "invalid":
                    stray = set(error["fields"]) - inputs - {"non_field_errors"}
                    if stray:
                        problems.append(f"{name}: its {status} is about {sorted(stray)}, not its input")
                if error and status == "409" and method == "get":
                    problems.append(f"{name}: a 409 on a read")
                if error and error["code"] == "parse_error" and method == "get":
                    problems.append(f"{name}: a body that is not JSON, on a read that takes none")
                # request, success and conflict examples are written for one operation
                if status == "request" or status.startswith("2") or status == "409":
                    seen.setdefault((status[0], json.dumps(value, sort_keys=True)), []).append(name)
    shared = {key[1][:80]: names for key, names in seen.items() if len(set(names)) > 1}
    assert problems == []
    assert shared == {}


def test_no_operation_without_a_body_shows_a_400_about_fields(schema):
    operations = {name: operation for name, _p, _m, operation in _operations(schema)}
    ticket = operations["POST /api/v1/realtime/ticket/"]
    codes = [e["value"]["error"]["code"] for e in _examples(ticket["responses"]["400"]).values()]
    assert codes == ["parse_error"]
    assert "409" not in operations["POST /api/v1/devices/"]["responses"] or all(
        e["value"]["error"]["code"].startswith("device")
        for e in _examples(operations["POST /api/v1/devices/"]["responses"]["409"]).values()
    )


def test_a_jobs_spec_leads_a_generator_to_its_processs_spec_schema(schema):
    # given: the operation that gives one process, by its code
    operations = {operation["operationId"]: (path, operation) for _n, path, _m, operation in _operations(schema)}
    path, process = operations["processes_retrieve"]
    assert path == "/api/v1/processes/{code}/"
    assert [p["name"] for p in process["parameters"] if p["in"] == "path"] == ["code"]
    # then: its spec_schema is typed as a JSON Schema, with a description
    body = _resolve(schema, process["responses"]["200"]["content"]["application/json"]["schema"])
    spec_schema = body["properties"]["spec_schema"]
    assert spec_schema["description"]
    json_schema = _resolve(schema, spec_schema["allOf"][0])
    assert json_schema is schema["components"]["schemas"]["JsonSchema"]
    assert json_schema["type"] == "object" and json_schema["description"]
    assert {"$schema", "type", "properties", "required"} <= set(json_schema["properties"])
    # and: a job's spec, posted and read, names that operation (description and externalDocs)
    for component in ("JobInputRequest", "Job"):
        spec = schema["components"]["schemas"][component]["properties"]["spec"]
        assert "processes_retrieve" in spec["externalDocs"]["url"], component
        assert "GET /api/v1/processes/{code}" in spec["description"], component
    # and: the job a POST creates or a GET reads links to its process, by the job's `process`
    for operation_id, status in (("jobs_create", "201"), ("jobs_retrieve", "200")):
        response = operations[operation_id][1]["responses"][status]
        link = response["links"]["process_spec_schema"]
        assert link["operationId"] == "processes_retrieve", operation_id
        assert link["parameters"] == {"code": "$response.body#/process"}, operation_id
        job = _resolve(schema, response["content"]["application/json"]["schema"])
        assert job["properties"]["process"]["type"] == "string", operation_id


def test_every_process_spec_schema_is_what_the_json_schema_component_says(schema):
    # given: the JsonSchema component as a validator reads it (OpenAPI 3.0's subset of JSON Schema)
    from catalogue.models import Process

    validator = jsonschema.Draft7Validator(schema["components"]["schemas"]["JsonSchema"])
    # then: every process's spec_schema fits it, and is itself a draft 2020-12 JSON Schema
    processes = list(Process.objects.filter(active=True))
    assert processes
    for process in processes:
        assert list(validator.iter_errors(process.spec_schema)) == [], process.code
        jsonschema.Draft202012Validator.check_schema(process.spec_schema)
