"""The AsyncAPI 3 document of /ws/v1/events and the OpenAPI components of GET /api/v1/events
come from the registered event classes (core.events): they list exactly the registered types,
each with its payload's schema, and every event the code emits is one of them.

No JSON Schema of AsyncAPI 3.0 ships in a pinned PyPI package we could vendor, so the
document's structure is checked here against the 3.0 specification's required fields and
reference rules (info, channels with an address, operations with an action and a channel
reference, messages reached through the channel, every $ref resolvable, keys of the allowed
characters), and each payload schema is checked as a JSON Schema."""

import json
import re

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from core.events import event_types
from core.models import Event
from tests import fixtures

pytestmark = pytest.mark.django_db
KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")


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


def test_the_document_is_asyncapi_3_of_the_socket_and_every_reference_resolves(api):
    # given the document, fetched anonymously like the OpenAPI schema
    document = _document(api)
    # then it has AsyncAPI 3.0's required fields and the socket's channel
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert [channel["address"] for channel in document["channels"].values()] == ["/ws/v1/events"]
    # and every operation sends or receives on a channel, with messages of that channel
    for name, operation in document["operations"].items():
        assert KEY.match(name) and operation["action"] in {"send", "receive"}
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
    emitted = set(Event.objects.values_list("type", flat=True))
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
