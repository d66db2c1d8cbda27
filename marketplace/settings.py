"""Settings, read from the environment (docs/operations.md lists every variable).

PostgreSQL always: production and the tests name it with DATABASE_URL; `make run` starts an
embedded one under var/ and writes its address, with this checkout's other local defaults,
to var/env, which is read here when DATABASE_URL is unset (so manage.py commands beside
`make run` use its database). Without REDIS_URL the Celery broker is kombu's filesystem
transport under var/broker, so worker and beat still run as real processes.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from marketplace.settings_api import api_settings
from marketplace.settings_database import database_settings
from marketplace.settings_dispatch import dispatch_settings
from marketplace.settings_frontdoor import frontdoor_settings
from marketplace.settings_photos import photo_settings
from marketplace.settings_wechatpay import wechatpay_settings

BASE_DIR = Path(__file__).resolve().parent.parent
# This checkout's local files (make run's PostgreSQL and var/env, the filesystem broker, beat's
# schedule, static files).
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
# `make run`'s local defaults (bin/run writes them): only where no database is named, and
# never over a variable that is set.
LOCAL_ENV_FILE = VAR_DIR / "env"
LOCAL_ENV_READ = not os.environ.get("DATABASE_URL") and LOCAL_ENV_FILE.is_file()
if LOCAL_ENV_READ:
    environ.Env.read_env(LOCAL_ENV_FILE)

DEV_SECRET_KEY = "dev-insecure-key-do-not-use-in-production"  # noqa: S105
DEV_WEBHOOK_SECRET = "dev-webhook-secret"  # noqa: S105

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, DEV_SECRET_KEY),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1"]),
    DATABASE_URL=(str, ""),
    REDIS_URL=(str, ""),
    PAYMENT_WEBHOOK_SECRET=(str, DEV_WEBHOOK_SECRET),
    PLATFORM_COMMISSION_BPS=(int, 500),
    MATCHING_BATCH_SECONDS=(float, 2.0),
    OFFER_TTL_SECONDS=(int, 60),
)

DEBUG = env("DEBUG")
# Check every emitted event against its class (core.events): on in DEBUG and in the tests.
EVENTS_VALIDATE = env.bool("EVENTS_VALIDATE", default=DEBUG)
# Check each seam call's argument types and transaction (core.seams): on in DEBUG and the tests.
SEAMS_CHECK = env.bool("SEAMS_CHECK", default=DEBUG)
SECRET_KEY = env("SECRET_KEY")
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key and DEBUG is off: set SECRET_KEY, or run beside `make run` "
        "(its var/env holds a local key), or DEBUG=1 for local work."
    )
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

# Transport security (OPERATIONS.md): on by default whenever DEBUG is off; a plain-HTTP setup
# (a local test stack, `make run`) switches them off one by one.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
# Behind a TLS-terminating proxy: e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER is HEADER_NAME,value, e.g. HTTP_X_FORWARDED_PROTO,https")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) or None
# A load balancer's health check may speak plain HTTP to the web process.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
# How many proxies in front of us append to X-Forwarded-For; 0 means the socket address is
# the client, and a client-sent X-Forwarded-For is ignored (throttles and lockouts key on it).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# Request bodies, the Content-Security-Policy: marketplace/settings_frontdoor.py.
globals().update(frontdoor_settings(env))
# Where the Django admin lives (a less obvious path keeps scanners off the login page).
ADMIN_URL = env("ADMIN_URL", default="admin/").strip("/") + "/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc from our own static files, no CDN
    "channels",
    # Our apps, bottom layer first (docs/architecture.md; `make lint` enforces the order).
    "core",
    "accounts",
    "catalogue",
    "realtime",
    "factories",
    "payments",
    "orders",
    "evidence",
    "marketplace",
]

MIDDLEWARE = [
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy below on every page
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the admin's CSS/JS under gunicorn
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out admin login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes watches every login (the admin's and the API's): after LOGIN_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is locked out for
# LOGIN_COOLOFF_MINUTES (429), whatever password comes next. Admins unlock in the admin
# ("Access attempts") or with `manage.py axes_reset`.
# Usernames are compared in their canonical form (accounts.identity) by the login, the login
# throttle and axes alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CanonicalUsernameBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.identity.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.api.tokens.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its start-up banner, once in every process

# The contract: /api/v1/jobs and /api/v1/jobs/ both answer; nothing redirects.
APPEND_SLASH = False

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "marketplace" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "payments.context_processors.sandbox_payments",
            ],
        },
    },
]

DATABASES = database_settings(env)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 1800}
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",  # one connection pool per process
            "LOCATION": REDIS_URL,
        }
    }
else:
    # kombu's filesystem transport: worker and beat are still real processes, exchanging
    # messages through files under var/broker.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"  # a host, or kombu warns that it assumes one
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Real-time (docs/architecture.md "Real-time events"): with Redis, numbered events reach every web process
# through the channel layer; without it each web process tails the outbox table.
ASGI_APPLICATION = "marketplace.asgi.application"
REALTIME_FANOUT = "redis" if REDIS_URL else "table"
# The layer's receive waits 5 s for a message (BZPOPMIN); the socket timeout must be longer.
_LAYER_HOST = {"address": REDIS_URL, "socket_timeout": 30}
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [_LAYER_HOST], "capacity": 999}}
    if REDIS_URL
    else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}
REALTIME_TAIL_SECONDS = env.float("REALTIME_TAIL_SECONDS", default=1.0 if REDIS_URL else 0.2)
REALTIME_PING_SECONDS = env.float("REALTIME_PING_SECONDS", default=25.0)
REALTIME_PRESENCE_SECONDS = env.float("REALTIME_PRESENCE_SECONDS", default=75.0)  # a socket silent longer is gone
# Each web process's hub logs what it decoded from the channel layer this often (when it did).
REALTIME_STATS_SECONDS = env.float("REALTIME_STATS_SECONDS", default=300.0)
REALTIME_TICKET_SECONDS = 60
PUSH_PROVIDER = env("PUSH_PROVIDER", default="sandbox")
# A phone's push token registered to another account moves to the caller only this soon after
# the caller gave its password (a sign-in on that phone); later it is a 409.
DEVICE_MOVE_LOGIN_SECONDS = env.int("DEVICE_MOVE_LOGIN_SECONDS", default=600)

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"  # SETTLEMENT_HOUR is local time
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost its broker tries again for ever (2, 4, ... 30 s apart); celery's default
# (100 tries) made it exit after about 46 minutes of a Redis outage.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Sending from a web request must not hang on a lost broker (core.queue logs and moves on).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# No task runs longer than this; an unacked message (a killed worker's) comes back after the
# visibility timeout, which must exceed the longest countdown (the sandbox's capped 600 s
# delay) and this limit, or it would be delivered twice while still waiting or running.
CELERY_TASK_TIME_LIMIT = 600
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Several beats may run; one schedules at a time (marketplace/beat.py): the one holding a
# lease it renews every third of this; a standby takes over within this (plus 2 s) of the
# leader dying or hanging.
CELERY_BEAT_SCHEDULER = "marketplace.beat:LeaderScheduler"
BEAT_LEASE_SECONDS = env.float("BEAT_LEASE_SECONDS", default=10.0)
SETTLEMENT_HOUR = env.int("SETTLEMENT_HOUR", default=2)  # daily batches are built at this local hour
# The sweeps that find work whose task or webhook was lost (README "Faults"): each runs this
# often and takes what has waited this long, so a loss costs at most about twice this. They
# also run once when a worker starts and whenever it gets its broker back (marketplace.celery).
# Shorter is faster recovery for more queries (each sweep is one query, plus a gateway call
# per item found: a payment still unpaid, a refund or payout not finished).
# Refunds and payouts (a paying batch is asked about at the gateway once a sweep):
MONEY_SWEEP_SECONDS = env.float("MONEY_SWEEP_SECONDS", default=10.0)
# Stored webhook events not yet applied:
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=5.0)
# Unpaid payments: those made in the last PAYMENT_RECONCILE_RECENT_SECONDS are asked about at
# the gateway every PAYMENT_RECONCILE_SECONDS (a payment's webhook lost: its job opens within
# about twice this), older ones (a week back) every PAYMENT_RECONCILE_ALL_SECONDS.
PAYMENT_RECONCILE_SECONDS = env.float("PAYMENT_RECONCILE_SECONDS", default=5.0)
PAYMENT_RECONCILE_RECENT_SECONDS = env.float("PAYMENT_RECONCILE_RECENT_SECONDS", default=1800.0)
PAYMENT_RECONCILE_ALL_SECONDS = env.float("PAYMENT_RECONCILE_ALL_SECONDS", default=60.0)
# The dashboard's charts are served from the cache; one older than this is redrawn by a
# worker while its last drawing is shown (marketplace/dashboard_cache.py).
DASHBOARD_CHART_FRESH_SECONDS = env.float("DASHBOARD_CHART_FRESH_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "settlement-daily": {
        "task": "payments.tasks.settlement_build_task",
        "schedule": crontab(hour=SETTLEMENT_HOUR, minute=0),
    },
    "auto-accept": {"task": "orders.tasks.assignments_auto_accept_due_task", "schedule": 300.0},
    "money-sweep": {
        "task": "payments.tasks.money_sweep_task",
        "schedule": MONEY_SWEEP_SECONDS,
    },
    # The gateway is the truth for "was it paid": unpaid-looking payments are asked about.
    "payments-reconcile": {
        "task": "payments.tasks.payments_reconcile_task",
        "schedule": PAYMENT_RECONCILE_SECONDS,
        "kwargs": {"newer_than_seconds": PAYMENT_RECONCILE_RECENT_SECONDS},
    },
    "payments-reconcile-all": {
        "task": "payments.tasks.payments_reconcile_task",
        "schedule": PAYMENT_RECONCILE_ALL_SECONDS,
        "kwargs": {"older_than_seconds": PAYMENT_RECONCILE_RECENT_SECONDS},
    },
    "expire-jobs": {"task": "orders.tasks.jobs_expire_due_task", "schedule": 60.0},
    # Events whose after-commit numbering was lost with a process (core.outbox).
    "outbox-sequence": {
        "task": "core.tasks.outbox_sequence_task",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=5.0),
    },
    "realtime-purge": {"task": "realtime.tasks.realtime_purge_task", "schedule": 600.0},
    "idempotency-purge": {"task": "core.tasks.idempotency_records_purge_task", "schedule": 3600.0},
    "photo-uploads-purge": {"task": "evidence.tasks.photo_uploads_purge_task", "schedule": 3600.0},
    "webhooks-pending": {
        "task": "payments.tasks.webhook_events_process_pending_task",
        "schedule": WEBHOOK_SWEEP_SECONDS,
    },
    "dispatch-batch": {
        "task": "orders.tasks.dispatch_run_batch_task",
        "schedule": env.float("MATCHING_BATCH_SECONDS", default=2.0),
        "options": {"expires": env.float("MATCHING_BATCH_SECONDS", default=2.0) * 2},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.identity.NonSpacePasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic fills it (make run); whitenoise serves it
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Photos (var/photos, or S3-compatible object storage), their limits: settings_photos.py.
globals().update(photo_settings(env, VAR_DIR, REQUEST_BODY_LIMITS, CONTENT_SECURITY_POLICY))  # noqa: F821

# The API's framework (DRF), its tokens (simplejwt) and its schema (drf-spectacular):
# marketplace/settings_api.py.
globals().update(api_settings(env, TRUSTED_PROXIES))

# The beat's frequent entries (a minute apart or less) tick quietly on the console.
QUIET_TICKS = [
    marker
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if isinstance(entry["schedule"], int | float) and entry["schedule"] <= 60
    for marker in (name, entry["task"].rsplit(".", 1)[-1])
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "quiet_ticks": {"()": "core.logfilters.QuietTicks", "markers": QUIET_TICKS},
        "redact_secrets": {"()": "core.logfilters.RedactSecrets"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_secrets"] + ([] if env.bool("LOG_TICKS", default=False) else ["quiet_ticks"]),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Domain settings (OPERATIONS.md).
# With DEBUG off the gateway must be chosen explicitly: the sandbox takes no real money, so it
# must never be what production gets by default.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="sandbox" if DEBUG else "")
if not PAYMENT_PROVIDER:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER is not set and DEBUG is off: choose the gateway (e.g. PAYMENT_PROVIDER=sandbox for a "
        "trial without real money)."
    )
# Each provider's gateway (payments.gateways.interface), by PAYMENT_PROVIDER's value.
PAYMENT_GATEWAYS = {
    "sandbox": "payments.gateways.sandbox.gateway.SandboxGateway",
    "wechatpay": "payments.gateways.wechatpay.gateway.WechatPayGateway",
}
if PAYMENT_PROVIDER not in PAYMENT_GATEWAYS:
    raise ImproperlyConfigured(f"PAYMENT_PROVIDER must be one of {', '.join(PAYMENT_GATEWAYS)}")
# WeChat Pay (API v3) when PAYMENT_PROVIDER=wechatpay: its variables, refused when incomplete.
globals().update(wechatpay_settings(env, PAYMENT_PROVIDER, CELERY_BEAT_SCHEDULE))
# The sandbox pay page's test knobs (?duplicate=1, ?delay=N): on with DEBUG, or explicitly.
SANDBOX_TEST_KNOBS = env.bool("SANDBOX_TEST_KNOBS", default=DEBUG)
PAYMENT_WEBHOOK_SECRET = env("PAYMENT_WEBHOOK_SECRET")
PLATFORM_COMMISSION_BPS = env("PLATFORM_COMMISSION_BPS")
MATCHING_BATCH_SECONDS = env("MATCHING_BATCH_SECONDS")
OFFER_TTL_SECONDS = env("OFFER_TTL_SECONDS")
IDEMPOTENCY_TTL_HOURS = 24
# Where the sandbox gateway delivers its webhooks (our own web process).
PAYMENT_WEBHOOK_BASE_URL = env("PAYMENT_WEBHOOK_BASE_URL", default="http://127.0.0.1:8000")
# The sandbox gateway calls a webhook again on WeChat Pay's schedule (payments.tasks, about
# 24 h) times this: tests compress it (0.01 makes the first retries 0.15 s apart).
SANDBOX_NOTIFY_SCALE = env.float("SANDBOX_NOTIFY_SCALE", default=1.0)
# Tell the sandbox gateway to refuse some operations: e.g. SANDBOX_FAIL=refund,payout
SANDBOX_FAIL = set(env.list("SANDBOX_FAIL", default=[]))
CURRENCY = "CNY"
# A split job's share must be at least this part of the job (basis points), or the
# capability's minimum quantity, whichever is larger.
SPLIT_MIN_SHARE_BPS = env.int("SPLIT_MIN_SHARE_BPS", default=1000)
# Inspection window after delivery; then a beat task accepts automatically.
INSPECTION_WINDOW_HOURS = env.int("INSPECTION_WINDOW_HOURS", default=72)
# Quote: surcharge when the deadline is near (hours -> basis points).
URGENCY_SURCHARGE = [(24, 3000), (72, 1500)]
# Dispatch: marketplace/settings_dispatch.py.
globals().update(dispatch_settings(env))
