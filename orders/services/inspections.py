"""Sampling inspection of a delivered share (GB/T 2828.1 single sampling, docs/inspection.md).

The SME inspects the delivered lot by the plan the service gives for it: the process's
inspection level and AQL per defect class, at the severity (normal, tightened, reduced) the
switching rules have reached for this factory and process. It records the pieces inspected
and the defects found per checklist item; the service sums them per class and judges the lot
(accepted when every class is within its Ac). Then:

- accepted: the share stays delivered and goes on to acceptance as before (quantity
  accepted, rating, payment released);
- rejected: back to the factory to rework (delivered -> in_production; it re-delivers the
  same lot through /deliver and the lot is inspected again), or, if the SME says so,
  disputed for an admin.

An original inspection (the lot's first) moves the factory's switching state and quality
figures for the process (``FactoryQuality``); a re-inspection after rework does not.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalogue import sampling
from catalogue import selectors as catalogue_selectors
from core.errors import ConflictError, InvalidInputError
from orders import events, seams
from orders.models import Assignment, FactoryQuality, Inspection
from orders.quality_selectors import severity_for, switching_state
from orders.services.jobs import assignment_move, job_sync_status
from orders.services.locking import assignment_lock, require_party
from orders.transitions import ASSIGNMENT

A = Assignment.Status
MAX_PHOTOS = 20


def quality_lock(*, factory_id: int, process_id: int) -> FactoryQuality:
    """The factory's quality row for the process, locked (created on first use). Lock order:
    after the job and its assignment."""
    FactoryQuality.objects.get_or_create(factory_id=factory_id, process_id=process_id)
    return FactoryQuality.objects.select_for_update().get(factory_id=factory_id, process_id=process_id)


def _checked_defects(process, plan: dict, defects) -> dict[str, int]:
    """Defects per class from the SME's counts per item; 400 naming each bad item."""
    if not isinstance(defects, dict):
        raise InvalidInputError(_("Give the defects found per checklist item."), fields={"defects": [_("An object.")]})
    items = {item.code: item.defect_class for item in catalogue_selectors.inspection_items(process)}
    bad = {}
    found = dict.fromkeys(catalogue_selectors.DEFECT_CLASSES, 0)
    for code, count in defects.items():
        if code not in items:
            bad[str(code)[:64]] = [_("Not an item of this process's checklist.")]
        elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
            bad[code] = [_("A whole number, 0 or more.")]
        else:
            found[items[code]] += count
    if bad:
        raise InvalidInputError(_("Some defect counts are wrong."), code="invalid_defects", fields={"defects": bad})
    for defect_class, count in found.items():
        limit = plan["classes"][defect_class]["sample_size"]
        if count > limit:
            raise InvalidInputError(
                _("More %(class)s defects than the %(limit)d pieces sampled for them.")
                % {"class": defect_class, "limit": limit},
                code="invalid_defects",
                fields={"defects": [_("At most %(limit)d %(class)s.") % {"limit": limit, "class": defect_class}]},
            )
    return found


def _record_original(quality: FactoryQuality, plan: dict, found: dict, accepted: bool, inspected: int) -> None:
    """Clause 9 after an original inspection, and the running figures."""
    results = []
    for defect_class, entry in plan["classes"].items():
        class_plan = sampling.sampling_plan(
            max(plan["lot_size"], 2), entry["aql"], level=plan["level"], severity=plan["severity"]
        )
        results.append(sampling.ClassResult(class_plan, found[defect_class]))
    # Reduced inspection only where the platform has approved it (9.3.3.1 d): INSPECTION_REDUCED_ALLOWED).
    state = sampling.after_lot(
        sampling.resume(switching_state(quality)),
        accepted=accepted,
        score_points=sampling.lot_score_points(results),
        reduced_allowed=settings.INSPECTION_REDUCED_ALLOWED,
    )
    quality.severity = state.severity
    quality.recent = list(state.recent)
    quality.accepted_run = state.accepted_run
    quality.rejections = state.rejections
    quality.score = state.score
    quality.discontinued = state.discontinued
    quality.lots += 1
    quality.lots_accepted += int(accepted)
    quality.units_inspected += inspected
    quality.defects += sum(found.values())
    quality.save()


