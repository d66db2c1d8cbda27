"""A real worker process (not eager mode) carries a sandbox payment to an open job."""

import pytest
from rest_framework.test import APIClient

from conftest import wait_for
from orders.models import Job
from payments import ledger, services
from payments.models import GatewayMessage
from tests import fixtures


@pytest.mark.slow
def test_worker_pays_a_job_through_the_sandbox_webhook(live_server, start_worker):
    # given: a worker whose sandbox gateway calls the live server's webhook endpoint
    worker = start_worker(PAYMENT_WEBHOOK_BASE_URL=live_server.url)
    job = fixtures.job(paid=False, quantity=8000, unit_price_fen=15)
    # when: the SME pays on the sandbox's page
    response = APIClient().post(fixtures.pay_path(job.payment))
    assert response.status_code == 200
    # then: the worker delivers the signed webhook, the web stores it, the worker applies it
    # (the job may open first through the payment-status sweep, which asks the gateway; the
    # stored event is then applied as a no-op, so wait for both)
    wait_for(lambda: Job.objects.get(id=job.id).status == "open", timeout=30, message="job to open")
    wait_for(
        lambda: GatewayMessage.objects.filter(processed_at__isnull=False).exists(),
        timeout=30,
        message="the stored webhook to be applied",
    )
    assert ledger.account_balance(f"escrow:job:{job.id}") == 120_000
    event = GatewayMessage.objects.get()
    assert (event.event_type, event.processed_at is not None, event.error) == ("payment.succeeded", True, "")
    log = worker.log_path.read_text()
    assert "sandbox_webhook_deliver_task" in log
    assert "webhook_process_task" in log


@pytest.mark.slow
def test_worker_killed_with_the_webhook_in_flight_the_sweep_still_opens_the_job(live_server, start_worker, settings):
    # given: a worker holding a webhook delivery that is due in 5 s
    settings.SANDBOX_TEST_KNOBS = True
    worker = start_worker(PAYMENT_WEBHOOK_BASE_URL=live_server.url)
    job = fixtures.job(paid=False, quantity=8000, unit_price_fen=15)
    assert APIClient().post(fixtures.pay_path(job.payment) + "?delay=5").status_code == 200
    wait_for(lambda: "sandbox_webhook_deliver_task" in worker.log_path.read_text(), message="the worker to take it")
    # when: the worker is killed before it delivers (its message returns only after the
    # visibility timeout, half an hour later)
    worker.kill()
    worker.wait(timeout=10)
    assert Job.objects.get(id=job.id).status == "awaiting_payment"
    # then: the reconciliation sweep asks the gateway and opens the job
    assert services.payments_reconcile(older_than_seconds=0) == 1
    assert Job.objects.get(id=job.id).status == "open"
    assert ledger.account_balance(f"escrow:job:{job.id}") == 120_000
    assert not GatewayMessage.objects.exists()
