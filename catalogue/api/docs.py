"""What the schema says of the catalogue (``core.api.schema.operation``)."""

from core.api.schema import error_example, operation

process_list = operation(
    "The process catalogue",
    "Any signed-in user: the standard sub-processes a job can ask for, each with its unit, its "
    "reference unit price in fen, its allowed material loss (`material_tolerance_bps`) and the "
    "JSON Schema (draft 2020-12) a job's `spec` must meet. Changes nothing.",
    response={
        "code": "velcro_sewing",
        "name": "Velcro closure sewing",
        "name_zh": "魔术贴缝制",
        "unit": "piece",
        "spec_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "width_mm": {"type": "integer", "minimum": 10, "maximum": 100},
                "length_mm": {"type": "integer", "minimum": 20, "maximum": 300},
                "color": {"type": "string", "minLength": 1, "maxLength": 40},
                "stitch": {"type": "string", "enum": ["straight", "zigzag", "box_x", "bartack"]},
            },
            "required": ["width_mm", "color", "stitch"],
            "additionalProperties": False,
        },
        "reference_unit_price_fen": 15,
        "material_tolerance_bps": 200,
    },
)

process_detail = operation(
    "One process of the catalogue",
    "Any signed-in user: the process named by its code, as `GET /api/v1/processes` lists it, "
    "with the JSON Schema (draft 2020-12) a job's `spec` for it must meet (`spec_schema`). A "
    "job's `spec` is checked against it when the job is quoted or posted; every response that "
    "carries a job's `process` and `spec` links here. 404 for an unknown or retired process. "
    "Changes nothing.",
    response={
        "code": "packing",
        "name": "Packing",
        "name_zh": "包装",
        "unit": "piece",
        "spec_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "units_per_bag": {"type": "integer", "minimum": 1, "maximum": 50},
                "bags_per_carton": {"type": "integer", "minimum": 1, "maximum": 500},
                "labelled": {"type": "boolean"},
            },
            "required": ["units_per_bag"],
            "additionalProperties": False,
        },
        "reference_unit_price_fen": 4,
        "material_tolerance_bps": 0,
    },
    errors=(error_example(404, "not_found", "Unknown process."),),
)

PLAN_EXAMPLE = {
    "lot_size": 500,
    "level": "II",
    "severity": "normal",
    "code_letter": "H",
    "sample_size": 80,
    "full_inspection": False,
    "classes": {
        "critical": {"aql": "0.65", "plan_letter": "J", "sample_size": 80, "ac": 1, "re": 2},
        "major": {"aql": "2.5", "plan_letter": "H", "sample_size": 50, "ac": 3, "re": 4},
        "minor": {"aql": "4.0", "plan_letter": "H", "sample_size": 50, "ac": 5, "re": 6},
    },
}

# A process's inspection standard as GET /processes/{code}/inspection gives it (and a share's
# inspection page repeats it).
STANDARD_EXAMPLE = {
    "process": "velcro_sewing",
    "level": "II",
    "aql": {"critical": "0.65", "major": "2.5", "minor": "4.0"},
    "items": [
        {
            "code": "position",
            "name": "Closure position",
            "name_zh": "魔术贴位置",
            "criterion": "Within ±2 mm of the marked position",
            "criterion_zh": "与标记位置偏差±2毫米以内",
            "defect_class": "major",
        }
    ],
}

process_inspection = operation(
    "A process's inspection standard",
    "Any signed-in user: what a delivered lot of the process is inspected for. `items` is the "
    "checklist (each item's defect class: critical, major or minor), `aql` the acceptance quality "
    "limit per class and `level` the GB/T 2828.1 (ISO 2859-1) inspection level that sizes the "
    "sample (II unless the process says otherwise). With `?lot_size=` the answer's `plan` previews "
    "the single sampling plan for such a lot (`severity` normal unless asked): the code letter, and "
    "per class the sample size and the acceptance (Ac) and rejection (Re) numbers after the "
    "standard's arrows; `sample_size` is the pieces to draw, each class judged on its own first "
    "`sample_size` pieces. Changes nothing.",
    response={
        **STANDARD_EXAMPLE,
        "plan": PLAN_EXAMPLE,
    },
    errors=(
        error_example(404, "not_found", "Unknown process."),
        error_example(
            400,
            "invalid",
            "Bad lot size or severity.",
            {"lot_size": ["Ensure this value is greater than or equal to 2."]},
        ),
    ),
)
