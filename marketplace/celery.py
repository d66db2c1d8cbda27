"""The Celery app: ``celery -A marketplace worker`` and ``celery -A marketplace beat``."""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _freeze_start_up_heap(**_) -> None:
    """Leave what start-up loaded (Django, the apps, numpy, scipy: hundreds of thousands of
    objects that live as long as the process) out of the cyclic collector's walks. A dispatch
    batch allocates enough rows and arrays to set off full collections, and each one walked
    all of them again. Done in the prefork parent before its children copy it, and in each
    child (or the solo pool's one process) once it is ready."""
    gc.collect()
    gc.freeze()


worker_ready.connect(_freeze_start_up_heap, weak=False)
worker_process_init.connect(_freeze_start_up_heap, weak=False)
