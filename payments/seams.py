"""Seams of the payments app (``core.seams``). Payments knows jobs only by id; the app that
owns jobs (orders) registers these in its ``AppConfig.ready()``."""

from core.seams import OWN_TRANSACTION, READ, Seam

# job_payment_captured(job_id=..., payment_id=..., provider_ref=...): the gateway says a
# job's money is in. The handler takes the job's lock, books the capture with
# ``payments.services.payment_capture_book`` and opens the job (or refunds a late payment).
job_payment_captured = Seam(
    "payments.job_payment_captured",
    args={"job_id": int, "payment_id": int, "provider_ref": str},
    runs=OWN_TRANSACTION,
    single=True,
)

# finished_job_ids() -> ids of jobs whose escrow must be empty (completed, cancelled,
# expired), for the ledger check.
finished_job_ids = Seam("payments.finished_job_ids", args={}, runs=READ, single=True)

# assignments_described(assignment_ids=...) -> {assignment id: {"job_id", "process",
# "pieces"}}: what a settlement line pays for, as the admin's batch page shows it (the
# process's name in the reader's language, the pieces accepted).
assignments_described = Seam(
    "payments.assignments_described", args={"assignment_ids": list}, runs=READ, single=True, required=False
)
