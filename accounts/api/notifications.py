from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from accounts.api import docs
from accounts.selectors import company_for_user, notification_list_for_company
from core.models import StreamEvent


class NotificationSerializer(serializers.ModelSerializer):
    """A ``notification`` event of the company's stream, as a list row."""

    kind = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()

    class Meta:
        model = StreamEvent
        fields = ["id", "seq", "kind", "message", "data", "created_at"]

    def get_kind(self, event) -> str:
        return event.data.get("kind", "")

    def get_message(self, event) -> str:
        return event.data.get("message", "")

    def get_data(self, event) -> dict:
        return event.data.get("data", {})


@extend_schema_view(get=docs.notifications)
class NotificationListView(ListAPIView):
    """The company's notifications, newest first (e.g. why a factory was switched offline).
    They are the ``notification`` events of its real-time stream (``GET /api/v1/events``)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        company = company_for_user(self.request.user)
        if company is None or getattr(self, "swagger_fake_view", False):
            return StreamEvent.objects.none()
        return notification_list_for_company(company=company)
