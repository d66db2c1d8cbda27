"""The console a newcomer reads: the dispatch batch runs every 2 seconds and the outbox sweep
every 5, and their ticks (beat sending them, the worker receiving and finishing them) are not
news. The batch logs a line of its
own when it offered something. LOG_TICKS=1 shows the ticks again (the tests that watch real
processes do)."""

import logging

TICK_MARKERS = ("dispatch-batch", "dispatch_run_batch_task", "outbox-sequence", "outbox_sequence_task")


class QuietTicks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("celery") or record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any(marker in message for marker in TICK_MARKERS)
