"""Thin Celery entry points for orders; each reads the truth from the database."""

from celery import shared_task
from django.db import OperationalError

from orders import services


@shared_task(autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def dispatch_run_batch_task() -> int:
    """Beat, every MATCHING_BATCH_SECONDS: expire overdue offers, then offer open jobs."""
    batch = services.dispatch_run_batch()
    return batch.offers_made if batch else 0