def _checked_photos(job, assignment: Assignment, photo_ids) -> list[int]:
    """The photo ids an inspection may name: the SME's own inspection photos of this job
    (of this share or the whole job, through ``orders.seams.photos_owned``); 400 otherwise."""
    photos = list(dict.fromkeys(photo_ids or ()))
    if len(photos) > MAX_PHOTOS or not all(isinstance(p, int) and not isinstance(p, bool) for p in photos):
        raise InvalidInputError(_("Up to 20 photo ids."), fields={"photo_ids": [_("Up to 20 whole numbers.")]})
    if not photos:
        return photos
    owned = seams.photos_owned(
        job_id=job.id, company_id=job.sme_id, kind="inspection", ids=photos, assignment_id=assignment.id
    )
    unknown = [p for p in photos if p not in owned]
    if unknown:
        raise InvalidInputError(
            _("Name only your own inspection photos of this job."),
            code="invalid_photos",
            fields={
                "photo_ids": [
                    _("Not an inspection photo of this job: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
                ]
            },
        )
    return photos


def _checked_sample(plan: dict, lot_size: int, sample_inspected: int) -> None:
    if not plan["sample_size"] <= sample_inspected <= lot_size:
        limits = {"min": plan["sample_size"], "max": lot_size}
        raise InvalidInputError(
            _("Inspect between %(min)d and %(max)d pieces.") % limits,
            fields={"sample_inspected": [_("Between %(min)d and %(max)d.") % limits]},
        )


def _follow_verdict(job, assignment: Assignment, inspection: Inspection, *, user) -> None:
    """The step the verdict leads to, on the trail and in both companies' streams."""
    data = {
        "inspection_id": inspection.id,
        "round": inspection.round,
        "accepted": inspection.accepted,
        "found": inspection.found,
    }
    if inspection.accepted:
        ASSIGNMENT.record(assignment, action="inspection_accepted", actor=user, data=data)
    elif inspection.next == Inspection.Next.REWORK:
        assignment_move(assignment, A.IN_PRODUCTION, actor=user, action="inspection_rejected", data=data)
    else:
        data["reason"] = inspection.note
        assignment_move(assignment, A.DISPUTED, actor=user, action="inspection_disputed", data=data)
    events.inspection_recorded(assignment, inspection)
    if not inspection.accepted:
        job_sync_status(job, user=user)


@transaction.atomic
def inspection_record(
    *,
    assignment_id,
    company,
    user,
    sample_inspected: int,
    defects: dict,
    on_reject: str = Inspection.Next.REWORK,
    note: str = "",
    photo_ids=(),
) -> Inspection:
    """The SME's inspection of the share's delivered lot, judged by the plan."""
    job, assignment = assignment_lock(assignment_id, company=company)
    require_party(assignment, company, "sme")
    ASSIGNMENT.require(assignment, A.DELIVERED)
    if on_reject not in (Inspection.Next.REWORK, Inspection.Next.DISPUTE):
        raise InvalidInputError(_("After a rejection: rework or dispute."), fields={"on_reject": [_("Not a choice.")]})
    last = assignment.inspections.order_by("-round").first()
    if last is not None and assignment.delivered_at is not None and last.created_at >= assignment.delivered_at:
        raise ConflictError(_("This delivery has been inspected already."), code="already_inspected")
    process = job.process
    quality = quality_lock(factory_id=assignment.factory_id, process_id=process.id)
    lot_size = assignment.quantity_delivered or 0
    plan = catalogue_selectors.lot_plan(process, lot_size, severity_for(quality))
    _checked_sample(plan, lot_size, sample_inspected)
    photos = _checked_photos(job, assignment, photo_ids)
    found = _checked_defects(process, plan, defects)
    accepted = all(found[c] <= entry["ac"] for c, entry in plan["classes"].items())
    round_ = (last.round + 1) if last is not None else 1
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                assignment=assignment,
                round=round_,
                lot_size=lot_size,
                severity=plan["severity"],
                plan=plan,
                sample_inspected=sample_inspected,
                defects={code: count for code, count in defects.items() if count},
                found=found,
                accepted=accepted,
                next=Inspection.Next.ACCEPT if accepted else on_reject,
                note=note,
                photo_ids=photos,
                inspected_by=user,
            )
    except IntegrityError:
        raise ConflictError(_("This delivery has been inspected already."), code="already_inspected") from None
    if round_ == 1:
        _record_original(quality, plan, found, accepted, sample_inspected)
    _follow_verdict(job, assignment, inspection, user=user)
    return inspection
