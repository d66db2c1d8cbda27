"""Outward shapes declared once: what a client sees of a thing (the job card an offer and a
board show, an offer, an event's payload), as a class whose annotations are its fields.

A field says what it is (``field``: a description, its format or enum) and where its value
comes from: ``source``, the dotted path on the object the shape is read from (the field's
name by default), or ``sql``, an expression when the value is not one column. Everything a
client meets is derived from the declaration:

- ``Shape.of(obj)``: the JSON-ready dict (times as ``core.readable.iso_time``, +08:00);
- ``Shape.sql_object(aliases)``: the same object built by PostgreSQL (``jsonb_build_object``),
  for an outbox written by one statement;
- ``Shape.json_schema()``: its JSON Schema (event validation, AsyncAPI, OpenAPI components);
- ``core.api.shapes.shape_serializer``: a read-only DRF serializer for the HTTP API and its
  OpenAPI schema, whose output is ``Shape.of``.
"""

import dataclasses
import operator
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, ClassVar

from core.readable import iso_time, iso_time_sql


@dataclass(frozen=True)
class Field:
    """A field's description and, beyond its Python type, its JSON Schema details and source."""

    description: str
    format: str = ""  # "date-time" for an ISO time
    enum: tuple = ()
    optional: bool = False  # may be absent (all others are always present)
    source: str = ""  # dotted attribute path from the object read; "" for the field's name
    sql: str = ""  # SQL when the value is no column: "{self}" and "{job}" name the aliases


def field(
    description: str,
    *,
    format: str = "",  # noqa: A002
    enum: Iterable = (),
    optional: bool = False,
    source: str = "",
    sql: str = "",
) -> Any:
    return Field(description, format=format, enum=tuple(enum), optional=optional, source=source, sql=sql)


_TYPES = {int: "integer", str: "string", bool: "boolean", float: "number", dict: "object", list: "array"}


def fields_of(cls) -> dict[str, tuple[Any, Field]]:
    """The declared fields of a shape (or an event type), in declaration order, base first."""
    hints = typing.get_type_hints(cls)
    out = {}
    for klass in reversed(cls.__mro__):
        for name in klass.__dict__.get("__annotations__", {}):
            spec = getattr(cls, name, None)
            if isinstance(spec, Field):
                out[name] = (hints[name], spec)
    return out


def shape_in(annotation) -> "type[Shape] | None":
    """The Shape an annotation holds (``JobCard`` or ``JobCard | None``), if any."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Shape):
            return candidate
    return None


def type_schema(annotation, spec: Field | None) -> dict:
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        options = [type_schema(a, None) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"oneOf": options}
        if type(None) in args:
            if "type" in schema:
                schema = {**schema, "type": [schema["type"], "null"]}
            else:
                schema = {"oneOf": [schema, {"type": "null"}]}
    elif isinstance(annotation, type) and issubclass(annotation, Shape):
        schema = annotation.json_schema()
    elif typing.get_origin(annotation) is list:
        schema = {"type": "array", "items": type_schema(args[0], None) if args else {}}
    elif typing.get_origin(annotation) is dict:
        schema = {"type": "object"}
    else:
        schema = {"type": _TYPES[annotation]}
    if spec is not None:
        schema = {**schema, "description": spec.description}
        if spec.format:
            schema["format"] = spec.format
        if spec.enum:
            schema["enum"] = [*spec.enum, *([None] if "null" in str(schema.get("type")) else [])]
    return schema


def object_schema(cls) -> dict:
    fields = fields_of(cls)
    schema = {
        "type": "object",
        "properties": {name: type_schema(hint, spec) for name, (hint, spec) in fields.items()},
        "required": [name for name, (_hint, spec) in fields.items() if not spec.optional],
        "additionalProperties": False,
    }
    if cls.description:
        schema["description"] = cls.description
    return schema


def values_object(paths: Iterable[str], values: Iterable) -> SimpleNamespace:
    """An object with each dotted path's value (``("id", "process.code")`` and a row of
    ``values_list`` give ``obj.id``, ``obj.process.code``): plain values a shape reads as it
    reads a model, without building models."""
    root = SimpleNamespace()
    for path, value in zip(paths, values, strict=True):
        node = root
        *parents, leaf = path.split(".")
        for part in parents:
            if not hasattr(node, part):
                setattr(node, part, SimpleNamespace())
            node = getattr(node, part)
        setattr(node, leaf, value)
    return root


def _reader(hint, spec: Field, name: str):
    """A function from the object read to the field's JSON value."""
    get = operator.attrgetter(spec.source or name)
    nested = shape_in(hint)
    if nested is not None:
        return lambda obj: None if (value := get(obj)) is None else nested.of(value)
    if spec.format == "date-time":
        return lambda obj: iso_time(get(obj))
    if hint is float or hint == float | None:
        return lambda obj: None if (value := get(obj)) is None else float(value)
    return get


class Shape:
    """A declared outward shape: subclass, annotate its fields (``name: int = field("…")``)."""

    description: ClassVar[str] = ""
    example: ClassVar[dict | None] = None  # as a client sees it (checked by the tests)
    _readers: ClassVar[tuple | None] = None

    @classmethod
    def json_schema(cls) -> dict:
        return object_schema(cls)

    @classmethod
    def of(cls, obj) -> dict:
        """The shape of ``obj`` as a client reads it."""
        readers = cls.__dict__.get("_readers")
        if readers is None:
            readers = tuple((name, _reader(hint, spec, name)) for name, (hint, spec) in fields_of(cls).items())
            cls._readers = readers
        return {name: read(obj) for name, read in readers}

    @classmethod
    def at(cls, path: str) -> "type[Shape]":
        """The same fields read from ``obj.<path>``: a base for a shape that shows this one's
        fields flat beside its own (a board entry: the job card and the factory's share)."""
        annotations, attrs = {}, {"description": cls.description, "example": cls.example, "__module__": cls.__module__}
        for name, (hint, spec) in fields_of(cls).items():
            if spec.sql:
                raise TypeError(f"{cls.__name__}.{name} is SQL, not a path; it cannot be read at {path!r}")
            annotations[name] = hint
            attrs[name] = dataclasses.replace(spec, source=f"{path}.{spec.source or name}")
        return type(cls.__name__, (Shape,), {**attrs, "__annotations__": annotations})

    @classmethod
    def sources(cls) -> tuple[str, ...]:
        """The dotted paths the shape reads (its plain fields; nested shapes and SQL aside)."""
        return tuple(
            spec.source or name
            for name, (hint, spec) in fields_of(cls).items()
            if not spec.sql and shape_in(hint) is None
        )

    @classmethod
    def sql_object(cls, aliases: Mapping[str, str], prefix: str = "") -> str:
        """``jsonb_build_object(...)`` of the shape, with the same values and renderings as
        ``of``. ``aliases`` maps each source path's table ("" for the object read, "job",
        "job.process") to its alias in the statement's FROM."""
        parts = []
        for name, (hint, spec) in fields_of(cls).items():
            path = ".".join(p for p in (prefix, spec.source or name) if p)
            nested = shape_in(hint)
            if spec.sql:
                expr = spec.sql.format(self=aliases[prefix], **{k: v for k, v in aliases.items() if k})
            elif nested is not None:
                expr = nested.sql_object(aliases, path)
            else:
                table, _dot, column = path.rpartition(".")
                expr = f"{aliases[table]}.{column}"
                if spec.format == "date-time":
                    expr = iso_time_sql(expr)
            parts.append(f"'{name}', {expr}")
        return "jsonb_build_object(" + ", ".join(parts) + ")"
