from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from accounts.api import docs
from accounts.models import Notification
from accounts.selectors import company_for_user, notification_list_for_company


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "data", "created_at", "read_at"]


@extend_schema_view(get=docs.notifications)
class NotificationListView(ListAPIView):
    """The company's notifications, newest first (e.g. why a factory was switched offline)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        company = company_for_user(self.request.user)
        if company is None or getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notification_list_for_company(company=company)
