"""The types of the events in a company's stream, each defined once (API.md "Real-time events").

An app that owns a fact declares its event as a subclass of ``EventType`` in its ``events``
module and decorates it with ``register``: the type name (``type``), who receives it
(``audience``), its payload's fields with their types (class annotations, each with a
``field`` description), and the push a phone gets for it (``push``, Chinese and English;
None for no push). Services emit through the class (``JobStatusChanged.emit(...)``), so the
outbox rows keep the wire format the class declares.

Everything else derives from the registry: the validation of every emitted payload while
``EVENTS_VALIDATE`` is on (the tests, DEBUG), the mobile pushes (``realtime`` asks the
class, never compares type strings of the apps above it), the ``type`` enum of
``GET /api/v1/events`` and the AsyncAPI document of ``/ws/v1/events``
(``core.asyncapi``). A lower app never imports an upper one: the registry fills itself by
importing each installed app's ``events`` module (``event_types``).
"""

from collections.abc import Iterable
from typing import ClassVar

import jsonschema
from django.conf import settings
from django.utils.module_loading import autodiscover_modules

from core.shapes import Field, Shape, field, object_schema

__all__ = ["EventType", "Field", "InvalidEvent", "Shape", "event_type", "event_types", "field", "register"]


class EventType:
    """One type of event: subclass, set ``type`` and ``audience``, annotate the payload's
    fields (``name: int = field("…")``), override ``push`` if a phone should be woken."""

    type: ClassVar[str]
    audience: ClassVar[str]  # who receives it, for a person reading the contract
    description: ClassVar[str] = ""  # when it happens
    example: ClassVar[dict | None] = None  # a ``data`` as the stream carries it (checked by the tests)
    _validator: ClassVar[jsonschema.protocols.Validator | None] = None

    @classmethod
    def payload_schema(cls) -> dict:
        """The JSON Schema of ``data``."""
        return object_schema(cls)

    @classmethod
    def validate(cls, data: dict) -> None:
        """Raise ``InvalidEvent`` unless ``data`` is exactly what the class declares."""
        if cls._validator is None:
            cls._validator = jsonschema.Draft202012Validator(
                cls.payload_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
        errors = sorted(cls._validator.iter_errors(data), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "data"
            raise InvalidEvent(f"{cls.type}: {where}: {errors[0].message}")

    @classmethod
    def push(cls, data: dict) -> tuple[str, str] | None:
        """(title, body) of the push this event deserves, in Chinese and English, or None."""
        return None

    @classmethod
    def emit(cls, company_ids: Iterable[int], data: dict, *, topic: str = "") -> int:
        """The event to each of ``company_ids`` (each once), in the caller's transaction."""
        from core.outbox import events_emit

        return events_emit((company_id, cls.type, data, topic) for company_id in dict.fromkeys(company_ids))

    @classmethod
    def emit_each(cls, rows: Iterable[tuple[int, dict, str]]) -> int:
        """One event per ``(company_id, data, topic)`` row, when each company's data differ."""
        from core.outbox import events_emit

        return events_emit((company_id, cls.type, data, topic) for company_id, data, topic in rows)

    @classmethod
    def emit_one(cls, company_id: int, data: dict, *, topic: str = ""):
        """One event to one company; returns the ``core.StreamEvent`` row."""
        from core.outbox import event_emit

        return event_emit(company_id=company_id, type=cls.type, data=data, topic=topic)


class InvalidEvent(ValueError):
    """An emitted event whose type is not registered or whose payload is not its class's."""


_registry: dict[str, type[EventType]] = {}
_discovered = False


def register(cls: type[EventType]) -> type[EventType]:
    """Class decorator: add an event type to the stream's registry (once per type name)."""
    known = _registry.get(cls.type)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise ValueError(f"event type {cls.type!r} registered twice: {known!r} and {cls!r}")
    _registry[cls.type] = cls
    return cls


def event_types() -> dict[str, type[EventType]]:
    """Every registered type by name, sorted (each installed app's ``events`` module is
    imported the first time)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("events")
        _discovered = True
    return dict(sorted(_registry.items()))


def event_type(name: str) -> type[EventType] | None:
    return event_types().get(name)


def validating() -> bool:
    return getattr(settings, "EVENTS_VALIDATE", settings.DEBUG)


def validate(type_name: str, data: dict) -> None:
    """Check one event against its class: ``InvalidEvent`` on an unknown type or a payload
    that is not the declared one."""
    cls = event_type(type_name)
    if cls is None:
        raise InvalidEvent(f"unknown event type {type_name!r}: declare it (core.events.register)")
    cls.validate(data)
