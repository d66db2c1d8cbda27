"""Seeds the standard process catalogue (DOMAIN.md). Data lives here, not imported from
app code, so this migration means the same thing whenever it runs."""

from django.db import migrations

STITCH = {"type": "string", "enum": ["straight", "zigzag", "box_x", "bartack"]}
COLOR = {"type": "string", "minLength": 1, "maxLength": 40}


def _schema(properties, required):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


PROCESSES = [
    {
        "code": "velcro_sewing",
        "name": "Velcro closure sewing",
        "name_zh": "魔术贴缝制",
        "reference_unit_price_fen": 15,
        "material_tolerance_bps": 200,
        "spec_schema": _schema(
            {
                "width_mm": {"type": "integer", "minimum": 10, "maximum": 100},
                "length_mm": {"type": "integer", "minimum": 20, "maximum": 300},
                "color": COLOR,
                "stitch": STITCH,
            },
            ["width_mm", "color", "stitch"],
        ),
    },
    {
        "code": "webbing_cutting",
        "name": "Webbing strap cutting",
        "name_zh": "织带裁切",
        "reference_unit_price_fen": 3,
        "material_tolerance_bps": 100,
        "spec_schema": _schema(
            {
                "width_mm": {"type": "integer", "minimum": 5, "maximum": 100},
                "length_mm": {"type": "integer", "minimum": 20, "maximum": 2000},
                "material": {"type": "string", "enum": ["polyester", "nylon", "cotton", "polypropylene"]},
                "hot_cut": {"type": "boolean"},
            },
            ["width_mm", "length_mm", "material"],
        ),
    },
    {
        "code": "webbing_sewing",
        "name": "Webbing strap sewing",
        "name_zh": "织带缝制",
        "reference_unit_price_fen": 10,
        "material_tolerance_bps": 200,
        "spec_schema": _schema(
            {
                "width_mm": {"type": "integer", "minimum": 5, "maximum": 100},
                "length_mm": {"type": "integer", "minimum": 20, "maximum": 2000},
                "stitch": STITCH,
                "with_buckle": {"type": "boolean"},
                "color": COLOR,
            },
            ["width_mm", "length_mm", "stitch"],
        ),
    },
    {
        "code": "embroidery",
        "name": "Embroidery",
        "name_zh": "刺绣",
        "reference_unit_price_fen": 80,
        "material_tolerance_bps": 300,
        "spec_schema": _schema(
            {
                "stitch_count": {"type": "integer", "minimum": 100, "maximum": 200000},
                "colors": {"type": "integer", "minimum": 1, "maximum": 15},
                "position": {"type": "string", "enum": ["front", "side", "back", "visor"]},
                "design_ref": {"type": "string", "maxLength": 200},
            },
            ["stitch_count", "colors"],
        ),
    },
    {
        "code": "eyelet_punching",
        "name": "Eyelet punching",
        "name_zh": "打气眼",
        "reference_unit_price_fen": 5,
        "material_tolerance_bps": 100,
        "spec_schema": _schema(
            {
                "eyelets_per_piece": {"type": "integer", "minimum": 1, "maximum": 12},
                "diameter_mm": {"type": "integer", "minimum": 2, "maximum": 12},
                "finish": {"type": "string", "enum": ["metal", "painted", "plastic"]},
            },
            ["eyelets_per_piece", "diameter_mm"],
        ),
    },
    {
        "code": "visor_shaping",
        "name": "Visor shaping",
        "name_zh": "帽檐定型",
        "reference_unit_price_fen": 8,
        "material_tolerance_bps": 200,
        "spec_schema": _schema(
            {
                "curve": {"type": "string", "enum": ["flat", "slight", "full"]},
                "visor_length_mm": {"type": "integer", "minimum": 40, "maximum": 120},
            },
            ["curve"],
        ),
    },
    {
        "code": "heat_transfer_logo",
        "name": "Heat-transfer logo",
        "name_zh": "烫画",
        "reference_unit_price_fen": 30,
        "material_tolerance_bps": 300,
        "spec_schema": _schema(
            {
                "width_mm": {"type": "integer", "minimum": 5, "maximum": 300},
                "height_mm": {"type": "integer", "minimum": 5, "maximum": 300},
                "colors": {"type": "integer", "minimum": 1, "maximum": 8},
                "position": {"type": "string", "enum": ["front", "side", "back", "visor"]},
            },
            ["width_mm", "height_mm", "colors"],
        ),
    },
    {
        "code": "packing",
        "name": "Packing",
        "name_zh": "包装",
        "reference_unit_price_fen": 4,
        "material_tolerance_bps": 0,
        "spec_schema": _schema(
            {
                "units_per_bag": {"type": "integer", "minimum": 1, "maximum": 50},
                "bags_per_carton": {"type": "integer", "minimum": 1, "maximum": 500},
                "labelled": {"type": "boolean"},
            },
            ["units_per_bag"],
        ),
    },
]


def seed(apps, schema_editor):
    Process = apps.get_model("orders", "Process")
    for row in PROCESSES:
        Process.objects.update_or_create(code=row["code"], defaults={**row, "unit": "piece"})


def unseed(apps, schema_editor):
    apps.get_model("orders", "Process").objects.filter(code__in=[p["code"] for p in PROCESSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
