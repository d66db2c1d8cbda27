"""``GET /healthz``: whether this process reaches its database and Redis."""

import redis
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace import docs


@extend_schema_view(get=docs.health)
class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.ChoiceField(choices=["ok", "degraded", "down"]),
                "db": serializers.CharField(),
                "database": serializers.CharField(),
                "redis": serializers.CharField(),
                "broker": serializers.CharField(),
            },
        ),
    )
    def get(self, request):
        body = {
            "status": "ok",
            "db": "ok",
            "database": connection.vendor,
            "redis": "absent",
            "broker": "redis" if settings.REDIS_URL else "filesystem",
        }
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any failure to reach the database is "down", never a 500
            body["db"] = "down"
            body["status"] = "down"
        if settings.REDIS_URL:
            try:
                redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
                body["redis"] = "ok"
            except Exception:  # any failure to reach Redis: degraded, not down
                body["redis"] = "down"
                if body["status"] == "ok":
                    body["status"] = "degraded"
        code = status.HTTP_503_SERVICE_UNAVAILABLE if body["status"] == "down" else status.HTTP_200_OK
        return Response(body, status=code)
