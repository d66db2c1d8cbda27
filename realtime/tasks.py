from celery import shared_task

from realtime.services import connections_purge, push_for_events, tickets_purge


@shared_task(bind=True, acks_late=True, task_reject_on_worker_lost=True, max_retries=2)
def push_for_events_task(self, event_ids: list[int]) -> int:
    """Pushes for numbered events; failed ones are tried again in 10 s and 40 s (an offer
    lives 60 s), each push at most three times in all."""
    sent, failed = push_for_events(event_ids=event_ids)
    if failed and self.request.retries < self.max_retries:
        raise self.retry(countdown=10 * 4**self.request.retries)
    return sent


@shared_task
def realtime_purge_task() -> int:
    return tickets_purge() + connections_purge()
