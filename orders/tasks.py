"""Thin Celery entry points for orders; each reads the truth from the database."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from core import queue
from orders import services

logger = logging.getLogger(__name__)


def _log_batch(batch) -> int:
    if batch and batch.offers_made:
        logger.info(
            "dispatch batch %s: %s offer(s) for %s job(s), %s unmatched",
            batch.id,
            batch.offers_made,
            batch.jobs,
            batch.unmatched,
        )
    return batch.offers_made if batch else 0


@shared_task(autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def dispatch_run_batch_task() -> int:
    """Beat, every MATCHING_BATCH_SECONDS: expire overdue offers, then plan the open jobs
    piece by piece (orders.services.shards): the largest piece here, every other one on the
    queue, so idle workers take them at the same time."""
    services.offers_expire()
    pieces = services.dispatch_pieces() or [[]]  # an empty piece: a batch with nothing to plan, counted
    expires = settings.MATCHING_BATCH_SECONDS * 2
    for piece in pieces[1:]:
        queue.send(dispatch_run_piece_task, piece, expires=expires)
    return _log_batch(services.dispatch_run_batch(shards=pieces[0]))


@shared_task(autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def dispatch_run_piece_task(shards) -> int:
    """One piece of a dispatch round, sent by ``dispatch_run_batch_task``."""
    return _log_batch(services.dispatch_run_batch(shards=[tuple(key) for key in shards]))


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def assignments_auto_accept_due_task() -> int:
    """Beat: deliveries past the inspection window are accepted (money released)."""
    return services.assignments_auto_accept_due()


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def jobs_expire_due_task() -> int:
    """Beat: open jobs that can no longer meet their deadline expire (escrow refunded)."""
    return services.jobs_expire_due()
