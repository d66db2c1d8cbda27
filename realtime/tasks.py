from celery import shared_task

from realtime.services import connections_purge, push_for_events, tickets_purge


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def push_for_events_task(event_ids: list[int]) -> int:
    return push_for_events(event_ids=event_ids)


@shared_task
def realtime_purge_task() -> int:
    return tickets_purge() + connections_purge()
