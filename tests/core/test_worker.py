from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import wait_for
from core.models import IdempotencyRecord
from core.tasks import idempotency_records_purge_task


@pytest.mark.slow
def test_real_worker_process_runs_a_task_from_redis(celery_worker_process):
    # given: an expired record, committed so the worker process can see it
    old = IdempotencyRecord.objects.create(
        scope="anon", key="old", method="POST", path="/", request_hash="h", response_status=201
    )
    IdempotencyRecord.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=2))
    # when: the task travels through Redis to the worker process
    idempotency_records_purge_task.delay()
    # then
    wait_for(lambda: not IdempotencyRecord.objects.filter(id=old.id).exists(), message="worker to purge")
    assert "idempotency_records_purge_task" in celery_worker_process.log_path.read_text()
