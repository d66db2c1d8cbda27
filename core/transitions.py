"""The one transition helper every state machine uses: jobs, assignments, payments,
refunds and settlement batches.

A status change is: the caller locks the row (``lock``), then ``Machine.move`` guards the
move against the machine's table of allowed moves, treats a move to the state the row is
already in as a retry (returns False, changes nothing), saves the status and the other
changed fields with ``update_fields`` and writes one audit row, all inside the caller's
transaction. A move that is not allowed is a 409 whose code names the state it needs
(``job_not_open``, ``batch_not_pending_review``, ...).

Each machine keeps its trail in its own table (a concrete ``core.models.HistoryEntry``):
``JobHistory`` for jobs and assignments, ``PaymentHistory`` for payments and refunds,
``SettlementHistory`` for batches. ``Machine.record`` writes a trail row for a step that
changes no status (a job posted, progress reported, an offer declined).

A machine has no hooks: what else a move causes (a ``*.status_changed`` event to the
companies' streams, a board entry, an offer withdrawn) is done by the service that makes the
move, in the same transaction, where a reader sees it (``orders.services.jobs.job_move``,
``payments.services.moves``).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from core.errors import ConflictError, NotFoundError


def lock(queryset_or_model, pk, *, message: str = ""):
    """``SELECT ... FOR UPDATE`` of one row by primary key; 404 in the error shape if absent."""
    manager = queryset_or_model.objects if isinstance(queryset_or_model, type) else queryset_or_model
    row = manager.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFoundError(message or _("Not found."))
    return row


def actor_label(user) -> str:
    return user.get_username() if user is not None else "system"


@dataclass(frozen=True)
class Machine:
    """A state machine over one model's ``status`` field.

    ``allowed`` maps each target state to the states it may be reached from. ``event_model``
    is the audit table; ``event_subject`` turns the moving object into that table's subject
    fields (e.g. ``{"job_id": a.job_id, "assignment": a}``).
    """

    name: str
    allowed: Mapping[str, frozenset[str]]
    event_model: type[models.Model]
    event_subject: Callable[[models.Model], dict]
    status_field: str = "status"
    # What a person calls it in an error message (lazy gettext); the code keeps ``name``.
    label: object = None

    def state_label(self, state: str) -> str:
        """What a person calls ``state`` in the active language: the label of the model's
        choice (the states in ``allowed`` are its ``TextChoices`` members), lower-cased to
        sit inside a sentence; the code itself for a state the table does not name."""
        for member in (*self.allowed, *(s for sources in self.allowed.values() for s in sources)):
            if member == state and getattr(member, "label", None) is not None:
                return str(member.label).lower()
        return str(state)

    def conflict(self, current: str, wanted: Iterable[str], message: str = "") -> ConflictError:
        wanted = sorted(set(wanted))
        code_state = wanted[0] if len(wanted) == 1 else "in_a_state_that_allows_this"
        # The message names the states as a person reads them; code and fields keep the codes.
        return ConflictError(
            message
            or _("The %(thing)s is %(current)s; this needs it to be %(wanted)s.")
            % {
                "thing": self.label or self.name,
                "current": self.state_label(current),
                "wanted": _(" or ").join(self.state_label(state) for state in wanted),
            },
            code=f"{self.name}_not_{code_state}",
            fields={"status": [current]},
        )

    def require(self, obj, *states: str) -> None:
        """409 unless ``obj`` is in one of ``states`` (a guard that moves nothing)."""
        current = getattr(obj, self.status_field)
        if current not in states:
            raise self.conflict(current, states)

    def move(
        self,
        obj,
        to: str,
        *,
        actor=None,
        action: str | None = None,
        data: dict | None = None,
        reason: str = "",
        fields: Iterable[str] = (),
    ) -> bool:
        """Move ``obj`` (whose row the caller holds locked) to ``to``.

        Returns False for a retry (already in ``to``): nothing is saved or recorded. Raises
        409 when the table does not allow the move. ``fields`` are other attributes the
        caller set on ``obj`` that must be saved with the status.
        """
        current = getattr(obj, self.status_field)
        if current == to:
            return False
        if to not in self.allowed or current not in self.allowed[to]:
            raise self.conflict(current, self.allowed.get(to, ()))
        setattr(obj, self.status_field, to)
        update_fields = [self.status_field, *fields]
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            update_fields.append("updated_at")
        obj.save(update_fields=list(dict.fromkeys(update_fields)))
        self.record(obj, action=action or to, actor=actor, old=current, new=to, data=data, reason=reason)
        return True

    def record(self, obj, *, action: str, actor=None, old: str = "", new: str = "", data=None, reason: str = ""):
        """One audit row for ``obj`` (a move, or a step that changes no status)."""
        return self.event_model.objects.create(
            **self.event_subject(obj),
            actor=actor,
            actor_label=actor_label(actor),
            action=action,
            old_status=old,
            new_status=new,
            reason=reason[:500],
            data=data or {},
        )
