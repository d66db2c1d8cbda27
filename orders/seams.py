"""Seams of the orders app (``core.seams``): what orders asks of the evidence app above it
(photos), which registers the handlers in its ``AppConfig.ready()``. Orders knows photos
only by id."""

from core.seams import READ, Seam

# photos_owned(job_id=..., company_id=..., kind=..., ids=..., assignment_id=...) -> set of
# the ids among ``ids`` that are photos of ``kind`` on the job, uploaded by the company, and
# attached to the share ``assignment_id`` or to the whole job: what an inspection may name.
photos_owned = Seam(
    "orders.photos_owned",
    args={"job_id": int, "company_id": int, "kind": str, "ids": list, "assignment_id": int | None},
    runs=READ,
    single=True,
)

# job_photos(job_id=...) -> the job's photos for the admin's desk, oldest first, each
# ``{"id", "kind", "kind_label", "assignment_id", "company_id", "company", "side": "factory" |
# "sme", "url", "thumbnail_url", "created_at"}`` with short-lived read URLs (optional:
# unregistered, the desk shows the inspections without photos).
job_photos = Seam("orders.job_photos", args={"job_id": int}, runs=READ, single=True, required=False)
