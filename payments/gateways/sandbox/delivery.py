"""The sandbox gateway calling our webhook over HTTP, as a real gateway would: from a Celery
task of its own, each attempt signed as it is sent (``signing.event_body``). After an attempt
that was not received (no 2xx, a refused connection or a timeout) it calls again on WeChat
Pay's schedule for its notifications, "15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h
- 总计 24h4m", and stops only on a 2xx (API v3 支付通知,
https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter3_1_5.shtml). A delivery never received
is not the end of a payment: the reconciliation sweep asks the gateway's book
(``payments.services.reconcile``).
"""

import logging
import time
import urllib.error
import urllib.request
import uuid

from celery import shared_task
from django.conf import settings

from core.queue import send
from payments.gateways.sandbox.signing import SIGNATURE_HEADER, event_body

logger = logging.getLogger(__name__)

# Seconds before each retry; SANDBOX_NOTIFY_SCALE compresses it for tests (0.01: the first
# retries 0.15 s apart).
SANDBOX_NOTIFY_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
# A worker holds a countdown task as an unacknowledged message, which Redis hands to another
# worker after the visibility timeout (30 min): a longer wait is taken in hops of at most
# this, each a message of its own.
SANDBOX_NOTIFY_HOP_SECONDS = 600


@shared_task(name="payments.tasks.sandbox_webhook_deliver_task", acks_late=True)  # the name queued messages carry
def sandbox_webhook_deliver_task(
    event_type: str, data: dict, event_id: str, attempt: int = 0, due: float | None = None
) -> int | None:
    """One delivery attempt (``attempt`` retries made so far, this one due at ``due``, a Unix
    time). Returns the endpoint's status, or None for no answer (or a hop towards the next
    attempt)."""
    if due is not None and due - time.time() > 0:
        _notify_later(event_type, data, event_id, attempt, due)
        return None
    body, signature = event_body(event_type, data, event_id=event_id)
    url = settings.PAYMENT_WEBHOOK_BASE_URL.rstrip("/") + f"/api/v1/payments/webhooks/{settings.PAYMENT_PROVIDER}"
    request = urllib.request.Request(  # noqa: S310 - the URL is our own configured endpoint
        url, data=body, method="POST", headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:  # refused, reset, timed out: not received
        status = None
    if status is not None and 200 <= status < 300:
        return status
    if attempt >= len(SANDBOX_NOTIFY_SCHEDULE):
        logger.warning(
            "sandbox gateway: %s %s not received after %d attempts; no more", event_type, event_id, attempt + 1
        )
        return status
    wait = SANDBOX_NOTIFY_SCHEDULE[attempt] * settings.SANDBOX_NOTIFY_SCALE
    _notify_later(event_type, data, event_id, attempt + 1, time.time() + wait)
    return status


def _notify_later(event_type: str, data: dict, event_id: str, attempt: int, due: float) -> None:
    countdown = min(max(due - time.time(), 0.0), SANDBOX_NOTIFY_HOP_SECONDS)
    send(sandbox_webhook_deliver_task, event_type, data, event_id, attempt, due, countdown=countdown)


def sandbox_send(event_type: str, data: dict, *, copies: int = 1, delay_seconds: int = 0) -> str:
    """Queue a sandbox webhook (possibly twice, possibly late); returns the event id. Each
    delivery attempt is built and signed when it is sent, as real gateways do, so a delayed
    or retried delivery is fresh; the event id stays the same, so it is stored once."""
    event_id = f"evt_{uuid.uuid4().hex}"
    for _ in range(copies):
        send(sandbox_webhook_deliver_task, event_type, data, event_id, countdown=delay_seconds)
    return event_id
