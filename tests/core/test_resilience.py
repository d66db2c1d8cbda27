"""Redis is an accelerator, not a dependency of correctness: with the cache or the broker
unreachable, requests are served (throttles let them through) and sends fail soft."""

import time

import pytest
from celery import Celery
from django.conf import settings as django_settings

from conftest import client_for
from core.queue import send
from orders import services as order_services
from tests import fixtures


@pytest.fixture
def redis_cache_down(settings, dead_redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead_redis_url}
    }


@pytest.mark.django_db
def test_reads_answer_200_with_the_cache_redis_down(redis_cache_down):
    owner = fixtures.sme()
    factory_user, factory = fixtures.factory()
    job = fixtures.job(owner)
    fixtures.job(mode="dispatch")
    order_services.dispatch_run_batch()
    for user, path in (
        (owner[0], f"/api/v1/jobs/{job.id}"),
        (factory_user, "/api/v1/offers"),
        (factory_user, "/api/v1/board"),
        (owner[0], "/api/v1/jobs"),
    ):
        response = client_for(user).get(path)
        assert response.status_code == 200, (path, response.content)


@pytest.mark.django_db
def test_healthz_is_degraded_not_down_while_redis_is_down(api, settings, dead_redis_url):
    settings.REDIS_URL = dead_redis_url
    response = api.get("/healthz")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["redis"], response.json()["db"]) == ("degraded", "down", "ok")


def test_send_to_an_unreachable_broker_returns_false_quickly(dead_redis_url):
    dead = Celery("dead", broker=dead_redis_url, set_as_current=False)  # shared tasks keep the real app
    dead.conf.broker_connection_timeout = 1
    dead.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}

    @dead.task(name="dead.noop")
    def noop():
        return None

    started = time.monotonic()
    assert send(noop) is False
    assert time.monotonic() - started < 10


def test_celery_redelivers_only_after_any_task_could_have_finished():
    # A killed worker's unacked message comes back after the visibility timeout; it must not
    # come back while a task may still be waiting for its countdown or running.
    from payments.gateways.sandbox.checkout import MAX_DELAY_SECONDS
    from payments.gateways.sandbox.delivery import SANDBOX_NOTIFY_HOP_SECONDS

    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > django_settings.CELERY_TASK_TIME_LIMIT
    assert visibility > MAX_DELAY_SECONDS + django_settings.CELERY_TASK_TIME_LIMIT
    assert visibility > SANDBOX_NOTIFY_HOP_SECONDS + django_settings.CELERY_TASK_TIME_LIMIT


def test_a_worker_never_gives_up_reconnecting_to_its_broker():
    # celery retries 100 times by default, 2 to 30 s apart: a worker left after ~46 minutes
    from marketplace.celery import app

    assert app.conf.broker_connection_max_retries is None
