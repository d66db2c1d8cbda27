import logging

from core.logfilters import QuietTicks, RedactSecrets


def _record(name, level, message):
    return logging.LogRecord(name, level, __file__, 1, message, None, None)


def test_quiet_ticks_drops_the_frequent_ticks_and_keeps_everything_else(settings):
    # the settings mark the beat's entries a minute apart or less: dispatch, the outbox, the sweeps
    assert {"dispatch-batch", "dispatch_run_batch_task", "money_sweep_task", "webhooks-pending"} <= set(
        settings.QUIET_TICKS
    )
    assert "settlement_build_task" not in settings.QUIET_TICKS  # daily: news
    quiet = QuietTicks(markers=settings.QUIET_TICKS)
    tick = "Task orders.tasks.dispatch_run_batch_task[1] succeeded in 0.01s: 0"
    assert quiet.filter(_record("celery.app.trace", logging.INFO, tick)) is False
    assert quiet.filter(_record("celery.beat", logging.INFO, "Scheduler: Sending due task dispatch-batch")) is False
    assert quiet.filter(_record("celery.app.trace", logging.ERROR, tick)) is True  # a failing tick is news
    assert quiet.filter(_record("celery.app.trace", logging.INFO, "Task payments.tasks.refund_execute_task ok")) is True
    assert quiet.filter(_record("orders.tasks", logging.INFO, "dispatch batch 7: 2 offer(s) for 2 job(s)")) is True


def test_redact_secrets_takes_tickets_and_pay_link_tokens_out_of_a_line():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/ws/v1/events?after=3&ticket=kT2v-0d_1mQ&x=1", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record) is True
    assert record.getMessage() == '127.0.0.1:5 - "GET /ws/v1/events?after=3&ticket=[redacted]&x=1 HTTP/1.1" 200'
    pay = _record("django.request", logging.WARNING, "POST /sandbox/pay/23/5f0c2a9e41d7b38c6e2f91a0d4b7c815 409")
    RedactSecrets().filter(pay)
    assert pay.getMessage() == "POST /sandbox/pay/23/[redacted] 409"
