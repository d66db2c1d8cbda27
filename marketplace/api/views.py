import redis
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken

from marketplace import services
from marketplace.api.serializers import MeSerializer, RegisterInputSerializer, RegisterOutputSerializer
from marketplace.idempotency import idempotent
from marketplace.selectors import company_for_user


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=RegisterInputSerializer, responses={201: RegisterOutputSerializer})
    @idempotent
    def post(self, request):
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company_data = data.validated_data["company"]
        user, company = services.company_register(
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            company_name=company_data["name"],
            kind=company_data["kind"],
            lat=company_data.get("lat"),
            lng=company_data.get("lng"),
            address=company_data.get("address", ""),
        )
        refresh = RefreshToken.for_user(user)
        body = RegisterOutputSerializer(
            {"user": user, "company": company, "access": str(refresh.access_token), "refresh": str(refresh)}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        company = company_for_user(request.user)
        return Response(
            MeSerializer({"user": request.user, "company": company, "is_staff": request.user.is_staff}).data
        )


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
