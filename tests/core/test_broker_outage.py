"""A worker outlives its broker (issue 27): Redis stopped under a real ``celery worker`` run as
the Procfile runs it, and started again; the same worker process consumes the next task, and
finds the work whose task was lost meanwhile at once (its recovery sweeps, marketplace.celery),
with no beat running.

With celery and kombu 5.7.0 as released, a worker holding an unacknowledged message when the
broker went away (a task waiting for its countdown, as the sandbox's delayed webhooks do, or
a late-ack task running) exited with ``Unrecoverable error: AttributeError("'NoneType' object
has no attribute 'hostname'")``; marketplace/celery.py says why and holds the patch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import _purge_queue, _spawn, _stop, wait_for
from core.models import IdempotencyRecord
from core.tasks import idempotency_records_purge_task
from marketplace.celery import app
from orders import services as order_services
from payments.gateways.sandbox.signing import event_body
from payments.models import Refund
from payments.services import webhook_receive
from tests import fixtures


def _send(broker_url: str, **options) -> None:
    with app.connection_for_write(broker_url) as connection:
        idempotency_records_purge_task.apply_async(connection=connection, **options)


def _expired_record(key: str) -> IdempotencyRecord:
    record = IdempotencyRecord.objects.create(
        scope="anon", key=key, method="POST", path="/", request_hash="h", response_status=201
    )
    IdempotencyRecord.objects.filter(id=record.id).update(created_at=timezone.now() - timedelta(days=2))
    return record


@pytest.mark.slow
def test_worker_consumes_again_after_redis_returns_without_a_restart(transactional_db, private_redis, tmp_path):
    # given: a worker as the Procfile starts it (prefork, gossip, mingle), on a private Redis,
    # holding a task that waits for its countdown (an unacknowledged message)
    worker = _spawn(
        ["worker", "--loglevel", "INFO", "--concurrency", "1", "-n", "outage@%h"],
        tmp_path / "worker.log",
        REDIS_URL=private_redis.url,
    )
    try:
        log = worker.log_path.read_text
        wait_for(lambda: "ready." in log(), timeout=60, message="the worker to start")
        _send(private_redis.url, countdown=600)
        wait_for(lambda: "received" in log(), message="the worker to hold the countdown task")
        # when: Redis goes away and comes back (on the same port)
        private_redis.stop()
        wait_for(lambda: "Connection to broker lost" in log(), message="the worker to notice")
        user, company = fixtures.sme()
        job = fixtures.job((user, company))
        order_services.job_cancel(job_id=job.id, sme=company, user=user)  # its refund task goes nowhere
        private_redis.start()
        wait_for(lambda: log().count("Connected to redis") >= 2, timeout=60, message="the worker to reconnect")
        # then: the refund whose task was lost is made at once (no beat runs here)
        refund = Refund.objects.get(key=f"refund:job:{job.id}")
        wait_for(
            lambda: Refund.objects.get(id=refund.id).status == "succeeded", timeout=15, message="the refund to be made"
        )
        # and the same process takes the next task, and never said it could not go on
        record = _expired_record("after-the-outage")
        _send(private_redis.url)
        wait_for(
            lambda: not IdempotencyRecord.objects.filter(id=record.id).exists(),
            timeout=30,
            message="the worker to run a task sent after the outage",
        )
        assert worker.poll() is None
        assert "Unrecoverable error" not in log()
    finally:
        _stop([worker])


@pytest.mark.slow
def test_a_starting_worker_applies_a_webhook_whose_task_was_lost(start_worker):
    # given: a payment's webhook stored by the web, its task lost with the broker's queue
    job = fixtures.job(paid=False)
    body, signature = event_body(
        "payment.succeeded", {"payment_id": job.payment.id, "charge_id": "ch_lost"}, event_id="evt_lost"
    )
    webhook_receive(provider="sandbox", raw_body=body, headers={"X-Signature": signature})
    _purge_queue()
    # when: a worker starts (and no beat runs)
    worker = start_worker()
    # then: it applies the stored event at once, and the job opens
    wait_for(lambda: job.__class__.objects.get(id=job.id).status == "open", timeout=15, message="the job to open")
    assert "recovery sweeps sent" in worker.log_path.read_text()
