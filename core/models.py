"""The core's one table (idempotency records) and the abstract audit row every state
machine's trail is made of (``core.transitions`` writes them)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.readable import iso_time


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key``, kept for 24 h.

    The unique constraint on (scope, key) is what makes a concurrent replay safe: the
    second insert waits for the first transaction and then fails, so it reads the stored
    response instead of running the request again.
    """

    scope = models.CharField(_("scope"), max_length=64)  # "user:<id>" or "anon:<address>"
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"), null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "marketplace_idempotencyrecord"  # the table predates the core app
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self):
        return f"{self.scope}:{self.key}"


class HistoryEntry(models.Model):
    """One append-only history row (a trail): who moved what from which state to which, and why.
    Not a stream event (``StreamEvent``, what companies are told) nor a gateway message.

    Abstract: each state machine keeps its own trail table (jobs, settlement batches,
    payments), with a foreign key to its subject, and ``core.transitions`` writes them all.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=64, default="system")
    action = models.CharField(_("action"), max_length=40)
    old_status = models.CharField(_("from"), max_length=32, blank=True, default="")
    new_status = models.CharField(_("to"), max_length=32, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["id"]


class StreamEvent(models.Model):
    """One entry of a company's event stream (API.md "Real-time events"): the outbox.

    A service writes the row in the same transaction as the change it tells of, so an event
    exists if and only if its change committed. It is written without a ``seq``; right
    after commit ``core.outbox.events_sequence`` numbers the company's committed rows under
    the company's own lock, so numbers are handed out in commit order and a reader that has
    seen ``seq`` N never later finds an N-1 appear. Nothing numbers events across companies.
    ``company_id`` is a plain id: the core sits below the app that owns companies.
    """

    company_id = models.BigIntegerField(_("company"), db_index=False)
    seq = models.BigIntegerField(_("sequence"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=40)
    # e.g. "job:12"; not indexed: nothing looks events up by topic, and two indexes on the
    # busiest insert and update of a dispatch batch cost more than the admin search saves.
    topic = models.CharField(_("topic"), max_length=40, blank=True, default="")
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        db_table = "core_event"  # the table keeps the name it was created with
        verbose_name = _("stream event")
        verbose_name_plural = _("stream events")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["company_id", "seq"], name="event_company_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["company_id", "id"], condition=models.Q(seq__isnull=True), name="event_unsequenced"),
            models.Index(fields=["company_id", "type", "-id"], name="event_company_type"),
        ]

    def __str__(self):
        return f"{self.company_id}#{self.seq}: {self.type}"

    def as_message(self) -> dict:
        """The event as the stream sends it (API.md)."""
        return {"seq": self.seq, "type": self.type, "at": iso_time(self.created_at), "data": self.data}


class Lease(models.Model):
    """A named lease with a deadline (``marketplace.beat``: the one beat that schedules).

    One process holds it until ``expires_at`` and renews it well before; another takes it
    only once it has lapsed. Times are the database's clock, so the hosts' clocks do not
    matter. ``term`` grows by one each time the lease changes hands (a fencing token): a
    holder that was frozen and wakes up finds a higher term, and knows it no longer holds.
    """

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    holder = models.CharField(_("holder"), max_length=200)
    term = models.BigIntegerField(_("term"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")

    def __str__(self):
        return f"{self.name}: {self.holder} (term {self.term})"
