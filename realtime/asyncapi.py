"""The AsyncAPI 3 document of the event socket ``/ws/v1/events``, generated from the
registered event classes (``core.events``): one message per event type, its ``data`` schema
the class's fields, plus the socket's own frames (``ready``, ``ping``) and the client's
``ack``. Served at ``/api/asyncapi.json`` (``marketplace.urls``), offline like the OpenAPI
schema; nothing here is written by hand per type."""

from core.events import event_types

ASYNCAPI_VERSION = "3.0.0"
WS_BINDING_VERSION = "0.1.0"


def _envelope(type_schema: dict, data_ref: str) -> dict:
    return {
        "type": "object",
        "required": ["seq", "type", "at", "data"],
        "additionalProperties": False,
        "properties": {
            "seq": {"type": "integer", "minimum": 1, "description": "The event's number in its company's stream."},
            "type": type_schema,
            "at": {"type": "string", "format": "date-time", "description": "When it happened (+08:00)."},
            "data": {"$ref": data_ref},
        },
    }


_FRAMES = {
    "ready": {
        "summary": "Sent once after the replay of `after`: the live stream starts after `last_seq`.",
        "payload": {
            "type": "object",
            "required": ["type", "last_seq"],
            "properties": {
                "type": {"const": "ready", "description": "The frame's kind."},
                "last_seq": {"type": "integer", "description": "The stream's newest seq when the socket opened."},
            },
        },
        "examples": [{"payload": {"type": "ready", "last_seq": 42}}],
    },
    "ping": {
        "summary": "A heartbeat, at least every 30 s (no seq).",
        "payload": {
            "type": "object",
            "required": ["type", "at"],
            "properties": {
                "type": {"const": "ping", "description": "The frame's kind."},
                "at": {"type": "string", "format": "date-time", "description": "The server's time (+08:00)."},
            },
        },
        "examples": [{"payload": {"type": "ping", "at": "2026-06-09T10:00:30+08:00"}}],
    },
}

_ACK = {
    "summary": "The client's acknowledgement of the events it has handled, up to `ack`.",
    "payload": {
        "type": "object",
        "required": ["ack"],
        "properties": {"ack": {"type": "integer", "minimum": 0, "description": "The highest seq handled."}},
    },
    "examples": [{"payload": {"ack": 42}}],
}


_INFO = {
    "title": "Marketplace event stream",
    "version": "1",
    "description": (
        "Every change a company's apps must react to, as events of that company's stream, numbered by "
        "`seq`. Open the socket with a single-use ticket (`POST /api/v1/realtime/ticket`) or an "
        "`Authorization: Bearer` header; with `after=<seq>` the missed events come first, then a "
        "`ready` frame, then new events as they happen. `GET /api/v1/events?after=` reads the same "
        "stream over HTTP (see /api/schema/). Generated from the event classes the apps register."
    ),
}

_QUERY_BINDING = {
    "ws": {
        "bindingVersion": WS_BINDING_VERSION,
        "query": {
            "type": "object",
            "properties": {
                "ticket": {"type": "string", "description": "A single-use ticket, good for 60 s."},
                "after": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Replay every event with a greater seq first (0: only new ones).",
                },
            },
        },
    }
}


def _event_message(name: str, cls) -> dict:
    message = {
        "name": name,
        "title": name,
        "summary": f"To {cls.audience}.",
        "description": cls.description,
        "contentType": "application/json",
        "payload": _envelope({"const": name, "description": "The event's type."}, f"#/components/schemas/{_key(name)}"),
    }
    if cls.example is not None:
        message["examples"] = [
            {"payload": {"seq": 42, "type": name, "at": "2026-06-09T10:00:02+08:00", "data": cls.example}}
        ]
    return message


def asyncapi_document() -> dict:
    """The AsyncAPI 3.0 document of ``/ws/v1/events`` (a JSON-ready dict)."""
    types = event_types()
    schemas = {_key(name): cls.payload_schema() for name, cls in types.items()}
    messages = {_key(name): _event_message(name, cls) for name, cls in types.items()}
    for name, frame in _FRAMES.items():
        messages[f"frame.{name}"] = {"name": name, "contentType": "application/json", **frame}
    messages["client.ack"] = {"name": "ack", "contentType": "application/json", **_ACK}
    sent = [*(_key(n) for n in types), "frame.ready", "frame.ping"]
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _INFO,
        "defaultContentType": "application/json",
        "channels": {
            "events": {
                "address": "/ws/v1/events",
                "title": "A company's event stream",
                "description": "Bad or missing credentials refuse the handshake (close code 4401).",
                "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in messages},
                "bindings": _QUERY_BINDING,
            }
        },
        "operations": {
            "sendEvents": {
                "action": "send",
                "title": "Events to the company's apps",
                "summary": "The server sends the stream's events, then new ones, in seq order.",
                "channel": {"$ref": "#/channels/events"},
                "messages": [{"$ref": f"#/channels/events/messages/{key}"} for key in sent],
            },
            "receiveAck": {
                "action": "receive",
                "title": "Acknowledgements from the app",
                "channel": {"$ref": "#/channels/events"},
                "messages": [{"$ref": "#/channels/events/messages/client.ack"}],
            },
        },
        "components": {"schemas": schemas, "messages": messages},
    }


def _key(type_name: str) -> str:
    """A component key of a type name (AsyncAPI keys: letters, digits, ``.``, ``-``, ``_``)."""
    return type_name


def _openapi30(schema):
    """A JSON Schema of the classes as OpenAPI 3.0 writes it (``nullable``, no type lists)."""
    if isinstance(schema, list):
        return [_openapi30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _openapi30(value) for key, value in schema.items()}
    if isinstance(out.get("type"), list):
        kinds = [kind for kind in out["type"] if kind != "null"]
        out["type"], out["nullable"] = kinds[0], True
    return out


def _component_name(type_name: str) -> str:
    return "".join(part.capitalize() for part in type_name.replace(".", "_").split("_")) + "EventData"


def event_components(result, generator, request, public):
    """drf-spectacular's post-processing hook: the stream's event types as OpenAPI components
    of ``GET /api/v1/events``, from the same classes as the AsyncAPI document: ``EventType``
    (the enum of type names) and one ``<Type>EventData`` per type (what ``data`` holds). The
    ``Event`` component's ``type`` stays a plain string, so a generated client does not
    refuse a type added later."""
    types = event_types()
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["EventType"] = {
        "type": "string",
        "enum": list(types),
        "description": "The event types of the stream (more may be added: an app ignores a type it does not know). "
        "Each one's `data` is the `<Type>EventData` component of its name; /api/asyncapi.json describes "
        "the socket.",
    }
    for name, cls in types.items():
        schemas[_component_name(name)] = {
            **_openapi30(cls.payload_schema()),
            "description": f"`data` of `{name}`, to {cls.audience}: {cls.description}",
        }
    return result
