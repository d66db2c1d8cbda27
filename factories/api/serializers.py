from rest_framework import serializers

from core.api.base import StrictSerializer
from factories.models import Capability, FactoryProfile

MAX_PRICE_FEN = 100_000_00
MAX_CAPACITY = 10_000_000


class FactoryProfileSerializer(serializers.ModelSerializer):
    verified = serializers.BooleanField(read_only=True)
    rating = serializers.FloatField(read_only=True, allow_null=True)
    acceptance_rate = serializers.FloatField(read_only=True, allow_null=True)
    on_time_rate = serializers.FloatField(read_only=True, allow_null=True)
    name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = FactoryProfile
        fields = [
            "name",
            "lat",
            "lng",
            "service_radius_km",
            "online",
            "offline_reason",
            "verified",
            "verification",
            "rating",
            "rating_count",
            "acceptance_rate",
            "on_time_rate",
            "jobs_taken",
            "jobs_completed",
            "cancellations",
        ]
        read_only_fields = [f for f in fields if f not in ("lat", "lng", "service_radius_km", "online")]


class FactoryProfileInputSerializer(StrictSerializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False)
    service_radius_km = serializers.IntegerField(min_value=1, max_value=500, required=False)
    online = serializers.BooleanField(required=False)


class CapabilitySerializer(serializers.ModelSerializer):
    process = serializers.CharField(source="process.code")

    class Meta:
        model = Capability
        fields = ["id", "process", "unit_price_fen", "daily_capacity", "min_quantity", "lead_time_days"]


class CapabilityInputSerializer(StrictSerializer):
    process = serializers.CharField(max_length=64)
    unit_price_fen = serializers.IntegerField(min_value=1, max_value=MAX_PRICE_FEN)
    daily_capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY)
    min_quantity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, default=1)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=90, default=0)


class CapabilityUpdateSerializer(StrictSerializer):
    unit_price_fen = serializers.IntegerField(min_value=1, max_value=MAX_PRICE_FEN, required=False)
    daily_capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, required=False)
    min_quantity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, required=False)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=90, required=False)


class VerifyInputSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=FactoryProfile.Verification.choices, default="verified")
