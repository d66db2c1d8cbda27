"""What the OpenAPI schema says of the processes' spec schemas, so that a code generator can
reach them: a process's ``spec_schema`` is the ``JsonSchema`` component, and every response
that carries a job's ``process`` beside its ``spec`` links (an OpenAPI ``links`` entry) to
``GET /api/v1/processes/{code}``, whose ``spec_schema`` that ``spec`` meets.

The processes are rows the admin adds and edits (``catalogue.admin``), not fixed data in code:
a component per process (``Spec_velcro_sewing``) would be read from the database while the
schema is generated and would change with the catalogue, so a generated client would lag the
API; the schema names the one operation that always answers instead."""

PROCESS_OPERATION = "processes_retrieve"  # GET /api/v1/processes/{code} (catalogue.api.views)
PROCESS_DOCS_URL = f"/api/redoc/#operation/{PROCESS_OPERATION}"
JSON_SCHEMA_COMPONENT = "JsonSchema"
JSON_SCHEMA_REF = {"$ref": f"#/components/schemas/{JSON_SCHEMA_COMPONENT}"}
SPEC_LINK = "process_spec_schema"

JSON_SCHEMA = {
    "type": "object",
    "description": "A JSON Schema (draft 2020-12) that a job's `spec` for the process must satisfy: the fields a "
    "spec has, their types, bounds and allowed values. Validate a spec against it, or build a form from it, "
    "with any JSON Schema library; keywords beyond the ones listed here may appear.",
    "externalDocs": {
        "description": "JSON Schema draft 2020-12",
        "url": "https://json-schema.org/draft/2020-12/json-schema-core",
    },
    "properties": {
        "$schema": {
            "type": "string",
            "format": "uri",
            "description": "The JSON Schema dialect, `https://json-schema.org/draft/2020-12/schema`.",
        },
        "type": {"type": "string", "description": "`object`: a spec is a JSON object."},
        "properties": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": True},
            "description": "Each field a spec may have, with its own JSON Schema (e.g. "
            '`{"type": "integer", "minimum": 10, "maximum": 100}`).',
        },
        "required": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The fields every spec of the process must have.",
        },
    },
    "additionalProperties": True,
}


def _operations(result):
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, operation


def _component(result, schema):
    if isinstance(schema, dict) and "$ref" in schema:
        return result["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[-1])
    return schema


def _carries_a_spec(result, schema) -> bool:
    """A body whose top level has the job's ``spec`` beside its process code."""
    properties = (_component(result, schema) or {}).get("properties") or {}
    return "spec" in properties and (_component(result, properties.get("process")) or {}).get("type") == "string"


SPEC_DOCS = {
    "description": "The JSON Schema this spec meets: the spec_schema of GET /api/v1/processes/{code} "
    f"(operation {PROCESS_OPERATION})",
    "url": PROCESS_DOCS_URL,
}


def spec_schema_links(result, generator, request, public):
    """drf-spectacular's post-processing hook: the ``JsonSchema`` component; on every ``spec``
    beside a ``process`` code (a job's, posted, quoted or read) ``externalDocs`` naming the
    operation that gives its process's ``spec_schema``; and on every success response that
    carries both at its top level a link to that operation, the ``process`` its parameter."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[JSON_SCHEMA_COMPONENT] = JSON_SCHEMA
    if not any(operation.get("operationId") == PROCESS_OPERATION for _m, operation in _operations(result)):
        return result
    for schema in schemas.values():
        if _carries_a_spec(result, schema):
            schema["properties"]["spec"].setdefault("externalDocs", SPEC_DOCS)
    for _method, operation in _operations(result):
        for status, response in operation["responses"].items():
            body = ((response.get("content") or {}).get("application/json") or {}).get("schema")
            if status.startswith("2") and _carries_a_spec(result, body):
                response.setdefault("links", {})[SPEC_LINK] = {
                    "operationId": PROCESS_OPERATION,
                    "parameters": {"code": "$response.body#/process"},
                    "description": "The job's process: its `spec_schema` is the JSON Schema this `spec` meets.",
                }
    return result
