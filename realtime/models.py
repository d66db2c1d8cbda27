"""The real-time app's tables: single-use socket tickets, the live sockets (presence, so a
push goes only to a company with none), the phones that receive pushes, and the pushes
sent. The stream itself is ``core.models.StreamEvent`` (the outbox). Only ``realtime.services``
writes these tables."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Ticket(models.Model):
    """``POST /api/v1/realtime/ticket``: good for one WebSocket handshake within 60 s. Only
    its SHA-256 is stored."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # A digest of the user's password hash when the ticket was issued: a password changed
    # since refuses the ticket (``realtime.services.ticket_redeem``).
    credentials = models.CharField(max_length=64, default="")
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("socket ticket")
        verbose_name_plural = _("socket tickets")

    def __str__(self):
        return f"ticket {self.id} of {self.user_id}"


class Connection(models.Model):
    """A live socket of a company's app; ``seen_at`` follows its heartbeats. A web process
    that died leaves rows whose ``seen_at`` stops moving: they count as gone after
    REALTIME_PRESENCE_SECONDS."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last seen"), db_index=True)
    acked_seq = models.BigIntegerField(_("acknowledged up to"), default=0)

    class Meta:
        verbose_name = _("live socket")
        verbose_name_plural = _("live sockets")
        indexes = [models.Index(fields=["company", "seen_at"])]

    def __str__(self):
        return f"socket {self.id} of {self.company_id}"


class Device(models.Model):
    """A phone that receives mobile pushes while its company has no live socket, for as long
    as the user who registered it is active under the same password."""

    class Platform(models.TextChoices):
        IOS = "ios", _("iOS")
        ANDROID = "android", _("Android")
        WECHAT = "wechat", _("WeChat mini program")

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="devices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    token = models.CharField(_("push token"), max_length=512, unique=True)
    # A digest of the user's password hash when the phone was registered: after a password
    # change or a deactivation the phone gets no more pushes until it registers again.
    credentials = models.CharField(max_length=64, default="")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self):
        return f"{self.platform}:{self.token[:12]}…"


class PushMessage(models.Model):
    """A mobile push sent (or, by the sandbox gateway, recorded instead of sent) for one event
    to one device. Unique per event and device: a rerun of the push task sends nothing twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey("core.StreamEvent", on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="pushes")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(_("gateway"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("body"), max_length=500)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider_ref = models.CharField(_("gateway reference"), max_length=100, blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mobile push")
        verbose_name_plural = _("mobile pushes")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["event", "device"], name="push_once_per_event_device")]

    def __str__(self):
        return f"push {self.id}: {self.title}"
