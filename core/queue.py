"""Sending Celery tasks from a transaction without making the broker a dependency of
correctness. A task is sent after commit; if the broker (Redis) cannot take it, the request
still succeeds and a log line says so: every task sent this way has a beat sweep that
derives the same work from the database (stored webhooks, pending refunds, approved
batches, payments the gateway says were paid)."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def send(task, *args, **options) -> bool:
    """Send now; False (and a warning) when the broker is unreachable."""
    try:
        task.apply_async(args=args, **options)
    except Exception:  # kombu/redis connection errors of many kinds: the sweep does the work
        logger.warning("broker unreachable: %s(%s) not sent; its sweep will do it", task.name, args, exc_info=True)
        return False
    return True


def send_after_commit(task, *args, **options) -> None:
    transaction.on_commit(lambda: send(task, *args, **options))
