"""The database settings, kept out of ``settings.py`` for its size: PostgreSQL from
``DATABASE_URL`` with a connection pool per process, or the embedded SQLite file."""


def database_settings(env, var_dir) -> dict:
    url = env("DATABASE_URL")
    if url:
        database = env.db_url_config(url)
    else:
        var_dir.mkdir(parents=True, exist_ok=True)
        # Web, worker, beat and `simulate` share the file: WAL lets readers work beside the one
        # writer, IMMEDIATE takes the write lock when a transaction starts (so two writers queue
        # on the busy timeout instead of failing with "database is locked" half-way).
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(var_dir / "marketplace.sqlite3"),
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            },
        }
    database.setdefault("CONN_MAX_AGE", 0)
    # A connection that died with a PostgreSQL restart is noticed and replaced, not reused.
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", default=True):
        # Each process keeps its PostgreSQL connections in psycopg's pool (Django's built-in
        # pool): under ASGI CONN_MAX_AGE must stay 0, and a new connection per request (a
        # backend fork) cost ~9 ms here (README "Under load"). The pool checks a connection
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
    return database
