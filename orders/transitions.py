"""The state machines of jobs and assignments (``core.transitions``); both write their
audit rows to ``JobHistory``. Their moves are made by ``orders.services.jobs.job_move`` and
``assignment_move``, which also tell the companies' streams.

An assignment moves step by step (``ASSIGNMENT``). A job's own moves are paid, cancel and
expiry; once open, its status follows its shares (``orders.services.jobs.job_sync_status``):
open until its whole quantity is covered, then the least advanced live share's status.
"""

from django.utils.translation import gettext_lazy as _

from core.transitions import Machine
from orders.models import Assignment, Job, JobHistory

A = Assignment.Status
ASSIGNMENT = Machine(
    name="assignment",
    label=_("assignment"),
    allowed={
        A.MATERIALS_SENT: frozenset({A.ASSIGNED}),
        # From delivered: a lot rejected at inspection goes back for rework (services.inspections).
        A.IN_PRODUCTION: frozenset({A.MATERIALS_SENT, A.DELIVERED}),
        A.DELIVERED: frozenset({A.IN_PRODUCTION}),
        A.COMPLETED: frozenset({A.DELIVERED, A.DISPUTED}),
        A.DISPUTED: frozenset({A.DELIVERED}),
        # Before production only (API.md); see assignment_withdraw.
        A.WITHDRAWN: frozenset({A.ASSIGNED, A.MATERIALS_SENT}),
    },
    event_model=JobHistory,
    event_subject=lambda assignment: {"job_id": assignment.job_id, "assignment": assignment},
)

# Least to most advanced; a split job reports the least advanced of its live shares.
ASSIGNMENT_ORDER = [A.ASSIGNED, A.MATERIALS_SENT, A.IN_PRODUCTION, A.DELIVERED, A.DISPUTED, A.COMPLETED]

J = Job.Status
# The statuses a job takes from its shares, and from which it may take another one: a
# share withdrawn sends the job back to open, a dispute resolved moves it on, and so on.
# Completed is final.
FOLLOWS_SHARES = frozenset({J.OPEN, J.ASSIGNED, J.MATERIALS_SENT, J.IN_PRODUCTION, J.DELIVERED, J.DISPUTED})
JOB = Machine(
    name="job",
    label=_("job"),
    allowed={
        J.OPEN: frozenset({J.AWAITING_PAYMENT}) | FOLLOWS_SHARES,
        J.CANCELLED: frozenset({J.AWAITING_PAYMENT, J.OPEN}),
        J.EXPIRED: frozenset({J.OPEN}),
        **{status: FOLLOWS_SHARES for status in (J.ASSIGNED, J.MATERIALS_SENT, J.IN_PRODUCTION, J.DELIVERED)},
        J.DISPUTED: FOLLOWS_SHARES,
        J.COMPLETED: FOLLOWS_SHARES,
    },
    event_model=JobHistory,
    event_subject=lambda job: {"job": job},
)
