"""The AsyncAPI 3 document of /ws/v1/events and the OpenAPI components of GET /api/v1/events
come from the registered event classes (core.events): they list exactly the registered types,
each with its payload's schema, and every event the code emits is one of them.

The document is validated against the official JSON Schema of AsyncAPI 3.0.0 (draft-07),
vendored unchanged as test data beside this module (asyncapi-3.0.0.schema.json; its source
commit and licence are in asyncapi-3.0.0.schema.README.md). It is the bundled form whose every
$ref points inside the file, and the validator is given an empty registry, so nothing is
fetched. What that schema cannot express is checked here too: every $ref of the document
resolves, an operation's messages are its channel's, and component keys have the allowed
characters (the schema's patternProperties let other keys through unchecked)."""

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest
import referencing
from drf_spectacular.generators import SchemaGenerator

from core.events import event_types
from core.models import StreamEvent
from tests import fixtures

pytestmark = pytest.mark.django_db
KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")
ASYNCAPI_SCHEMA = Path(__file__).with_name("asyncapi-3.0.0.schema.json")
ASYNCAPI_SCHEMA_SHA256 = "acefdddecb7909e2e6335f49b5acf222cf6170e303e51ab7824123981d7adfa0"  # as in the README


def _asyncapi_validator() -> jsonschema.Draft7Validator:
    raw = ASYNCAPI_SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == ASYNCAPI_SCHEMA_SHA256, "the vendored schema was changed"
    schema = json.loads(raw)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema"
    jsonschema.Draft7Validator.check_schema(schema)
    # an empty registry: a $ref outside the file fails instead of being fetched
    return jsonschema.Draft7Validator(
        schema, registry=referencing.Registry(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def _document(api):
    response = api.get("/api/asyncapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _resolve(document, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        assert part in node, ref
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_document_is_valid_against_the_official_asyncapi_3_schema(api):
    # given the document, fetched anonymously like the OpenAPI schema
    document = _document(api)
    # then the official AsyncAPI 3.0.0 schema accepts it, every error listed if not
    errors = _asyncapi_validator().iter_errors(document)
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors] == []
    # and it is the socket's one channel
    assert document["asyncapi"] == "3.0.0"
    assert [channel["address"] for channel in document["channels"].values()] == ["/ws/v1/events"]


def test_the_official_schema_rejects_what_the_specification_forbids():
    # given the validator and a document it accepts
    validator = _asyncapi_validator()
    minimal = {"asyncapi": "3.0.0", "info": {"title": "t", "version": "1"}}
    assert validator.is_valid(minimal)
    # then it refuses 2.x actions, a missing info and fields the specification does not have
    operation = {"action": "publish", "channel": {"$ref": "#/channels/events"}}
    assert not validator.is_valid({**minimal, "operations": {"send": operation}})
    assert not validator.is_valid({"asyncapi": "3.0.0"})
    assert not validator.is_valid({**minimal, "topics": {}})


def test_what_the_official_schema_cannot_express_holds_too(api):
    # given the document
    document = _document(api)
    # then every operation's channel resolves, and its messages are that channel's
    for name, operation in document["operations"].items():
        assert KEY.match(name)
        assert _resolve(document, operation["channel"]["$ref"]) is document["channels"]["events"]
        for message in operation["messages"]:
            assert message["$ref"].startswith("#/channels/events/messages/")
    # and every reference points inside the document, at something that is there
    for ref in _refs(document):
        _resolve(document, ref)
    for section in ("schemas", "messages"):
        assert all(KEY.match(key) for key in document["components"][section])
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_document_lists_exactly_the_registered_types_with_their_payloads(api):
    # given the registry and the document
    types = event_types()
    document = _document(api)
    messages = document["components"]["messages"]
    # then the event messages are exactly the registered types, sent by the server
    event_messages = {m["name"] for key, m in messages.items() if not key.startswith(("frame.", "client."))}
    assert event_messages == set(types)
    sent = {ref["$ref"].rsplit("/", 1)[-1] for ref in document["operations"]["sendEvents"]["messages"]}
    assert set(types) <= sent
    for name, cls in types.items():
        message = messages[name]
        # each wraps its class's data schema in the stream's envelope
        assert message["payload"]["required"] == ["seq", "type", "at", "data"]
        assert message["payload"]["properties"]["type"]["const"] == name
        assert _resolve(document, message["payload"]["properties"]["data"]["$ref"]) == cls.payload_schema()
        assert message["summary"] == f"To {cls.audience}."
        # and an example, where there is one, is valid against it
        for example in message.get("examples", []):
            cls.validate(example["payload"]["data"])


def test_every_type_the_code_emits_is_in_the_document(api):
    # given a job posted, paid and grabbed, a notification sent
    from orders.services import assignments

    pair = fixtures.factory()
    job = fixtures.job()
    assignments.board_accept(job_id=job.id, factory=pair[1], user=pair[0])
    # when the stream is read
    emitted = set(StreamEvent.objects.values_list("type", flat=True))
    # then something was emitted, and each type is one the document lists
    assert {"job.status_changed", "payment.status_changed", "assignment.status_changed"} <= emitted
    assert emitted <= {m["name"] for m in _document(api)["components"]["messages"].values()}


def test_the_openapi_schema_lists_the_event_types_and_their_data():
    # given the OpenAPI schema, as a generator reads it
    schema = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    components = schema["components"]["schemas"]
    # then EventType enumerates the registered types, and each has its data component
    assert components["EventType"]["enum"] == list(event_types())
    for name, cls in event_types().items():
        data = components["".join(p.capitalize() for p in name.replace(".", "_").split("_")) + "EventData"]
        assert set(data["properties"]) == set(cls.payload_schema()["properties"])
        assert all(prop.get("description") for prop in data["properties"].values())
        assert "null" not in json.dumps([p.get("type") for p in data["properties"].values()])  # OpenAPI 3.0


def test_the_landing_page_links_the_document(client):
    # given the landing page
    page = client.get("/").content.decode()
    # then it links the AsyncAPI document beside the OpenAPI schema
    assert 'href="/api/asyncapi.json"' in page
