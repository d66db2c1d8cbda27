"""The database settings, kept out of ``settings.py`` for its size: PostgreSQL from
``DATABASE_URL``, with a connection pool per process."""

from django.core.exceptions import ImproperlyConfigured

NO_DATABASE = (
    "no database: DATABASE_URL is unset and there is no var/env; start `make run` (an embedded PostgreSQL "
    "under var/) or set DATABASE_URL=postgres://user@host:5432/name / 未配置数据库：请先启动 make run（内嵌 "
    "PostgreSQL），或设置 DATABASE_URL"
)


def database_settings(env) -> dict:
    """``DATABASES``: empty when no database is named, so that what needs none (collectstatic,
    ``check``) still runs and anything that queries fails with ``NO_DATABASE`` (manage.py)."""
    url = env("DATABASE_URL")
    if not url:
        return {}
    database = env.db_url_config(url)
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_URL must name a PostgreSQL database (postgres://...), not {database['ENGINE']}"
        )
    database.setdefault("CONN_MAX_AGE", 0)
    # A connection that died with a PostgreSQL restart is noticed and replaced, not reused.
    database["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_POOL", default=True):
        # Each process keeps its PostgreSQL connections in psycopg's pool (Django's built-in
        # pool): under ASGI CONN_MAX_AGE must stay 0, and a new connection per request (a
        # backend fork) cost ~9 ms here (docs/performance.md). The pool checks a connection
        # before lending it (CONN_HEALTH_CHECKS), so a PostgreSQL restart still heals.
        #
        # After PostgreSQL was away, psycopg_pool retries each lost connection with an
        # exponential backoff (1, 2, 4, 8, 16 s ...) for ``reconnect_timeout`` (5 minutes by
        # default): after a 20 s outage the next attempt could be 16 s off, and requests waited
        # for it (9.4 s measured, issue 27). With a short ``reconnect_timeout`` an attempt
        # gives up within seconds and the next request that finds the pool empty starts a
        # fresh one at once, so the first requests after PostgreSQL returns are served within
        # about a second. ``connect_timeout`` bounds a connect to a host that does not answer
        # (libpq waits for the kernel otherwise), ``timeout`` how long a request waits for a
        # connection before it answers 503.
        options = database.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=2))
        options["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
            "reconnect_timeout": env.float("DATABASE_POOL_RECONNECT_SECONDS", default=2.0),
        }
    return {"default": database}
