"""``Idempotency-Key`` for POSTs (API.md): same key and body within 24 h -> the first
response and one effect; same key with another body -> 422.

The record is inserted in the same transaction as the request's own writes. A concurrent
request with the same key blocks on the unique index until the first commits, then reads
the stored response; if the first fails, nothing was stored and the second runs afresh.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from core.clientip import client_ip
from core.errors import IdempotencyKeyReuseError, InvalidInputError
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder)
    raw = f"{request.method}\n{request.path.rstrip('/')}\n{body}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _scope(request) -> str:
    """Keys are per user; anonymous callers (registration) are told apart by address, so two
    strangers who happen to pick the same key do not collide."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{client_ip(request)}"[:64]


def idempotent(view_method=None, *, secret_fields=(), replay=None):
    """Decorate a DRF view's ``post``; a request without the header runs as usual.

    ``secret_fields`` are top-level response fields never stored (tokens); a replay gets the
    stored body passed through ``replay(request, body)``, which may put fresh ones back.
    """
    if view_method is None:
        return functools.partial(idempotent, secret_fields=secret_fields, replay=replay)

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            raise InvalidInputError(
                _("%(header)s must be 1 to %(max)d printable ASCII characters.")
                % {"header": HEADER, "max": MAX_KEY_LENGTH},
                code="invalid_idempotency_key",
                fields={HEADER: [_("1 to 255 printable ASCII characters.")]},
            )
        request_hash = _request_hash(request)  # parses the body first: a parse error is a plain 400
        scope = _scope(request)
        cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
        with transaction.atomic():
            IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__lt=cutoff).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        scope=scope,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=request_hash,
                        response_status=0,
                    )
            except IntegrityError:
                stored = IdempotencyRecord.objects.get(scope=scope, key=key)
                if stored.request_hash != request_hash:
                    raise IdempotencyKeyReuseError(
                        _("This %(header)s was used with a different request.") % {"header": HEADER},
                    ) from None
                body = replay(request, stored.response_body) if replay else stored.response_body
                return Response(body, status=stored.response_status, headers={"Idempotent-Replayed": "true"})
            response = view_method(self, request, *args, **kwargs)
            if response.status_code >= 400:
                # An error has no effect to protect; let the client retry with the same key.
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = _without(response.data, secret_fields)
            record.save(update_fields=["response_status", "response_body"])
            return response

    wrapper.idempotent = True  # the schema declares the header on it (core.api.schema)
    return wrapper


def _without(body, secret_fields):
    if secret_fields and isinstance(body, dict):
        return {name: value for name, value in body.items() if name not in secret_fields}
    return body


def idempotency_records_purge() -> int:
    """Delete records past the 24 h window; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    deleted, _kinds = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
