"""What each property of the process catalogue means, for the OpenAPI schema: applied to every
component that has the property (``marketplace.docs.describe_properties``). A key is a
property's name, or ``Component.name`` where one component means something else by it."""

FIELDS = {
    "Process.code": {
        "description": "The process's code, what jobs and capabilities name it by, e.g. `velcro_sewing`.",
        "pattern": "^[-a-zA-Z0-9_]+$",
    },
    "Process.name": "The process's name in English.",
    "name_zh": "The process's name in Chinese.",
    "unit": "What a quantity counts, e.g. `piece`.",
    "spec_schema": "The JSON Schema (draft 2020-12) a job's `spec` for this process must satisfy (its fields, "
    "types and allowed values); a generated form can be built from it.",
    "reference_unit_price_fen": "The catalogue's reference price per piece, in fen: the floor of a quote.",
    "material_tolerance_bps": "The process loss allowed, in basis points of the material received (200 = 2%).",
    "InspectionItem.code": "The checklist item's code: what an inspection's `defects` counts against.",
    "criterion": "What the inspector checks for this item, in English (e.g. `Within 2 mm of the mark`).",
    "criterion_zh": "What the inspector checks for this item, in Chinese.",
    "defect_class": {
        "description": "How serious a defect of this item is: `critical`, `major` or `minor` (GB/T 2828.1 classes).",
        "enum": ["critical", "major", "minor"],
    },
    "ClassPlans.critical": "The sampling plan for critical defects.",
    "ClassPlans.major": "The sampling plan for major defects.",
    "ClassPlans.minor": "The sampling plan for minor defects.",
    "LotPlan.lot_size": "Pieces in the delivered lot the plan is for.",
    "LotPlan.severity": "Normal, tightened or reduced inspection (GB/T 2828.1 clause 9).",
    "LotPlan.classes": "The plan per defect class: sample size and acceptance (Ac) and rejection (Re) numbers.",
    "InspectionStandard.level": "The inspection level lots of this process are sampled at: I, II, III or S-1..S-4.",
    "InspectionStandard.aql": "The acceptance quality limit per defect class, as the standard prints it "
    '(e.g. `{"critical": "0.65", "major": "2.5", "minor": "4.0"}`).',
    "InspectionStandard.items": "The checklist: what is checked on a lot of this process, each with its defect class.",
    "ProcessInspection.level": "The inspection level lots of this process are sampled at: I, II, III or S-1..S-4.",
    "ProcessInspection.aql": "The acceptance quality limit per defect class, as the standard prints it.",
    "ProcessInspection.items": "The checklist: what is checked on a lot of this process, each with its defect class.",
    "ProcessInspection.plan": "The sampling plan of the `lot_size` asked for (null without one).",
}
