"""Pieces every app's API shares."""

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (a typo is a 400, not a no-op)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def money(amount_fen: int, currency: str = "CNY") -> dict:
    """Display form of an amount in fen: {"amount": "1234.50", "currency": "CNY"}."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(int(amount_fen)), 100)
    return {"amount": f"{sign}{whole}.{cents:02d}", "currency": currency}
