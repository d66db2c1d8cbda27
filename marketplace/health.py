"""``GET /healthz``: whether this process reaches its database and Redis."""

import redis
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {"db": serializers.CharField(), "redis": serializers.CharField(), "broker": serializers.CharField()},
        )
    )
    def get(self, request):
        body = {"db": "ok", "redis": "absent", "broker": "redis" if settings.REDIS_URL else "filesystem"}
        healthy = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any failure to reach the database is "down", never a 500
            body["db"] = "down"
            healthy = False
        if settings.REDIS_URL:
            try:
                redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
                body["redis"] = "ok"
            except Exception:
                body["redis"] = "down"
                healthy = False
        return Response(body, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE)
