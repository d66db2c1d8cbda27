"""Seeds each standard process's inspection checklist (docs/inspection.md). Data lives here,
not imported from app code, so this migration means the same thing whenever it runs; admins
edit the rows afterwards."""

from django.db import migrations

BROKEN_NEEDLE = (
    "broken_needle",
    "Broken needle or metal fragment",
    "断针或金属残留",
    "None: every piece passes the metal detector",
    "无：每件过验针机",
    "critical",
)
LOOSE_THREADS = (
    "loose_threads",
    "Loose threads",
    "线头",
    "No thread end longer than 3 mm",
    "线头不超过3毫米",
    "minor",
)
STAINS = ("stains", "Stains or marks", "污渍、印痕", "None visible at arm's length", "一臂距离内不可见", "minor")

# process code -> (code, name, Chinese name, criterion, Chinese criterion, defect class)
ITEMS = {
    "velcro_sewing": [
        ("position", "Closure position", "魔术贴位置", "Within ±2 mm of the marked position", "与标记位置偏差±2毫米以内", "major"),
        ("stitch_density", "Stitch density", "针距密度", "10–12 stitches per 3 cm", "每3厘米10–12针", "major"),
        ("stitch_pattern", "Stitch pattern", "缝线形式", "The spec's stitch, closed at the ends", "按规格线迹，首尾回针", "major"),
        ("colour_match", "Colour match", "颜色匹配", "Matches the approved colour card", "与确认色卡一致", "major"),
        LOOSE_THREADS,
        BROKEN_NEEDLE,
    ],
    "webbing_cutting": [
        ("length", "Cut length", "裁切长度", "Within ±2 mm of the spec length", "与规格长度偏差±2毫米以内", "major"),
        ("width", "Width", "宽度", "Within ±1 mm of the spec width", "与规格宽度偏差±1毫米以内", "major"),
        ("sealed_edge", "Sealed cut edge", "切口封边", "Hot-cut ends sealed, no fraying", "热切口封边，不散口", "major"),
        ("material_colour", "Material and colour", "材质与颜色", "As the spec and colour card", "与规格及色卡一致", "major"),
        STAINS,
    ],
    "webbing_sewing": [
        ("length", "Strap length", "带长", "Within ±2 mm of the spec length", "与规格长度偏差±2毫米以内", "major"),
        ("stitch_density", "Stitch density", "针距密度", "10–12 stitches per 3 cm", "每3厘米10–12针", "major"),
        ("buckle", "Buckle attachment", "扣件连接", "Buckle sewn firmly, turns freely", "扣件缝牢，活动自如", "major"),
        ("colour_match", "Colour match", "颜色匹配", "Matches the approved colour card", "与确认色卡一致", "major"),
        LOOSE_THREADS,
        BROKEN_NEEDLE,
    ],
    "embroidery": [
        ("design", "Design matches artwork", "图案与稿一致", "Shape and size as the approved artwork", "形状尺寸与确认稿一致", "major"),
        ("thread_colours", "Thread colours", "绣线颜色", "As the artwork's colour list", "与稿件色号一致", "major"),
        ("position", "Embroidery position", "绣花位置", "Within ±3 mm of the marked position", "与标记位置偏差±3毫米以内", "major"),
        ("jump_stitches", "Thread breaks and jump stitches", "断线、跳针", "None visible", "不可见", "minor"),
        ("puckering", "Puckering", "起皱", "Fabric lies flat around the design", "图案周围布面平整", "minor"),
        BROKEN_NEEDLE,
    ],
    "eyelet_punching": [
        ("position", "Eyelet position", "气眼位置", "Within ±1 mm of the marked position", "与标记位置偏差±1毫米以内", "major"),
        ("set_firmly", "Eyelet set firmly", "气眼牢固", "Does not turn or pull out by hand", "手拧手拉不松动、不脱落", "major"),
        ("diameter", "Diameter", "内径", "As the spec", "与规格一致", "major"),
        ("sharp_edges", "Burrs or sharp edges", "毛刺、锐边", "None", "无", "critical"),
        ("finish", "Finish scratches", "表面划痕", "None visible at arm's length", "一臂距离内不可见", "minor"),
    ],
    "visor_shaping": [
        ("curve", "Curve", "弧度", "As the spec's curve, checked on the gauge", "按规格弧度，对样板检验", "major"),
        ("symmetry", "Symmetry", "对称", "Sides within 2 mm of each other", "两侧偏差2毫米以内", "major"),
        ("length", "Visor length", "帽檐长度", "Within ±2 mm of the spec length", "与规格长度偏差±2毫米以内", "major"),
        ("creases", "Creases or marks", "折痕、压痕", "None visible at arm's length", "一臂距离内不可见", "minor"),
    ],
    "heat_transfer_logo": [
        ("position", "Logo position", "烫画位置", "Within ±2 mm of the marked position", "与标记位置偏差±2毫米以内", "major"),
        ("adhesion", "Adhesion", "附着牢度", "No lifting after the tape test", "胶带测试后不起翘", "major"),
        ("colour_match", "Colour match", "颜色匹配", "Matches the approved colour card", "与确认色卡一致", "major"),
        ("scorch", "Scorch marks", "烫焦", "None", "无", "major"),
        ("bubbles", "Bubbles or wrinkles", "气泡、褶皱", "None visible at arm's length", "一臂距离内不可见", "minor"),
    ],
    "packing": [
        ("count", "Count per bag", "每袋数量", "Exactly the spec's units per bag", "与规格每袋数量一致", "major"),
        ("labels", "Labels", "标签", "Right label, legible, on every bag", "每袋标签正确、清晰", "major"),
        ("crushed", "Crushed product", "产品压变形", "None", "无", "major"),
        ("foreign_objects", "Foreign or sharp objects", "异物、尖锐物", "None in any bag", "任何袋内均无", "critical"),
        ("carton_marks", "Carton marks", "外箱唛头", "As the spec", "与规格一致", "minor"),
    ],
}


def seed(apps, schema_editor):
    Process = apps.get_model("catalogue", "Process")
    InspectionItem = apps.get_model("catalogue", "InspectionItem")
    for process in Process.objects.filter(code__in=ITEMS):
        for position, (code, name, name_zh, criterion, criterion_zh, defect_class) in enumerate(ITEMS[process.code]):
            InspectionItem.objects.update_or_create(
                process=process,
                code=code,
                defaults={
                    "name": name,
                    "name_zh": name_zh,
                    "criterion": criterion,
                    "criterion_zh": criterion_zh,
                    "defect_class": defect_class,
                    "position": position,
                },
            )


def unseed(apps, schema_editor):
    apps.get_model("catalogue", "InspectionItem").objects.filter(process__code__in=ITEMS).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_inspection_standard")]
    operations = [migrations.RunPython(seed, unseed)]
