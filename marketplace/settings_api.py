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
    return {
        "REST_FRAMEWORK": rest_framework,
        "SIMPLE_JWT": simple_jwt,
        "API_TAGS": API_TAGS,
        "SPECTACULAR_SETTINGS": SPECTACULAR_SETTINGS,
    }


# The schema's areas (core.api.schema.AutoSchema.get_tags): a path's first part under
# /api/v1/ is its area, unless named here.
API_TAGS = {
    "me": "auth",
    "events": "realtime",
    "notifications": "realtime",
    "settlement_lines": "settlements",
    "wallet": "settlements",
    "processes": "catalogue",
    "healthz": "health",
    "photo_uploads": "photos",
    "photo_files": "photos",
}
API_TAG_DESCRIPTIONS = [
    {"name": "auth", "description": "Register, log in, refresh and revoke tokens, change the password; who am I."},
    {"name": "jobs", "description": "An SME's jobs: price, post, follow, cancel, dispute; a job's audit trail."},
    {"name": "board", "description": "A factory's job board: the open grab-mode jobs it may take, and taking one."},
    {"name": "offers", "description": "Dispatch offers made to a factory: list, accept, decline."},
    {"name": "assignments", "description": "A factory's shares of jobs, step by step: materials, progress, delivery."},
    {"name": "payments", "description": "Paying a job into escrow: the gateway's prepay and webhooks."},
    {"name": "settlements", "description": "A factory's money: wallet, settlement batches and their payout lines."},
    {
        "name": "realtime",
        "description": "The event stream: socket tickets, the stream over HTTP, notifications.",
    },
    {"name": "devices", "description": "Phones registered for mobile pushes."},
    {
        "name": "photos",
        "description": "Photo evidence's signed upload and file URLs (a job's photos are under jobs).",
    },
    {"name": "factory", "description": "A factory's own profile and capabilities (processes, prices, capacity)."},
    {"name": "catalogue", "description": "The processes jobs can be posted for, with their spec schemas."},
    {"name": "admin", "description": "Platform admins: verify factories, resolve disputes, settle, check the ledger."},
    {"name": "health", "description": "Whether the service reaches its database and Redis."},
    {"name": "sandbox", "description": "The sandbox payment gateway's pay page (not in production)."},
]

# The OpenAPI schema (drf-spectacular).
SPECTACULAR_SETTINGS = {
    "TITLE": "Shared-factory marketplace API",
    "DESCRIPTION": "Mobile API for SMEs and shared factories (API.md, v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operationIds from the path under the version (core.api.schema.AutoSchema).
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "TAGS": API_TAG_DESCRIPTIONS,
    # Every property described (each app's FIELDS), after drf-spectacular's own enum hook.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.docs.describe_properties",
        "core.api.schema.shared_header_schemas",
        "realtime.asyncapi.event_components",  # the event types and their data (core.events)
        "catalogue.api.schema.spec_schema_links",  # spec_schema typed, a job's spec linked to its process
    ],
    "ENUM_NAME_OVERRIDES": ENUM_NAME_OVERRIDES,
}
