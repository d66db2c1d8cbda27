"""The Celery app: ``celery -A marketplace worker`` and ``celery -A marketplace beat``."""

import gc
import logging
import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready
from channels.layers import get_channel_layer
from django.apps import apps
from kombu.connection import Connection

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
