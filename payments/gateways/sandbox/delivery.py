"""The sandbox gateway calling our webhook over HTTP, as a real gateway would: from a Celery
task of its own, each attempt signed as it is sent (``signing.event_body``), retried while
our endpoint is down or answers 5xx. A delivery that never arrives is not the end of a
payment: the reconciliation sweep asks the gateway's book (``payments.services.reconcile``).
"""

import urllib.error
import urllib.request
import uuid

from celery import shared_task
from django.conf import settings

from core.queue import send
from payments.gateways.sandbox.signing import SIGNATURE_HEADER, event_body


class WebhookDeliveryError(ConnectionError):
    """Our endpoint did not take the webhook (down or 5xx): the gateway tries again."""


@shared_task(
    name="payments.tasks.sandbox_webhook_deliver_task",  # the name queued messages carry
    autoretry_for=(WebhookDeliveryError, urllib.error.URLError, OSError),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=10,
    acks_late=True,
)
def sandbox_webhook_deliver_task(event_type: str, data: dict, event_id: str) -> int:
    body, signature = event_body(event_type, data, event_id=event_id)
    url = settings.PAYMENT_WEBHOOK_BASE_URL.rstrip("/") + f"/api/v1/payments/webhooks/{settings.PAYMENT_PROVIDER}"
    request = urllib.request.Request(  # noqa: S310 - the URL is our own configured endpoint
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise WebhookDeliveryError(f"webhook endpoint answered {exc.code}") from exc
        return exc.code  # a 4xx is final: a real gateway would stop and alert too


def sandbox_send(event_type: str, data: dict, *, copies: int = 1, delay_seconds: int = 0) -> str:
    """Queue a sandbox webhook (possibly twice, possibly late); returns the event id. Each
    delivery attempt is built and signed when it is sent, as real gateways do, so a delayed
    or retried delivery is fresh; the event id stays the same, so it is stored once."""
    event_id = f"evt_{uuid.uuid4().hex}"
    for _ in range(copies):
        send(sandbox_webhook_deliver_task, event_type, data, event_id, countdown=delay_seconds)
    return event_id
