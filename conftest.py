"""Fixtures shared by every app's tests and the cross-app flows in tests/."""

import importlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.servers import PrivatePostgres, PrivateRedis, free_port

ROOT = Path(__file__).resolve().parent

# Every event the suite emits is checked against its class (core.events), in this process
# and in the servers and workers the tests start (they inherit the environment).
# Every seam call likewise, against its declared arguments and transaction (core.seams).
os.environ["EVENTS_VALIDATE"] = os.environ["SEAMS_CHECK"] = "1"


@pytest.fixture(autouse=True)
def _events_validate(settings):
    settings.EVENTS_VALIDATE = settings.SEAMS_CHECK = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is slow on purpose; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _catalogue(request):
    """The process catalogue comes from a data migration; a transactional test's flush
    empties it, so put it back for whichever test runs next."""
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from catalogue.models import Process

    if not Process.objects.exists():
        # The rows the data migration seeds (orders 0002, from before the catalogue app).
        for row in importlib.import_module("orders.migrations.0002_seed_processes").PROCESSES:
            Process.objects.update_or_create(code=row["code"], defaults={**row, "unit": "piece"})
        # ...and their inspection checklists (catalogue 0004).
        from django.apps import apps

        importlib.import_module("catalogue.migrations.0004_seed_inspection_items").seed(apps, None)


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread (the test
    # client runs requests in it); a Chinese request must not make the next test Chinese.
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache (Redis in the test run); each test starts clean.
    cache.clear()
    yield


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def auth():
    """auth(user) -> an APIClient carrying the user's bearer token."""
    return client_for


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def process_env(**extra) -> dict:
    """Environment for a real worker/beat/web subprocess that shares the test database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        PYTHONPATH=str(ROOT),
        LOG_TICKS="1",  # the tests read the processes' logs for the dispatch tick
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _purge_queue():
    from marketplace.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


def _spawn(args, log, **extra_env):
    """A real Celery process on the test database and Redis, its output in ``log``."""
    with open(log, "w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "marketplace", *args],
            cwd=ROOT,
            env=process_env(**extra_env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    proc.log_path = log
    return proc


def _stop(processes):
    for proc in processes:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """start_worker(**env) -> a real ``celery -A marketplace worker`` process (extra env on
    top). Tests must commit their data (``transactional_db``) for the worker to see it."""
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must point at a Redis server for the worker tests")
    _purge_queue()
    started = []

    def start(**extra_env):
        name = f"test{len(started)}@%h"
        proc = _spawn(
            [
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                name,
            ],
            tmp_path / f"worker{len(started)}.log",
            **extra_env,
        )
        started.append(proc)
        deadline = time.monotonic() + 30
        while "ready." not in proc.log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"worker did not start:\n{proc.log_path.read_text()}")
            time.sleep(0.2)
        return proc

    yield start
    _stop(started)
    connection.close()


@pytest.fixture
def celery_worker_process(start_worker):
    return start_worker()


@pytest.fixture
def start_beat(transactional_db, tmp_path):
    """start_beat(**env) -> a real ``celery -A marketplace beat`` process; stopped at teardown."""
    started = []

    def start(**extra_env):
        n = len(started)
        proc = _spawn(
            ["beat", "--loglevel", "INFO", "-s", str(tmp_path / f"beat-schedule-{n}")],
            tmp_path / f"beat{n}.log",
            **extra_env,
        )
        started.append(proc)
        return proc

    yield start
    _stop(started)


@pytest.fixture
def dead_redis_url():
    """A Redis URL where nothing listens: a port this test holds bound and never listens on,
    so a connection is refused at once and no server can start there meanwhile."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{held.getsockname()[1]}/0"


def wait_for(predicate, timeout=20.0, interval=0.1, message="condition"):
    """Poll until predicate() is truthy; returns its value or fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out waiting for {message}")


@pytest.fixture
def eager_celery_live(live_server, settings):
    """Tasks run in-process (eager), and the sandbox gateway's webhooks reach a live server
    on the test database, so an HTTP-only test sees the whole payment round trip."""
    from marketplace.celery import app

    settings.PAYMENT_WEBHOOK_BASE_URL = live_server.url
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield live_server
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def eager_celery(transactional_db):
    """Tasks run in-process at commit (for service tests that follow money to the end)."""
    from marketplace.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def start_web(transactional_db, tmp_path):
    """start_web(**env) -> base URL of a real web process (gunicorn with uvicorn workers
    serving ``marketplace.asgi``: HTTP and the WebSocket) on the test database. The process
    has its own event loop and hub, so a socket test sees exactly what a phone would."""
    started = []

    def start(**extra_env):
        port = free_port()
        log = tmp_path / f"web{len(started)}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "marketplace.asgi:application",
                    "-k",
                    "marketplace.server.UvicornWorker",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(extra_env.pop("WORKERS", 1)),
                    "--access-logfile",
                    "-",  # as the Procfile runs it: the access lines are in the log too
                ],
                cwd=ROOT,
                env=process_env(DEBUG="1", **extra_env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        proc.log_path, proc.port = log, port
        started.append(proc)
        import urllib.request

        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"web did not start:\n{log.read_text()}")
                time.sleep(0.2)
        proc.url = f"http://127.0.0.1:{port}"
        proc.ws_url = f"ws://127.0.0.1:{port}/ws/v1/events"
        return proc

    yield start
    _stop(started)
    connection.close()


@pytest.fixture
def private_redis():
    """A Redis of the test's own (tests/servers.py) that it may stop and start again."""
    server = PrivateRedis().start()
    yield server
    server.close()


@pytest.fixture
def private_postgres():
    """A PostgreSQL cluster of the test's own (tests/servers.py) that it may stop and start;
    its folder is a temporary one outside pytest's (which the postgres user cannot enter)."""
    server = PrivatePostgres().start()
    yield server
    server.close()
