"""Login, refresh, logout and password change over JWT (API.md "Auth and identity").

- Login is throttled per address and per username (``LoginRateThrottle``) and watched by
  django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address,
  that pair is locked out (429 ``locked_out``) whatever password comes next.
- A refresh token is good once: refreshing blacklists it and returns a new one, atomically,
  so two requests with the same token cannot both succeed.
- Tokens carry a hash of the password they were issued under (simplejwt's revoke claim), so
  a password change refuses every earlier token; it also blacklists every refresh token.
- The password is compared exactly as registered: no field here trims white space.
"""

import hashlib
import time

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import PasswordField, TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from accounts.api.serializers import UsernameField
from accounts.identity import canonical_username
from accounts.lockout import LockedOutError, locked_out_message
from core.clientip import client_ip
from core.errors import error_body
from core.throttling import _CountingThrottle, hit


def lockout_response(request, *args, **kwargs):
    """django-axes' lockout page: the error shape for the API, a page for the admin."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("locked_out", locked_out_message()), status=429)
    page = TemplateResponse(request, "accounts/locked_out.html", {"message": locked_out_message()}, status=429)
    return page.render()  # axes returns it from its middleware, after Django's rendering step


def login_keys(ip: str, username) -> list[str]:
    """The counters of one login attempt: its address, and the account it names in canonical
    form (every variant of a name is one counter; a username that is no text is refused
    with a 400 by the login itself, after its address was counted)."""
    keys = [f"throttle_login-ip_{ip}"]
    if isinstance(username, str) and username:
        keys.append(f"throttle_login-user_{hashlib.sha256(canonical_username(username).encode()).hexdigest()[:32]}")
    return keys


class LoginRateThrottle(_CountingThrottle):
    """Login attempts, counted per address and per username: rotating usernames from one
    address and rotating addresses against one username are both held."""

    scope = "login"

    def cache_keys(self, request, view) -> list[str]:
        username = request.data.get("username") if isinstance(request.data, dict) else None
        return login_keys(self.get_ident(request), username)


def throttled_admin_login(login_view):
    """The Django admin's login, counted with the API's logins (same counters, same rate):
    a POST beyond the rate is a 429 page before any password is checked."""

    def view(request, *args, **kwargs):
        if request.method == "POST":
            rate = LoginRateThrottle()
            limit, seconds = rate.parse_rate(rate.get_rate())
            keys = login_keys(client_ip(request), request.POST.get("username"))
            allowed, wait = hit(keys, limit=limit, seconds=seconds)
            if not allowed:
                retry = int(wait) + 1
                message = f"Too many logins from here; try again in {retry} s. 登录过于频繁，请 {retry} 秒后再试。"
                page = TemplateResponse(request, "accounts/locked_out.html", {"message": message}, status=429)
                page["Retry-After"] = str(retry)
                return page
        return login_view(request, *args, **kwargs)

    return view


# When the user last gave its password (a login, a registration, a password change), in the
# refresh token and so in every access token refreshed from it (OpenID Connect's name for it):
# a phone's push token moves to another account only after a fresh login (realtime devices).
AUTH_TIME_CLAIM = "auth_time"


def token_pair(user) -> dict:
    """``{access, refresh}`` for a user who has just given its password."""
    refresh = RefreshToken.for_user(user)
    refresh[AUTH_TIME_CLAIM] = int(time.time())
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def login_age(request) -> float | None:
    """Seconds since the bearer of the request's token last gave its password, or None."""
    token = getattr(request, "auth", None)
    auth_time = token.get(AUTH_TIME_CLAIM) if token is not None and hasattr(token, "get") else None
    if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
        return None
    return time.time() - auth_time


class TokenObtainSerializer(TokenObtainPairSerializer):
    """simplejwt's login, with the password taken exactly as typed and axes' lockout
    reported as a 429 (axes flags the request it was handed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = UsernameField(write_only=True)
        self.fields["password"] = PasswordField(trim_whitespace=False)

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token[AUTH_TIME_CLAIM] = int(time.time())
        return token

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except Exception:
            if getattr(self.context.get("request"), "axes_locked_out", False):
                raise LockedOutError(locked_out_message()) from None
            raise


class TokenRefreshSerializer(serializers.Serializer):
    """``{refresh}`` -> ``{access, refresh}``; the refresh token given is used up."""

    refresh = serializers.CharField()
    access = serializers.CharField(read_only=True)

    def validate(self, attrs):
        try:
            refresh = RefreshToken(attrs["refresh"])  # signature, expiry, blacklist
        except TokenError as exc:
            raise InvalidToken(str(exc)) from None
        _use_up(refresh)
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise InvalidToken(_("No active account found for the given token."))
        if refresh.get(api_settings.REVOKE_TOKEN_CLAIM) != _password_hash(user):
            raise InvalidToken(_("The password changed since this token was issued."))
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _password_hash(user) -> str:
    return get_md5_hash_password(user.password)


def _use_up(refresh: RefreshToken) -> None:
    """Blacklist the token; if another request got there first, this one is refused."""
    outstanding, _created = OutstandingToken.objects.get_or_create(
        jti=refresh[api_settings.JTI_CLAIM],
        defaults={
            "user_id": refresh.get(api_settings.USER_ID_CLAIM),
            "token": str(refresh),
            "expires_at": datetime_from_epoch(refresh["exp"]),
        },
    )
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        raise InvalidToken(_("Token is blacklisted")) from None
