"""Locks and the audit trail shared by every order service.

Lock order, everywhere: the job, then its assignments (and offers), then factory profiles
by company id, then payments and ledger accounts. Keeping one order means two requests
never wait on each other in a circle.
"""

from django.utils.translation import gettext as _

from core.errors import ForbiddenError, NotFoundError
from core.transitions import lock
from orders.models import Assignment, Job, JobHistory
from orders.transitions import ASSIGNMENT, JOB


def job_lock(job_id) -> Job:
    """Lock and return the job (404 if absent). Every writer of a job takes this lock first."""
    return lock(Job, job_id, message=_("No such job."))


def assignment_lock(assignment_id, *, company) -> tuple[Job, Assignment]:
    """Lock the job, then the assignment; 404 unless ``company`` is its SME or factory."""
    row = Assignment.objects.filter(id=assignment_id).values_list("job_id", "factory_id", "job__sme_id").first()
    if row is None or company is None or company.id not in (row[1], row[2]):
        raise NotFoundError(_("No such assignment."))
    job = job_lock(row[0])
    assignment = Assignment.objects.select_for_update().get(id=assignment_id)
    return job, assignment


def require_party(assignment: Assignment, company, party: str) -> None:
    owner_id = assignment.factory_id if party == "factory" else assignment.job.sme_id
    if company.id != owner_id:
        raise ForbiddenError(
            _("Only the assignment's factory may do this.")
            if party == "factory"
            else _("Only the assignment's SME may do this.")
        )


def job_event(job, *, action, user=None, assignment=None, data=None) -> JobHistory:
    """A trail row for a step that changes no status (progress, an offer's answer)."""
    if assignment is not None:
        return ASSIGNMENT.record(assignment, action=action, actor=user, data=data)
    return JOB.record(job, action=action, actor=user, data=data)
