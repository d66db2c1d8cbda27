"""What the schema says of a share's inspection operations (``core.api.schema.operation``)."""

from catalogue.api.docs import PLAN_EXAMPLE, STANDARD_EXAMPLE
from core.api.schema import error_example, operation
from orders.api.docs import NOT_YOURS, ONLY_SME, _assignment_state

INSPECTION_PLAN = {**PLAN_EXAMPLE, "lot_size": 1990, "code_letter": "K", "sample_size": 125}
INSPECTION_PLAN["classes"] = {
    "critical": {"aql": "0.65", "plan_letter": "K", "sample_size": 125, "ac": 2, "re": 3},
    "major": {"aql": "2.5", "plan_letter": "K", "sample_size": 125, "ac": 7, "re": 8},
    "minor": {"aql": "4.0", "plan_letter": "K", "sample_size": 125, "ac": 10, "re": 11},
}
INSPECTION = {
    "id": 7,
    "assignment": 42,
    "round": 1,
    "lot_size": 1990,
    "severity": "normal",
    "plan": INSPECTION_PLAN,
    "sample_inspected": 125,
    "defects": {"position": 6, "loose_threads": 4},
    "found": {"critical": 0, "major": 6, "minor": 4},
    "accepted": True,
    "next": "accept",
    "note": "",
    "photo_ids": [],
    "inspected_at": "2026-06-11T18:05:00+08:00",
}

inspection_get = operation(
    "A share's inspection",
    "For the job's SME and the share's factory. `plan` is the GB/T 2828.1 single sampling plan "
    "the delivered lot is judged by, while the share is `delivered` and this delivery is not yet "
    "inspected (otherwise null): the lot is the pieces delivered, the level and AQLs are the "
    "process's (`standard`, as GET /processes/{code}/inspection gives it) and `severity` is where "
    "the standard's switching rules stand for this factory at this process (normal, tightened "
    "after 2 of 5 or fewer consecutive lots rejected, reduced after a switching score of 30). "
    "`inspections` lists every inspection of the share, oldest first. Changes nothing.",
    response={
        "assignment_id": 42,
        "status": "delivered",
        "severity": "normal",
        "plan": INSPECTION_PLAN,
        "standard": STANDARD_EXAMPLE,
        "inspections": [],
    },
    errors=(NOT_YOURS,),
)

inspection_record = operation(
    "Record the inspection of a delivered lot",
    "For the job's SME, while the share is `delivered` and this delivery is not yet inspected: "
    "`sample_inspected` pieces (at least the plan's `sample_size`, at most the lot) and the "
    "`defects` found per checklist item. The service sums them per defect class and judges the "
    "lot by the plan: accepted when every class is within its `ac`. An accepted lot stays "
    "`delivered` for acceptance as before (POST .../accept: quantity accepted, rating, money). A "
    "rejected lot goes back to the factory to rework (`in_production`; it re-delivers the same "
    "quantity through POST .../deliver and the lot is inspected again) or, with "
    "`on_reject: dispute`, to `disputed` for an admin. The lot's first inspection moves the "
    "factory's switching state for the process. Both companies get `inspection.recorded`. "
    "`photo_ids` names photos already uploaded as evidence (POST /api/v1/jobs/{id}/photos): "
    "only the SME's own photos of kind `inspection` of this job, of this share or of the whole "
    "job; any other id is a 400 `invalid_photos` and nothing is recorded.",
    request={"sample_inspected": 125, "defects": {"position": 6, "loose_threads": 4}},
    response=INSPECTION,
    errors=(
        NOT_YOURS,
        ONLY_SME,
        _assignment_state("materials_sent", "delivered"),
        error_example(409, "already_inspected", "This delivery has been inspected already."),
        error_example(
            400,
            "invalid_defects",
            "Some defect counts are wrong.",
            {"defects": {"wobbly": ["Not an item of this process's checklist."]}},
        ),
        error_example(
            400,
            "invalid_photos",
            "Name only your own inspection photos of this job.",
            {"photo_ids": ["Not an inspection photo of this job: 42."]},
        ),
    ),
)

factory_quality = operation(
    "The factory's quality per process",
    "For a factory: per process it has had lots inspected at, where the GB/T 2828.1 switching "
    "rules stand (`severity` normal, tightened or reduced; `discontinued` after 5 lots rejected "
    "on tightened; `score` the switching score towards reduced) and its figures from each lot's "
    "first inspection: lots, lots accepted, the first-pass rate, pieces inspected, defects found "
    "and defects per 100 pieces. Dispatch weighs a factory's quality at the job's process beside "
    "its reliability and rating, and a factory under tightened inspection is offered fewer jobs. "
    "Changes nothing.",
    response={
        "process": "velcro_sewing",
        "severity": "normal",
        "discontinued": False,
        "lots": 12,
        "lots_accepted": 11,
        "first_pass_rate": 0.9166666666666666,
        "units_inspected": 960,
        "defects": 31,
        "defects_per_100": 3.2291666666666665,
        "score": 14,
        "updated_at": "2026-06-11T18:05:00+08:00",
    },
)
