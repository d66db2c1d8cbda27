from django.contrib.auth import get_user_model
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import services
from accounts.api import docs
from accounts.api.serializers import (
    LogoutInputSerializer,
    MeSerializer,
    MeUpdateInputSerializer,
    PasswordChangeInputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenPairSerializer,
)
from accounts.api.tokens import LoginRateThrottle, token_pair
from accounts.selectors import company_for_user
from core.api.base import validated
from core.errors import ForbiddenError
from core.idempotency import idempotent
from core.throttling import AnonRateThrottle, UserRateThrottle


@extend_schema_view(post=docs.register)
@method_decorator(never_cache, name="dispatch")  # tokens: no cache may keep them
class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=RegisterInputSerializer, responses={201: RegisterOutputSerializer})
    @idempotent(secret_fields=("access", "refresh"), replay=lambda request, body: _replayed(request, body))
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
        body = RegisterOutputSerializer({"user": user, "company": company, **_tokens(user)}).data
        return Response(body, status=status.HTTP_201_CREATED)


def _tokens(user) -> dict:
    return token_pair(user)


def _replayed(request, body: dict) -> dict:
    """A replayed registration (same key, same body, password included, within 24 h). The
    idempotency table keeps no tokens; fresh ones are issued only while the account is active
    and the password it was registered with is still its password. After a password change
    or a deactivation the replay answers the first ``user`` and ``company`` without tokens,
    and the client logs in."""
    user = get_user_model().objects.filter(id=body["user"]["id"]).first()
    password = request.data.get("password") if isinstance(request.data, dict) else None
    if user is not None and user.is_active and isinstance(password, str) and user.check_password(password):
        return {**body, **_tokens(user)}
    return body


@extend_schema_view(get=docs.me, patch=docs.me_update)
class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return self._me(request)

    @extend_schema(
        request=MeUpdateInputSerializer,
        responses=MeSerializer,
    )
    def patch(self, request):
        company = company_for_user(request.user)
        if company is None:
            raise ForbiddenError(_("Platform admins act for no company."))
        data = validated(MeUpdateInputSerializer, request)
        company = services.company_update(company_id=company.id, **data["company"])
        return self._me(request, company)

    def _me(self, request, company=None):
        company = company or company_for_user(request.user)
        return Response(
            MeSerializer({"user": request.user, "company": company, "is_staff": request.user.is_staff}).data
        )


@extend_schema_view(post=docs.token)
@method_decorator(never_cache, name="dispatch")  # tokens: no cache may keep them
class TokenObtainView(TokenObtainPairView):
    """Log in: ``{username, password}`` -> ``{access, refresh}``. Throttled per address and
    per username; too many wrong passwords lock the pair out (429 ``locked_out``)."""

    throttle_classes = [AnonRateThrottle, LoginRateThrottle]


@extend_schema_view(post=docs.token_refresh)
@method_decorator(never_cache, name="dispatch")  # tokens: no cache may keep them
class TokenRefreshRotateView(TokenRefreshView):
    """``{refresh}`` -> ``{access, refresh}``: the refresh token given is used up (a second
    use is 401), the new one replaces it."""


@extend_schema_view(post=docs.logout)
class LogoutView(APIView):
    @extend_schema(request=LogoutInputSerializer, responses={204: None})
    def post(self, request):
        data = validated(LogoutInputSerializer, request)
        services.refresh_token_revoke(user=request.user, refresh=data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(post=docs.password)
@method_decorator(never_cache, name="dispatch")  # tokens: no cache may keep them
class PasswordChangeView(APIView):
    throttle_classes = [UserRateThrottle, LoginRateThrottle]

    @extend_schema(request=PasswordChangeInputSerializer, responses=TokenPairSerializer)
    def post(self, request):
        data = validated(PasswordChangeInputSerializer, request)
        user = services.password_change(
            user=request.user, old_password=data["old_password"], new_password=data["new_password"], request=request
        )
        return Response(_tokens(user))
