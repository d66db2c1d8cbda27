"""Pieces every app's API shares."""

import copy
import json
import math

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

# No request body of ours is deeper than a few levels (a job's spec is the deepest); a
# deeper one is refused before any code walks it, so nothing can recurse out of its stack.
MAX_JSON_DEPTH = 32


class JSONParser(DRFJSONParser):
    """DRF's parser, and one guard for every JSON body: nesting deeper than MAX_JSON_DEPTH,
    non-finite numbers (NaN, Infinity: not JSON, and PostgreSQL refuses them) and strings
    that are no text (an unpaired surrogate) are a 400, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The request body is not usable JSON: nested too deeply.")) from None
        except ParseError as exc:
            # DRF's message is Python's ("JSON parse error - Expecting value: line 1 column
            # 14 (char 13)"); a person and an app get where it broke, in their language.
            raise ParseError(_not_json(exc.__context__)) from None
        problem = json_problem(data)
        if problem:
            raise ParseError(_("The request body is not usable JSON: %(problem)s.") % {"problem": problem})
        return data


def _not_json(cause) -> str:
    if isinstance(cause, json.JSONDecodeError):
        return _("The request body is not valid JSON (line %(line)d, column %(column)d).") % {
            "line": cause.lineno,
            "column": cause.colno,
        }
    return _("The request body is not valid JSON (send a JSON object in UTF-8).")


def json_problem(data) -> str:
    """What makes parsed JSON unusable, or "" (iterative: safe at any depth)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return _("nested deeper than %(depth)d levels") % {"depth": MAX_JSON_DEPTH}
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                # "\ud800" is valid JSON but no text: PostgreSQL could never store it.
                return _("a string holds an unpaired surrogate (not valid text)")
        elif isinstance(value, float) and not math.isfinite(value):
            return _("numbers must be finite (no NaN or Infinity)")
        elif isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return ""


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (a typo is a 400, not a no-op)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ``ModelSerializer``, working its fields out of the model once per class.

    DRF builds them from ``Meta`` and the model's fields on every instance: for a job with its
    shares about 1.4 ms of the request, more than reading the job. They depend on nothing
    else, so the first instance's are kept on the class (never bound), and each instance
    binds its own deep copy, as DRF does with declared fields. Not for a serializer whose
    fields change with its instance or context."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = cls._built_fields = super().get_fields()
        return copy.deepcopy(built)


# A date-time that names its offset (what ``OffsetDateTimeField`` takes), for the schema.
OFFSET_DATE_TIME_PATTERN = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$"


@extend_schema_field({"type": "string", "format": "date-time", "pattern": OFFSET_DATE_TIME_PATTERN})
class OffsetDateTimeField(serializers.DateTimeField):
    """An input date-time that says its offset (API.md "Times"): ``2026-12-12T18:00:00+08:00``.

    DRF takes a date alone ("2026-12-12") as midnight and a time without an offset as the
    service's time zone: for a deadline, an SME who meant "by the 12th" would get a day less.
    Both are a 400 saying what to send; any offset is accepted and kept as the instant it names.
    """

    default_error_messages = {
        "offset": gettext_lazy(
            "Send an ISO 8601 date-time with its offset, e.g. 2026-12-12T18:00:00+08:00; "
            "a date alone or a time without an offset is not accepted."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", self.default_error_messages["offset"])
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # a well-formed date-time that does not exist (2026-02-30T...)
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                self.fail("offset")
        return super().to_internal_value(value)


def validated(serializer_class, request) -> dict:
    """Parse the request body with ``serializer_class``; a bad body is a 400 in the error shape."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class EmptyInputSerializer(StrictSerializer):
    """For POSTs that take no body: still a JSON object, and no unknown fields."""


def money(amount_fen: int, currency: str = "CNY") -> dict:
    """Display form of an amount in fen: {"amount": "1234.50", "currency": "CNY"}."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(int(amount_fen)), 100)
    return {"amount": f"{sign}{whole}.{cents:02d}", "currency": currency}
