"""What the schema says of each jobs, board, offers and assignments operation: who may call
it, the state it needs, what it changes, and example bodies (``core.api.schema.operation``)."""

from core.api.schema import error_example, operation
from orders.api.examples import (
    ASSIGNMENT,
    COMPLETED,
    DEADLINE,
    DELIVERED,
    IN_PRODUCTION,
    JOB,
    JOB_ASSIGNED,
    JOB_CANCELLED,
    JOB_DISPUTED,
    JOB_RESOLVED,
    MATERIALS_NONE,
    OFFER,
    SPEC,
)
from orders.cards import BoardCard

NOT_YOURS = error_example(404, "not_found", "No such assignment.")
JOB_NOT_YOURS = error_example(404, "not_found", "No such job.")
ONLY_FACTORY = error_example(403, "forbidden", "Only the assignment's factory may do this.")
ONLY_SME = error_example(403, "forbidden", "Only the assignment's sme may do this.")


def _assignment_state(current: str, needed: str) -> object:
    return error_example(
        409,
        f"assignment_not_{needed}",
        # the message names the states as a person reads them (lower-cased labels)
        f"The assignment is {current.replace('_', ' ')}; this needs it to be {needed.replace('_', ' ')}.",
        {"status": [current]},
    )


STEP = (
    " Idempotent: repeating the step just taken answers 200 and changes nothing; an "
    "`Idempotency-Key` header makes a retried request return the first response."
)

job_quote = operation(
    "Price a job before posting it",
    "For an SME. The unit price is the larger of the catalogue's reference price and the median "
    "price of verified factories for the process, plus an urgency surcharge (+30% under 24 h, "
    "+15% under 72 h to the deadline), rounded up to the fen; total = unit price x quantity. "
    "`spec` is optional here and checked against the process's schema when given. Changes nothing.",
    request={"process": "velcro_sewing", "quantity": 2000, "deadline": DEADLINE},
    response={
        "unit_price_fen": 15,
        "total_fen": 30000,
        "currency": "CNY",
        "reference_unit_price_fen": 15,
        "market_unit_price_fen": 14,
        "urgency_surcharge_bps": 0,
    },
    errors=(error_example(400, "unknown_process", "Unknown process.", {"process": ["Unknown process."]}),),
)

job_list = operation(
    "List jobs",
    "An SME sees its own jobs, a factory the jobs it holds (or held and completed) a share of; "
    "newest first, paginated. `?status=` keeps jobs in one status (an unknown status is 400). "
    "A factory sees only its own share of a split job.",
    response=JOB_ASSIGNED,
    errors=(
        error_example(
            400,
            "invalid",
            "Unknown status.",
            {
                "status": [
                    "One of awaiting_payment, open, assigned, materials_sent, in_production, delivered, "
                    "completed, disputed, cancelled, expired."
                ]
            },
        ),
    ),
)

job_post = operation(
    "Post a job",
    "For an SME. Creates the job in `awaiting_payment` with its payment (`requires_payment`) "
    "and answers 201; the SME pays at `payment.pay_url`, and the gateway's signed webhook "
    "opens the job (`open`): on the board (`mode: grab`) or to the dispatch matcher "
    "(`mode: dispatch`). `spec` is checked against the process's JSON Schema (errors per "
    "field as `fields.spec.<name>`); the hand-off place is `lat`/`lng`, or the company's "
    "location when they are left out. Send an `Idempotency-Key` so a retried post creates "
    "one job.",
    request={
        "process": "velcro_sewing",
        "quantity": 2000,
        "unit_price_fen": 15,
        "deadline": DEADLINE,
        "spec": SPEC,
        "mode": "grab",
        "allow_split": False,
    },
    response=JOB,
    errors=(
        error_example(
            400,
            "invalid",
            "The job's terms are not valid.",
            {"spec": {"stitch": ["'overlock' is not one of ['straight', 'zigzag', 'box_x', 'bartack']"]}},
        ),
    ),
)

job_get = operation(
    "Get a job",
    "The job with its status, its assignments and its payment. For its SME, and for a factory "
    "holding a live or completed share of it (which sees only its own share, and no `pay_url`); "
    "anyone else gets 404, never a hint that the job exists.",
    response=JOB_ASSIGNED,
    errors=(JOB_NOT_YOURS,),
)

job_events = operation(
    "A job's audit trail",
    "Every status change and step of the job and its shares, oldest first, with who did it: a "
    "username of your own company, the other party by role and company name (`Factory · Hongda "
    "Caps`), `Platform` for a platform admin, `system` for the platform itself. Same visibility "
    "as the job; a factory sees the job's own events and its own share's.",
    response={
        "id": 301,
        "assignment": 42,
        "actor": "Factory · Hongda Caps",
        "action": "materials_received",
        "old_status": "materials_sent",
        "new_status": "in_production",
        "data": {"quantity_received": 2000},
        "created_at": "2026-06-09T14:20:05+08:00",
    },
    errors=(JOB_NOT_YOURS,),
)

