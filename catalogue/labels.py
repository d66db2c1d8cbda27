"""A job's spec as a person reads it: each property of the process's JSON Schema by its
label (the schema's own ``title`` if it has one, else the name below), each value with its
unit or its word, in the reader's language. The spec itself keeps the schema's codes."""

from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FIELDS = {
    "width_mm": _("width (mm)"),
    "length_mm": _("length (mm)"),
    "height_mm": _("height (mm)"),
    "diameter_mm": _("diameter (mm)"),
    "visor_length_mm": _("visor length (mm)"),
    "color": _("colour"),
    "colors": _("colours"),
    "stitch": _("stitch"),
    "stitch_count": _("stitch count"),
    "material": _("material"),
    "hot_cut": _("hot cut"),
    "with_buckle": _("with buckle"),
    "position": _("position"),
    "design_ref": _("design reference"),
    "curve": _("curve"),
    "finish": _("finish"),
    "eyelets_per_piece": _("eyelets per piece"),
    "units_per_bag": _("pieces per bag"),
    "bags_per_carton": _("bags per carton"),
    "labelled": _("labelled"),
}

VALUES = {
    "straight": _("straight stitch"),
    "zigzag": _("zigzag stitch"),
    "box_x": _("box-X stitch"),
    "bartack": _("bartack"),
    "polyester": _("polyester"),
    "nylon": _("nylon"),
    "cotton": _("cotton"),
    "polypropylene": _("polypropylene"),
    "front": _("front"),
    "side": _("side"),
    "back": _("back"),
    "visor": _("visor"),
    "flat": _("flat"),
    "slight": _("slight"),
    "full": _("full"),
    "metal": _("metal"),
    "painted": _("painted"),
    "plastic": _("plastic"),
}


def _value(schema: dict, value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, str) and value in schema.get("enum", ()):
        return str(VALUES.get(value, value))
    return str(value)


def spec_rows(schema: dict, spec) -> list[tuple[str, str]]:
    """(label, value) per property of the spec, in the schema's order, unknown ones last."""
    if not isinstance(spec, dict):
        return [("", str(spec))]
    properties = (schema or {}).get("properties", {})
    names = [name for name in properties if name in spec] + [name for name in spec if name not in properties]
    rows = []
    for name in names:
        about = properties.get(name, {})
        label = about.get("title") or FIELDS.get(name, name)
        rows.append((str(label), _value(about, spec[name])))
    return rows


def spec_html(schema: dict, spec):
    rows = spec_rows(schema, spec)
    if not rows:
        return "-"
    return format_html_join("", "<div><strong>{}</strong>: {}</div>", rows)
