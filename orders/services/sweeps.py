"""Beat sweeps over jobs and shares; each reads the truth from the database, so a lost or
repeated run only delays the work."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.errors import ApplicationError
from orders.models import Assignment, Job
from orders.services.assignments import assignment_auto_accept
from orders.services.jobs import job_expire
from orders.services.posting import MIN_LEAD_MINUTES

logger = logging.getLogger(__name__)


def assignments_auto_accept_due(*, now=None) -> int:
    """Beat: accept deliveries left uninspected past the inspection window, exactly as a
    manual accept of everything delivered would. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.INSPECTION_WINDOW_HOURS)
    due = Assignment.objects.filter(status=Assignment.Status.DELIVERED, delivered_at__lte=cutoff).values_list(
        "id", flat=True
    )
    done = 0
    for assignment_id in due:
        try:
            if assignment_auto_accept(assignment_id=assignment_id).status == Assignment.Status.COMPLETED:
                done += 1
        except ApplicationError:
            # One share that cannot be settled must not hold up everyone else's money.
            logger.exception("auto-accept of assignment %s refused", assignment_id)
    return done


def jobs_expire_due(*, now=None) -> int:
    """Beat: expire open jobs that nobody has taken and whose deadline can no longer be met
    (less than an hour left), refunding their escrow like a cancel; jobs never paid by then
    are cancelled. Returns how many."""
    now = now or timezone.now()
    due = (
        Job.objects.filter(
            status__in=[Job.Status.OPEN, Job.Status.AWAITING_PAYMENT],
            deadline__lte=now + timedelta(minutes=MIN_LEAD_MINUTES),
        )
        .exclude(assignments__status__in=Assignment.LIVE)
        .values_list("id", flat=True)
    )
    expired = 0
    for job_id in due:
        try:
            job_expire(job_id=job_id)
            expired += 1
        except ApplicationError:
            logger.info("job %s not expired (taken or changed meanwhile)", job_id)
    return expired
