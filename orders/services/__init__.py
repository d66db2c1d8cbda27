"""Every write of the orders app, by responsibility:

- ``posting``: quoting and posting a job (with its payment)
- ``jobs``: a job's own moves (paid through the payment seam, cancel, expiry) and the
  status it takes from its shares
- ``assignments``: taking a job (board accept) and each step of a share, acceptance included
- ``materials``: the SME's material per share
- ``disputes``: disputes and their resolution
- ``inspections``: sampling inspection of a delivered lot and its verdict
- ``offers`` and ``dispatch``: a dispatch offer's life, and the batch that makes offers
- ``sweeps``: the beat sweeps (auto-accept, expiry)
- ``locking``: the job/assignment locks and trail rows they all share
"""

from orders.services.assignments import (
    assignment_accept,
    assignment_auto_accept,
    assignment_create,
    assignment_deliver,
    assignment_materials_received,
    assignment_materials_returned,
    assignment_materials_sent,
    assignment_progress,
    assignment_withdraw,
    board_accept,
)
from orders.services.dispatch import dispatch_run_batch
from orders.services.disputes import dispute_resolve, job_dispute
from orders.services.inspections import inspection_record
from orders.services.jobs import job_cancel, job_expire, job_payment_captured
from orders.services.locking import job_lock
from orders.services.materials import material_loss_allowance
from orders.services.offers import offer_accept, offer_decline, offers_expire, offers_withdraw_for_factory
from orders.services.posting import MAX_QUANTITY, MAX_UNIT_PRICE_FEN, job_post, job_quote
from orders.services.shards import dispatch_pieces
from orders.services.sweeps import assignments_auto_accept_due, jobs_expire_due

__all__ = [
    "MAX_QUANTITY",
    "MAX_UNIT_PRICE_FEN",
    "assignment_accept",
    "assignment_auto_accept",
    "assignment_create",
    "assignment_deliver",
    "assignment_materials_received",
    "assignment_materials_returned",
    "assignment_materials_sent",
    "assignment_progress",
    "assignment_withdraw",
    "assignments_auto_accept_due",
    "board_accept",
    "dispatch_pieces",
    "dispatch_run_batch",
    "dispute_resolve",
    "inspection_record",
    "job_cancel",
    "job_dispute",
    "job_expire",
    "job_lock",
    "job_payment_captured",
    "job_post",
    "job_quote",
    "jobs_expire_due",
    "material_loss_allowance",
    "offer_accept",
    "offer_decline",
    "offers_expire",
    "offers_withdraw_for_factory",
]
