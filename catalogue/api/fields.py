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
    "spec_schema": {
        "description": "The JSON Schema a job's `spec` for this process must satisfy (its fields, types and "
        "allowed values); a generated form can be built from it.",
        "type": "object",
        "additionalProperties": True,
    },
    "reference_unit_price_fen": "The catalogue's reference price per piece, in fen: the floor of a quote.",
    "material_tolerance_bps": "The process loss allowed, in basis points of the material received (200 = 2%).",
}
