import logging

from core.logfilters import QuietTicks


def _record(name, level, message):
    return logging.LogRecord(name, level, __file__, 1, message, None, None)


def test_quiet_ticks_drops_the_dispatch_tick_and_keeps_everything_else():
    quiet = QuietTicks()
    tick = "Task orders.tasks.dispatch_run_batch_task[1] succeeded in 0.01s: 0"
    assert quiet.filter(_record("celery.app.trace", logging.INFO, tick)) is False
    assert quiet.filter(_record("celery.beat", logging.INFO, "Scheduler: Sending due task dispatch-batch")) is False
    assert quiet.filter(_record("celery.app.trace", logging.ERROR, tick)) is True  # a failing tick is news
    assert quiet.filter(_record("celery.app.trace", logging.INFO, "Task payments.tasks.refund_execute_task ok")) is True
    assert quiet.filter(_record("orders.tasks", logging.INFO, "dispatch batch 7: 2 offer(s) for 2 job(s)")) is True
