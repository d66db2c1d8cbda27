"""The API's settings (Django REST framework and simplejwt), kept out of ``settings.py`` for
its size."""

from datetime import timedelta

# The schema's names for choice sets that share a field name (status, kind): drf-spectacular
# would otherwise name them by a hash.
ENUM_NAME_OVERRIDES = {
    "JobStatusEnum": "orders.models.Job.Status",
    "AssignmentStatusEnum": "orders.models.Assignment.Status",
    "PaymentStatusEnum": "payments.models.Payment.Status",
    "VerificationEnum": "factories.models.FactoryProfile.Verification",
    "CompanyKindEnum": "accounts.models.Company.Kind",
    "PhotoKindEnum": "evidence.models.Photo.Kind",
}


def api_settings(env, trusted_proxies: int) -> dict:
    rest_framework = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "accounts.authentication.CompanyJWTAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_PARSER_CLASSES": ["core.api.base.JSONParser"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
        "PAGE_SIZE": 50,
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
        "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
        "EXCEPTION_HANDLER": "core.errors.exception_handler",
        # Counters that hold under concurrency (core.throttling), keyed on the client address as
        # TRUSTED_PROXIES says (a client-sent X-Forwarded-For is not trusted by default).
        "DEFAULT_THROTTLE_CLASSES": [
            "core.throttling.AnonRateThrottle",
            "core.throttling.UserRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "anon": env("THROTTLE_ANON", default="600/min"),
            "user": env("THROTTLE_USER", default="6000/min"),
            # every login attempt, per username and per address (wrong passwords also lock out: axes)
            "login": env("THROTTLE_LOGIN", default="10/min"),
        },
        "NUM_PROXIES": trusted_proxies,
        "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    }

    simple_jwt = {
        "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=60)),
        "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
        "UPDATE_LAST_LOGIN": False,
        # A refresh token is good once: refreshing returns a new one and blacklists the old.
        "ROTATE_REFRESH_TOKENS": True,
        "BLACKLIST_AFTER_ROTATION": True,
        # Every token carries a hash of the password it was issued under: after a password
        # change every earlier token, access tokens included, is refused.
        "CHECK_REVOKE_TOKEN": True,
        "TOKEN_OBTAIN_SERIALIZER": "accounts.api.tokens.TokenObtainSerializer",
        "TOKEN_REFRESH_SERIALIZER": "accounts.api.tokens.TokenRefreshSerializer",
    }
    return {"REST_FRAMEWORK": rest_framework, "SIMPLE_JWT": simple_jwt}
