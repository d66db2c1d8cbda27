"""A real worker process (not eager mode) carries a sandbox payment to an open job."""

import pytest
from rest_framework.test import APIClient

from conftest import wait_for
from orders.models import Job
from payments import ledger
from payments.models import WebhookEvent
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
    wait_for(lambda: Job.objects.get(id=job.id).status == "open", timeout=30, message="job to open")
    assert ledger.account_balance(f"escrow:job:{job.id}") == 120_000
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.processed_at is not None, event.error) == ("payment.succeeded", True, "")
    log = worker.log_path.read_text()
    assert "sandbox_webhook_deliver_task" in log
    assert "webhook_process_task" in log
