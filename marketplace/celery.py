"""The Celery app: ``celery -A marketplace worker`` and ``celery -A marketplace beat``."""

import gc
import logging
import os

from celery import Celery, bootsteps
from celery.signals import worker_process_init, worker_ready
from channels.layers import get_channel_layer
from django.apps import apps
from kombu.connection import Connection

from core.queue import send

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

logger = logging.getLogger(__name__)


def _collect_forgetting_the_default_channel(collect):
    """kombu's ``Connection.collect()`` detaches the transport (``transport.client = None``)
    but keeps ``_default_channel``; since celery 5.7.0 (celery/celery#10242) the worker closes
    the connection again right after collecting it on a lost broker, that close reaches the
    kept channel, and the Redis channel's unacked-message restore builds a pool from the
    detached transport: ``AttributeError: 'NoneType' object has no attribute 'hostname'``,
    which ``ignore_errors`` does not catch, and the worker exits ("Unrecoverable error").
    It happens whenever the worker holds an unacked message (a task waiting for its
    countdown, a late-ack task running) when Redis goes away. After collect() the channel
    belongs to nothing: forget it, as ``_connection_factory`` does on the next connect.
    Test: tests/core/test_broker_outage.py. Remove when kombu's collect() does this itself."""

    def collect_and_forget(self, *args, **kwargs):
        try:
            return collect(self, *args, **kwargs)
        finally:
            self._default_channel = None

    collect_and_forget.__wrapped__ = collect
    return collect_and_forget


if not hasattr(Connection.collect, "__wrapped__"):
    Connection.collect = _collect_forgetting_the_default_channel(Connection.collect)

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def worker_start_up(**_) -> None:
    """Get a worker ready before its first task, in the prefork parent before its children
    copy it and in each child (or the solo pool's one process) once it is ready.

    The channel layer is built (Redis's: its imports cost about 90 ms, otherwise paid by the
    first dispatch batch's announcement). Then what start-up loaded (Django, the apps, numpy,
    scipy: hundreds of thousands of objects that live as long as the process) is left out of
    the cyclic collector's walks: a dispatch batch allocates enough rows and arrays to set off
    full collections, and each one walked all of them again."""
    if apps.ready:  # Celery's Django fix-up has set Django up by now; a bare app has not
        try:
            get_channel_layer()  # the layer realtime.fanout announces through, built once a process
        except Exception:  # noqa: BLE001 - a broken layer is the announcement's to report, as before
            logger.warning("the channel layer could not be built at start", exc_info=True)
    gc.collect()
    gc.freeze()


worker_ready.connect(worker_start_up, weak=False)
worker_process_init.connect(worker_start_up, weak=False)


# What a worker asks for when it starts and each time it gets its broker back: every sweep
# at once, with no waiting period, instead of after the beat's next tick (the beat's sends
# were lost while the broker was away, and so was anything sent from requests meanwhile).
# Payments are asked about as far back as the frequent sweep goes (the rest have their own).
def recovery_sweeps() -> list[tuple[str, dict]]:
    from django.conf import settings

    return [
        ("payments.tasks.webhook_events_process_pending_task", {"older_than_seconds": 0}),
        ("payments.tasks.money_sweep_task", {"older_than_seconds": 0}),
        (
            "payments.tasks.payments_reconcile_task",
            {"older_than_seconds": 0, "newer_than_seconds": settings.PAYMENT_RECONCILE_RECENT_SECONDS},
        ),
        ("core.tasks.outbox_sequence_task", {}),
    ]


class RecoverySweeps(bootsteps.StartStopStep):
    """A consumer bootstep: the consumer's steps start when the worker first connects and
    again after every reconnection to the broker (celery has no signal for the latter;
    ``worker_ready`` fires once). Each sweep is idempotent and safe beside a running task, so
    several workers starting together cost only duplicate reads."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, consumer):
        sent = sum(send(consumer.app.tasks[name], kwargs=kwargs) for name, kwargs in recovery_sweeps())
        logger.info("worker connected: %d recovery sweeps sent / 已连接，已发送 %d 个恢复扫描", sent, sent)


app.steps["consumer"].add(RecoverySweeps)
