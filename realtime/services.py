"""Writes of the real-time app: tickets, live sockets, devices and the pushes sent.

A mobile push goes out for an event that matters (``push_message_for``) only while its
company has no live socket; the gateway is an adapter (``realtime.push``) and each
(event, device) is sent at most once, so a rerun of the push task is harmless.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import notification_send
from core.errors import ConflictError, InvalidInputError, NotFoundError
from core.events import event_type
from core.models import StreamEvent
from realtime import push
from realtime.models import Connection, Device, PushMessage, Ticket
from realtime.selectors import company_is_live

logger = logging.getLogger(__name__)


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def credentials_digest(user) -> str:
    """What a ticket or a device remembers of its user's password: a digest of the hash, so a
    password change (which makes every token of the user invalid) refuses them too."""
    return hashlib.sha256(f"realtime:{user.password}".encode()).hexdigest()


def ticket_issue(*, user) -> tuple[str, object]:
    """A fresh single-use ticket for the user's socket: ``(ticket, expires_at)``."""
    ticket = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(seconds=settings.REALTIME_TICKET_SECONDS)
    Ticket.objects.create(
        digest=_digest(ticket), user=user, expires_at=expires_at, credentials=credentials_digest(user)
    )
    return ticket, expires_at


def ticket_redeem(*, ticket: str):
    """The ticket's user, once: a used, expired or unknown ticket gives None, and so does one
    whose user was deactivated or changed the password since it was issued. The conditional
    update is what makes two handshakes with one ticket succeed once; a ticket presented is
    spent, whatever the handshake's fate."""
    if not ticket or len(ticket) > 128:
        return None
    digest = _digest(ticket)
    now = timezone.now()
    used = Ticket.objects.filter(digest=digest, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not used:
        return None
    row = Ticket.objects.select_related("user").get(digest=digest)
    if not row.user.is_active or row.credentials != credentials_digest(row.user):
        return None
    return row.user


def tickets_purge() -> int:
    return Ticket.objects.filter(expires_at__lt=timezone.now() - timedelta(hours=1)).delete()[0]


def connection_open(*, company_id: int, user) -> int:
    return Connection.objects.create(company_id=company_id, user=user, seen_at=timezone.now()).id


def connections_seen(*, acked: dict[int, int]) -> None:
    """A heartbeat of a web process's sockets: ``{connection id: acknowledged seq}``."""
    now = timezone.now()
    Connection.objects.filter(id__in=list(acked)).update(seen_at=now)
    rows = [Connection(id=i, acked_seq=seq) for i, seq in acked.items() if seq]
    if rows:
        Connection.objects.bulk_update(rows, ["acked_seq"], batch_size=500)


def connection_close(*, connection_id: int) -> None:
    Connection.objects.filter(id=connection_id).delete()


def connections_purge() -> int:
    """Rows a dead web process left behind."""
    stale = timezone.now() - timedelta(seconds=settings.REALTIME_PRESENCE_SECONDS * 4)
    return Connection.objects.filter(seen_at__lt=stale).delete()[0]


def device_register(*, user, company, platform: str, token: str, login_age: float | None = None) -> tuple[Device, bool]:
    """Register a phone's push token for the user and its company; ``(device, created)``.

    A token the user registered before is refreshed (its platform, company and credentials).
    A token registered to another user moves to this one only after a fresh login
    (``login_age``: seconds since the caller last gave its password, within
    DEVICE_MOVE_LOGIN_SECONDS), which is what an app does when someone signs in on that
    phone; otherwise it is a 409 ``device_registered_elsewhere`` and nothing changes. A move
    is not silent: the previous user's company is told in its stream, and the previous user
    gets no more pushes on that phone."""
    if platform not in Device.Platform.values:
        raise InvalidInputError(
            _("Unknown platform."),
            fields={"platform": [_("One of %(values)s.") % {"values": ", ".join(Device.Platform.values)}]},
        )
    fields = {"user": user, "company": company, "platform": platform, "credentials": credentials_digest(user)}
    with transaction.atomic():
        device = Device.objects.select_for_update().select_related("user").filter(token=token).first()
        if device is None:
            try:
                with transaction.atomic():
                    return Device.objects.create(token=token, **fields), True
            except IntegrityError:  # two registrations of one token raced: the other one made it
                device = Device.objects.select_for_update().select_related("user").get(token=token)
        if device.user_id != user.pk:
            if login_age is None or not 0 <= login_age <= settings.DEVICE_MOVE_LOGIN_SECONDS:
                raise ConflictError(
                    _("This phone receives another account's pushes; sign in on it again to move them to you."),
                    code="device_registered_elsewhere",
                )
            notification_send(
                company_id=device.company_id,
                kind="device_moved",
                message=(
                    f"{device.user.get_username()} 的一部手机有人重新登录，现改为接收另一账号的推送。"
                    f" A phone of {device.user.get_username()} now receives another account's pushes, after a "
                    "sign-in on it."
                ),
                data={"device_id": device.id, "platform": device.platform},
            )
        for name, value in fields.items():
            setattr(device, name, value)
        device.save(update_fields=[*fields, "updated_at"])
    return device, False


def device_remove(*, device_id: int, company) -> None:
    deleted, _kinds = Device.objects.filter(id=device_id, company=company).delete()
    if not deleted:
        raise NotFoundError(_("No such device."))


def push_message_for(event: StreamEvent) -> tuple[str, str] | None:
    """(title, body) of the push an event deserves, in Chinese and English, or None: its
    registered class decides (``core.events.EventType.push``)."""
    event_class = event_type(event.type)
    return event_class.push(event.data) if event_class is not None else None


PUSH_ATTEMPTS = 3


def push_for_events(*, event_ids: list[int]) -> tuple[int, int]:
    """Push each event that matters to its company's phones unless the company has a live
    socket; returns (sent now, failed and worth another try)."""
    sent = failed = 0
    gateway = push.gateway()
    for event in StreamEvent.objects.filter(id__in=event_ids).order_by("id"):
        message = push_message_for(event)
        if message is None or company_is_live(company_id=event.company_id):
            continue
        for device in _devices_with_credentials(event.company_id):
            outcome = _push_one(gateway, event, device, *message)
            sent += outcome == PushMessage.Status.SENT
            failed += outcome == PushMessage.Status.FAILED
    return sent, failed


def _devices_with_credentials(company_id: int) -> list[Device]:
    """The company's phones whose user is still active under the password it registered them
    with (a password change or a deactivation stops the pushes to every phone of that user)."""
    devices = Device.objects.filter(company_id=company_id, user__is_active=True).select_related("user").order_by("id")
    return [device for device in devices if device.credentials == credentials_digest(device.user)]


def _push_one(gateway, event: StreamEvent, device: Device, title: str, body: str) -> str | None:
    """Send one push unless it was sent already; returns its new status (None: nothing to do).
    The row is written pending first and marked sent only after the gateway answered, so a
    crash in between leaves a row the rerun sends again (a phone may then see it twice; a
    push only wakes the app, which reads the stream by ``seq``)."""
    payload = {"seq": event.seq, "type": event.type, "data": event.data}
    with transaction.atomic():
        record, _ = PushMessage.objects.select_for_update().get_or_create(
            event=event,
            device=device,
            defaults={
                "company_id": event.company_id,
                "provider": gateway.name,
                "title": title,
                "body": body[:500],
                "payload": payload,
            },
        )
        if record.status == PushMessage.Status.SENT or record.attempts >= PUSH_ATTEMPTS:
            return None
        record.attempts += 1
        try:
            record.provider_ref = gateway.send(device=device, title=title, body=body, payload=payload)
            record.status, record.error = PushMessage.Status.SENT, ""
        except Exception as exc:  # any gateway failure: recorded, tried again by the task
            record.status, record.error = PushMessage.Status.FAILED, str(exc)[:300]
            logger.warning("push %s to device %s failed: %s", event.id, device.id, exc)
        record.save(update_fields=["provider_ref", "status", "error", "attempts"])
    return record.status
