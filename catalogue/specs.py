"""A job's spec is validated against its process's JSON Schema, errors reported per field."""

import jsonschema
from django.utils.translation import gettext as _

from core.errors import InvalidInputError


def _field_of(error) -> str:
    if error.validator == "required":
        # "'color' is a required property": the field is the missing property, not the object.
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return missing[0] if missing else "spec"
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = [name for name in error.instance if name not in allowed]
        return extra[0] if extra else "spec"
    path = [str(part) for part in error.absolute_path]
    return ".".join(path) if path else "non_field_errors"


def spec_errors(schema: dict, spec) -> dict:
    """Per-field messages for ``spec`` against ``schema``; empty when it is valid."""
    validator = jsonschema.Draft202012Validator(schema)
    fields: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(spec), key=lambda e: list(map(str, e.absolute_path))):
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            for name in [n for n in error.instance if n not in allowed]:
                fields.setdefault(str(name), []).append("Unknown field for this process.")
            continue
        fields.setdefault(_field_of(error), []).append(error.message[:300])
    return fields


def _has_nul(value) -> bool:
    """Any NUL character in the spec's keys or strings (iterative: the parser bounds depth,
    but a spec can also come from code)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            stack.extend(k for pair in item.items() for k in pair)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def spec_validate(schema: dict, spec) -> None:
    """Raise a 400 naming each bad field of the spec, as ``fields.spec.<name>``."""
    if _has_nul(spec):
        # PostgreSQL cannot store NUL in JSON text; it is never meaningful in a spec.
        raise InvalidInputError(
            _("The spec contains a NUL character."),
            code="invalid_spec",
            fields={"spec": {"non_field_errors": [_("NUL characters are not allowed.")]}},
        )
    fields = spec_errors(schema, spec)
    if fields:
        raise InvalidInputError(_("The spec does not match the process."), code="invalid_spec", fields={"spec": fields})
