"""Thin Celery entry points for orders; each reads the truth from the database."""

from celery import shared_task
from django.db import OperationalError

from orders import services


@shared_task(autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def dispatch_run_batch_task() -> int:
    """Beat, every MATCHING_BATCH_SECONDS: expire overdue offers, then offer open jobs."""
    batch = services.dispatch_run_batch()
    return batch.offers_made if batch else 0


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def assignments_auto_accept_due_task() -> int:
    """Beat: deliveries past the inspection window are accepted (money released)."""
    return services.assignments_auto_accept_due()


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def jobs_expire_due_task() -> int:
    """Beat: open jobs that can no longer meet their deadline expire (escrow refunded)."""
    return services.jobs_expire_due()
