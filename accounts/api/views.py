from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.api.serializers import MeSerializer, RegisterInputSerializer, RegisterOutputSerializer
from accounts.selectors import company_for_user
from core.idempotency import idempotent


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
