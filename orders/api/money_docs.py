"""The schema's words for the money sums each side reads of its own jobs: an SME's jobs summary
and a factory's wallet (kept apart from orders/api/docs.py for its size)."""

from core.api.schema import operation

jobs_summary = operation(
    "My jobs in sums",
    "For an SME: how many of its jobs are in each status, and, from the ledger in fen, what it "
    "paid into escrow (`paid_fen`), what is held there now (`escrow_fen`), what was released on "
    "accepted work to the factories and the platform's commission (`released_fen`), what is owed "
    "back to it (`refunded_fen`: cancelled or expired jobs, pieces not accepted) and of that what "
    "the gateway has sent back (`refunds_sent_fen`). Changes nothing.",
    response={
        "jobs_by_status": {
            "awaiting_payment": 0,
            "open": 1,
            "assigned": 0,
            "materials_sent": 0,
            "in_production": 1,
            "delivered": 0,
            "completed": 3,
            "disputed": 0,
            "cancelled": 1,
            "expired": 0,
        },
        "paid_fen": 180000,
        "escrow_fen": 60000,
        "released_fen": 90000,
        "refunded_fen": 30000,
        "refunds_sent_fen": 30000,
        "currency": "CNY",
    },
)

wallet = operation(
    "My wallet",
    "For a factory, from the ledger, in fen: `escrow_fen` held for its live assignments, "
    "`payable_fen` earned and not yet paid out (including batches under review), "
    "`in_transit_fen` sent to the gateway, `paid_out_fen` confirmed paid. Changes nothing.",
    response={
        "escrow_fen": 30000,
        "payable_fen": 28358,
        "in_transit_fen": 0,
        "paid_out_fen": 112290,
        "currency": "CNY",
    },
)
