"""Reads of a factory's quality and a share's inspection (GB/T 2828.1 switching state,
the plan a delivered lot is judged by; docs/inspection.md)."""

from catalogue import sampling
from catalogue import selectors as catalogue_selectors
from orders.models import Assignment, FactoryQuality
from orders.selectors import assignment_get_for_company


def switching_state(quality: FactoryQuality | None) -> sampling.SwitchingState:
    if quality is None:
        return sampling.SwitchingState()
    return sampling.SwitchingState(
        severity=quality.severity,
        recent=tuple(quality.recent),
        accepted_run=quality.accepted_run,
        rejections=quality.rejections,
        score=quality.score,
        discontinued=quality.discontinued,
    )


def severity_for(quality: FactoryQuality | None) -> str:
    """The severity the next lot is inspected at (a discontinued stream resumes tightened)."""
    return sampling.resume(switching_state(quality)).severity


def quality_for(*, factory_id: int, process_id: int) -> FactoryQuality | None:
    return FactoryQuality.objects.filter(factory_id=factory_id, process_id=process_id).first()


def assignment_inspection(*, assignment_id, company) -> dict:
    """A share's inspection page, for its SME and its factory: the process's standard, the
    plan the delivered lot is to be judged by (while it is delivered and not yet inspected)
    and every inspection recorded so far, oldest first."""
    assignment = assignment_get_for_company(assignment_id=assignment_id, company=company)
    process = assignment.job.process
    inspections = list(assignment.inspections.order_by("round"))
    quality = quality_for(factory_id=assignment.factory_id, process_id=process.id)
    severity = severity_for(quality)
    inspected = (
        bool(inspections)
        and assignment.delivered_at is not None
        and (inspections[-1].created_at >= assignment.delivered_at)
    )
    plan = None
    if assignment.status == Assignment.Status.DELIVERED and not inspected:
        plan = catalogue_selectors.lot_plan(process, assignment.quantity_delivered or 0, severity)
    return {
        "assignment_id": assignment.id,
        "status": assignment.status,
        "severity": severity,
        "plan": plan,
        "standard": process,
        "inspections": inspections,
    }


def quality_list_for_factory(*, company):
    """A factory's quality per process it has had lots inspected at, by process code."""
    return FactoryQuality.objects.filter(factory=company).select_related("process").order_by("process__code")
