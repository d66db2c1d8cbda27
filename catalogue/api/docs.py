"""What the schema says of the catalogue (``core.api.schema.operation``)."""

from core.api.schema import operation

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
