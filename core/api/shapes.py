"""A read-only DRF serializer derived from a declared shape (``core.shapes``): its fields,
with their descriptions, formats and enums, are the shape's (drf-spectacular builds the
OpenAPI component from them) and its output is ``Shape.of``, the very dict the event stream
carries, so HTTP and events cannot drift apart."""

import typing

from rest_framework import serializers

from core.shapes import Field, Shape, fields_of, shape_in


def _drf_field(hint, spec: Field):
    options = {"help_text": spec.description, "read_only": True}
    if type(None) in typing.get_args(hint):
        options["allow_null"] = True
    nested = shape_in(hint)
    if nested is not None:
        return shape_serializer(nested)(**options)
    if spec.enum:
        return serializers.ChoiceField(choices=[e for e in spec.enum if e is not None], **options)
    if spec.format == "date-time":
        return serializers.DateTimeField(**options)
    base = next((t for t in (bool, int, float, str, dict, list) if hint is t or hint == t | None), None)
    kind = {
        bool: serializers.BooleanField,
        int: serializers.IntegerField,
        float: serializers.FloatField,
        str: serializers.CharField,
        dict: serializers.JSONField,
        list: serializers.ListField,
    }[base]
    return kind(**options)


class ShapeSerializer(serializers.Serializer):
    """Renders ``shape.of(instance)``, then any fields a subclass adds beyond the shape."""

    shape: type[Shape]

    def to_representation(self, instance):
        data = self.shape.of(instance)
        for name, drf_field in self.fields.items():
            if name not in data:
                value = drf_field.get_attribute(instance)
                data[name] = None if value is None else drf_field.to_representation(value)
        return data


_made: dict[type[Shape], type[ShapeSerializer]] = {}


def shape_serializer(shape: type[Shape]) -> type[ShapeSerializer]:
    """The serializer of ``shape`` (one class per shape, named after it: the schema's
    component name). Subclass it to add fields that only HTTP shows."""
    made = _made.get(shape)
    if made is None:
        attrs = {name: _drf_field(hint, spec) for name, (hint, spec) in fields_of(shape).items()}
        attrs["shape"] = shape
        attrs["__module__"] = shape.__module__
        attrs["__doc__"] = shape.description or shape.__doc__
        made = _made[shape] = type(f"{shape.__name__}Serializer", (ShapeSerializer,), attrs)
    return made