job_cancel = operation(
    "Cancel a job",
    "For the job's SME, while it is `awaiting_payment` or `open` and no part of it is assigned. "
    "The job becomes `cancelled`, its pending offers are withdrawn and all of its escrow is "
    "owed back to the SME (the refund is sent to the gateway after commit). Cancelling a "
    "cancelled job is a harmless 200.",
    request={"reason": "Customer moved the order to next month."},
    response=JOB_CANCELLED,
    errors=(
        JOB_NOT_YOURS,
        error_example(
            409, "job_partially_assigned", "Part of this job is already assigned; it can no longer be cancelled."
        ),
    ),
)

job_dispute = operation(
    "Dispute a delivery",
    "For the job's SME, when at least one share is `delivered`: every delivered share becomes "
    "`disputed`, is kept from auto-accept and waits for an admin "
    "(`POST /admin/jobs/{id}/resolve-dispute`); no money moves. On a split job, shares still in "
    "production carry on. `reason` is required.",
    request={"reason": "About 100 closures are stitched off-centre."},
    response=JOB_DISPUTED,
    errors=(
        JOB_NOT_YOURS,
        error_example(
            409,
            "job_not_delivered",
            "The job is in production; this needs it to be delivered.",
            {"status": ["in_production"]},
        ),
    ),
)

board_list = operation(
    "The grab board",
    "For a factory: the open grab-mode jobs it is eligible for right now (verified, online, a "
    "capability priced at or below the job's price, the hand-off place within its service "
    "radius, free capacity before the deadline), nearest first, each with `distance_km` and, "
    "for a split job, the share it could take (`min_share`..`max_share`).",
    response=BoardCard.example,
)

board_accept = operation(
    "Take a job from the board",
    "For an eligible factory, while the job is `open`: creates its assignment (`assigned`, 201) "
    "and books its capacity; the job becomes `assigned` once its whole quantity is covered. Of "
    "simultaneous accepts exactly one wins; the others get 409 `already_taken`. `quantity` only "
    "for a split job (at least 10% of it or the capability's minimum). A job not on this "
    "factory's board is 404.",
    request={},
    response=ASSIGNMENT,
    errors=(
        error_example(404, "not_found", "No such job on your board."),
        error_example(409, "already_taken", "Another factory has taken this job."),
    ),
)

assignment_list = operation(
    "List assignments",
    "A factory's own assignments (its shares of jobs), an SME's assignments on its jobs; newest first, paginated.",
    response=IN_PRODUCTION,
)

materials_sent = operation(
    "Record material sent",
    "For the job's SME, while the assignment is `assigned`: records the material handed to the "
    "factory (`quantity_sent`, in pieces' worth; the share's quantity when left out) and moves "
    "it to `materials_sent`." + STEP,
    request={"note": "2 cartons by Jiaozhou Express, waybill JZ20260609-118", "quantity_sent": 2000},
    response={
        **ASSIGNMENT,
        "status": "materials_sent",
        "quantity_sent": 2000,
        "materials": {**MATERIALS_NONE, "sent": 2000},
    },
    errors=(NOT_YOURS, ONLY_SME, _assignment_state("in_production", "assigned")),
)

materials_received = operation(
    "Record material received",
    "For the assignment's factory, while it is `materials_sent`: records what arrived and moves "
    "it to `in_production`. A shortfall is recorded and caps the delivery; 0 is not a receipt "
    "(400 `nothing_received`)." + STEP,
    request={"quantity_received": 2000},
    response=IN_PRODUCTION,
    errors=(
        NOT_YOURS,
        ONLY_FACTORY,
        error_example(
            400,
            "nothing_received",
            "Nothing arrived is not a receipt; the share keeps waiting for its material.",
            {"quantity_received": ["At least 1."]},
        ),
        _assignment_state("assigned", "materials_sent"),
    ),
)

materials_returned = operation(
    "Confirm returned material",
    "For the job's SME, after the factory gave its share back (`withdrawn`) or returned a "
    "delivery's leftover: confirms the SME has back the material recorded as `returned` "
    "(`materials.returned_confirmed`). Moves no money and no status; repeating it is a "
    "harmless 200.",
    response={
        **ASSIGNMENT,
        "status": "withdrawn",
        "quantity_sent": 2000,
        "materials": {**MATERIALS_NONE, "sent": 2000, "returned": 2000, "returned_confirmed": 2000},
    },
    errors=(NOT_YOURS, ONLY_SME),
)

