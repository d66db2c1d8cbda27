"""Pieces every app's API shares."""

from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """DRF's parser, except that absurdly deep nesting is a 400 too (not a RecursionError)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if _has_lone_surrogate(data):
            # "\ud800" is valid JSON but no text: PostgreSQL could never store it.
            raise ParseError("JSON parse error - a string holds an unpaired surrogate (not valid text).")
        return data


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (a typo is a 400, not a no-op)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


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
