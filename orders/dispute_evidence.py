"""What the admin's desk shows of a job's quality evidence (reads only): per share, its
inspections beside the quantities and the photos of both sides, the factory's (material
received, delivery) and the SME's (inspection, dispute); and the SME's photos of the whole
job. The photos come from the evidence app through ``orders.seams.job_photos`` (orders may
not import it), with short-lived thumbnail URLs; unregistered, the desk shows no photos."""

from orders import seams
from orders.models import Assignment, Inspection, Job


def job_evidence(*, job: Job, shares=None) -> dict:
    """``{"shares": [{"assignment", "factory", "delivered", "accepted", "inspections":
    [(inspection, its photos)], "factory_photos", "sme_photos"}], "job_photos": [...]}`` for
    ``shares`` (by default every share of the job that was delivered or inspected)."""
    if shares is None:
        shares = job.assignments.exclude(status=Assignment.Status.WITHDRAWN).select_related("factory").order_by("id")
    shares = list(shares)
    photos = seams.job_photos(job_id=job.id) or []
    by_id = {photo["id"]: photo for photo in photos}
    inspections = {}
    for inspection in Inspection.objects.filter(assignment__in=shares).order_by("assignment_id", "round"):
        named = [by_id[i] for i in inspection.photo_ids if i in by_id]
        inspections.setdefault(inspection.assignment_id, []).append((inspection, named))
    rows = []
    for share in shares:
        own = [photo for photo in photos if photo["assignment_id"] == share.id]
        rows.append(
            {
                "assignment": share,
                "factory": share.factory,
                "delivered": share.quantity_delivered,
                "accepted": share.quantity_accepted,
                "inspections": inspections.get(share.id, []),
                "factory_photos": [photo for photo in own if photo["side"] == "factory"],
                "sme_photos": [photo for photo in own if photo["side"] == "sme"],
            }
        )
    return {"shares": rows, "job_photos": [photo for photo in photos if photo["assignment_id"] is None]}