progress = operation(
    "Report production progress",
    "For the assignment's factory, while it is `in_production`: sets `quantity_done` (at most "
    "what was received) so the SME can follow along. Changes no status." + STEP,
    request={"quantity_done": 1200},
    response={**IN_PRODUCTION, "quantity_done": 1200},
    errors=(NOT_YOURS, ONLY_FACTORY, _assignment_state("materials_sent", "in_production")),
)

deliver = operation(
    "Deliver the work",
    "For the assignment's factory, while it is `in_production`: moves it to `delivered` and "
    "frees its capacity. Every piece received must be accounted for: delivered + "
    "`quantity_lost` (process loss, at most the process's tolerance) + the rest, which is "
    "`leftover`: `return` (to the SME) or `write_off`. The SME then inspects; after "
    "`INSPECTION_WINDOW_HOURS` (72 h) it is accepted automatically." + STEP,
    request={"quantity_delivered": 1990, "quantity_lost": 10},
    response=DELIVERED,
    errors=(
        NOT_YOURS,
        ONLY_FACTORY,
        error_example(
            400,
            "invalid_delivery",
            "The delivery does not add up.",
            {"quantity_lost": ["At most 40 (2% of 2000 received)."]},
        ),
        _assignment_state("assigned", "in_production"),
    ),
)

accept_delivery = operation(
    "Accept a delivery",
    "For the job's SME, while the assignment is `delivered`: accepts `quantity_accepted` of "
    "the delivered pieces (the rest are rejected) and rates the factory 1-5. The assignment "
    "becomes `completed` and money moves: escrow -> the factory's payable for the accepted "
    "pieces less the commission (5%, rounded down), the commission to revenue, the rejected "
    "pieces' worth back to the SME as a refund." + STEP,
    request={"quantity_accepted": 1990, "rating": 5, "comment": "Clean box stitching."},
    response=COMPLETED,
    errors=(NOT_YOURS, ONLY_SME, _assignment_state("in_production", "delivered")),
)

withdraw = operation(
    "Give a share back",
    "For the assignment's factory, before production starts (`assigned` or `materials_sent`): "
    "the assignment becomes `withdrawn`, the job goes back to `open` for matching, and this "
    "factory cannot take it again; it counts against its track record. Material sent is "
    "recorded as `returned` until the SME confirms it." + STEP,
    request={"reason": "Our velcro line is down for repair."},
    response={**ASSIGNMENT, "status": "withdrawn"},
    errors=(
        NOT_YOURS,
        ONLY_FACTORY,
        _assignment_state("in_production", "in_a_state_that_allows_this"),
    ),
)

resolve_dispute = operation(
    "Resolve a dispute",
    "For platform admins, while the job has `disputed` shares: `quantity_accepted` (at most the "
    "pieces delivered) is spread over the disputed shares in order, which become `completed`; "
    "money moves as for an accept with rejects. Idempotent with an `Idempotency-Key`.",
    request={"quantity_accepted": 1890, "note": "Agreed by phone: 100 pieces restitched by the SME."},
    response=JOB_RESOLVED,
    errors=(
        error_example(404, "not_found", "No such job."),
        error_example(
            409, "job_not_disputed", "The job is completed; this needs it to be disputed.", {"status": ["completed"]}
        ),
    ),
)

offer_list = operation(
    "My dispatch offers",
    "For a factory: the dispatch matcher's offers to it, with everything needed to decide "
    "(process, spec, quantity, price, deadline, hand-off place, distance) and when each "
    "expires (`OFFER_TTL_SECONDS`, 60 s by default).",
    response=OFFER,
)

offer_accept = operation(
    "Accept an offer",
    "For the offered factory, while the offer is `pending` and not expired: creates its "
    "assignment (201, `via: offer`) with capacity re-checked as of the batch that made the "
    "offer. The offer becomes `accepted`; a job that is not split withdraws its other offers.",
    response={**ASSIGNMENT, "via": "offer", "quantity": 5000, "amount_fen": 80000, "job": 19},
    errors=(
        error_example(404, "not_found", "No such offer."),
        error_example(409, "offer_expired", "This offer has expired.", {"status": ["expired"]}),
    ),
)

offer_decline = operation(
    "Decline an offer",
    "For the offered factory, while the offer is `pending`: it becomes `declined` and the job "
    "returns to the next dispatch batch without this factory; after 3 misses the job also "
    "appears on the grab board.",
    request={"reason": "Fully booked this week."},
    response={**OFFER, "status": "declined"},
    errors=(
        error_example(404, "not_found", "No such offer."),
        error_example(409, "offer_withdrawn", "This offer is withdrawn.", {"status": ["withdrawn"]}),
    ),
)
