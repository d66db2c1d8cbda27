from rest_framework import serializers

from core.api.base import StrictSerializer
from core.models import StreamEvent
from realtime.models import Device


class TicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    expires_at = serializers.DateTimeField()


class EventSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = StreamEvent
        fields = ["seq", "type", "at", "data"]


class EventPageSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    last_seq = serializers.IntegerField(help_text="The newest seq of the company's stream right now.")


class EventsQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=2**62, required=False, default=0)
    page_size = serializers.IntegerField(min_value=1, max_value=500, required=False, default=100)


class DeviceInputSerializer(StrictSerializer):
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    token = serializers.CharField(min_length=8, max_length=512)


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "platform", "token", "created_at"]
