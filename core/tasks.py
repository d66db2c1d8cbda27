from celery import shared_task

from core.idempotency import idempotency_records_purge
from core.outbox import events_sequence


@shared_task
def idempotency_records_purge_task() -> int:
    return idempotency_records_purge()


@shared_task
def outbox_sequence_task() -> int:
    """Number events whose after-commit numbering never ran (a process died in between)."""
    return events_sequence()
