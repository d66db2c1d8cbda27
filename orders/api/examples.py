"""Example bodies of the orders API for its schema (orders/api/docs.py): one velcro_sewing job
of 2,000 pieces at 15 fen through its life. What a factory sees of a job before taking it is
the cards' own example (``orders.cards``)."""

from orders.cards import JobCard, OfferCard

DEADLINE = "2026-06-12T18:00:00+08:00"
SPEC = {"width_mm": 25, "color": "black", "stitch": "box_x"}
MATERIALS_NONE = {
    "sent": 0,
    "received": 0,
    "consumed": 0,
    "loss": 0,
    "returned": 0,
    "written_off": 0,
    "returned_confirmed": 0,
}

ASSIGNMENT = {
    "id": 42,
    "job": 17,
    "factory": {"id": 5, "name": "Hongda Shared Sewing"},
    "quantity": 2000,
    "unit_price_fen": 15,
    "amount_fen": 30000,
    "amount": {"amount": "300.00", "currency": "CNY"},
    "status": "assigned",
    "via": "grab",
    "quantity_sent": None,
    "quantity_received": None,
    "quantity_done": 0,
    "quantity_delivered": None,
    "quantity_accepted": None,
    "quantity_rejected": None,
    "rating": None,
    "comment": "",
    "assigned_at": "2026-06-09T10:02:11+08:00",
    "delivered_at": None,
    "completed_at": None,
    "materials": MATERIALS_NONE,
    "last_inspection": None,
}
IN_PRODUCTION = {
    **ASSIGNMENT,
    "status": "in_production",
    "quantity_sent": 2000,
    "quantity_received": 2000,
    "materials": {**MATERIALS_NONE, "sent": 2000, "received": 2000},
}
DELIVERED = {
    **IN_PRODUCTION,
    "status": "delivered",
    "quantity_done": 1990,
    "quantity_delivered": 1990,
    "delivered_at": "2026-06-11T16:40:00+08:00",
    "materials": {**MATERIALS_NONE, "sent": 2000, "received": 2000, "consumed": 1990, "loss": 10},
}
# The delivered lot's inspection (``orders.api.inspection_docs.INSPECTION``) as the share carries it.
LAST_INSPECTION = {"id": 7, "round": 1, "accepted": True, "next": "accept", "inspected_at": "2026-06-11T18:05:00+08:00"}
# The same lot rejected at inspection and sent to an admin (``on_reject: dispute``).
LAST_INSPECTION_DISPUTED = {**LAST_INSPECTION, "accepted": False, "next": "dispute"}
COMPLETED = {
    **DELIVERED,
    "last_inspection": LAST_INSPECTION,
    "status": "completed",
    "quantity_accepted": 1990,
    "quantity_rejected": 0,
    "rating": 5,
    "comment": "Clean box stitching.",
    "completed_at": "2026-06-11T18:05:00+08:00",
}

JOB = {
    **JobCard.example,  # the job read in full shows its card's fields, and these
    "total": {"amount": "300.00", "currency": "CNY"},
    "mode": "grab",
    "status": "awaiting_payment",
    "on_board": False,
    "sme": {"id": 3, "name": "Capco Hats"},
    "assignments": [],
    "payment": {
        "id": 23,
        "status": "requires_payment",
        "amount_fen": 30000,
        "refunded_fen": 0,
        "currency": "CNY",
        "pay_url": "http://127.0.0.1:8000/sandbox/pay/23/5f0c2a9e41d7b38c6e2f91a0d4b7c815",
    },
    "created_at": "2026-06-09T09:30:00+08:00",
    "updated_at": "2026-06-09T09:30:00+08:00",
}
PAID = {"id": 23, "status": "succeeded", "amount_fen": 30000, "refunded_fen": 0, "currency": "CNY", "pay_url": ""}
JOB_ASSIGNED = {**JOB, "status": "assigned", "payment": PAID, "assignments": [ASSIGNMENT]}
JOB_CANCELLED = {
    **JOB,
    "status": "cancelled",
    "payment": {**PAID, "status": "refunded", "refunded_fen": 30000},
}
JOB_DISPUTED = {
    **JOB,
    "status": "disputed",
    "payment": PAID,
    "assignments": [{**DELIVERED, "status": "disputed", "last_inspection": LAST_INSPECTION_DISPUTED}],
}
JOB_RESOLVED = {
    **JOB,
    "status": "completed",
    "payment": {**PAID, "status": "partially_refunded", "refunded_fen": 1500},
    "assignments": [
        {
            **COMPLETED,
            "quantity_accepted": 1890,
            "quantity_rejected": 100,
            "rating": None,
            "comment": "",
            "last_inspection": LAST_INSPECTION_DISPUTED,
        }
    ],
}

OFFER = {**OfferCard.example, "created_at": "2026-06-09T10:00:00+08:00"}
