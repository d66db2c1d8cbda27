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


class TaskSlot:
    """A Celery task that an app's services send without importing the module that defines
    it: the app's ``tasks`` module imports its services, so the services importing the
    tasks would make a loop. The tasks module fills the slot as it defines the task
    (``@slot.fill``); the app's ``ready()`` imports it, so every process that can send has
    it filled. Sending through an empty slot is a loud error, as calling an empty seam is."""

    def __init__(self, name: str):
        self.name = name
        self.task = None

    def fill(self, task):
        self.task = task
        return task

    def _task(self):
        if self.task is None:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"task slot {self.name} is empty: its tasks module was not imported")
        return self.task

    def send(self, *args, **options) -> bool:
        return send(self._task(), *args, **options)

    def send_after_commit(self, *args, **options) -> None:
        task = self._task()
        transaction.on_commit(lambda: send(task, *args, **options))

    def __repr__(self):
        return f"TaskSlot({self.name!r}, filled={self.task is not None})"
