"""The mobile-push gateway adapter. A real one (APNs, FCM, a Chinese vendor's push channel)
implements ``send``; the sandbox one, the default, sends nothing: every push it would send
is the ``PushMessage`` row the caller already wrote (the admin lists them), and it returns
a reference of its own, as the payment sandbox stands in for a payment gateway."""

import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class PushError(Exception):
    """The gateway refused or could not be reached; the push is recorded as failed."""


class SandboxPushGateway:
    name = "sandbox"

    def send(self, *, device, title: str, body: str, payload: dict) -> str:
        if "push" in settings.SANDBOX_FAIL:
            raise PushError("sandbox told to fail pushes (SANDBOX_FAIL=push)")
        return f"sandbox-{uuid.uuid4().hex[:16]}"


GATEWAYS = {"sandbox": SandboxPushGateway}


def gateway():
    try:
        return GATEWAYS[settings.PUSH_PROVIDER]()
    except KeyError:
        raise ImproperlyConfigured(f"unknown PUSH_PROVIDER {settings.PUSH_PROVIDER!r}") from None
