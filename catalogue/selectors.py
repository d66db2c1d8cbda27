"""Reads of the process catalogue."""

from catalogue import sampling
from catalogue.models import Process


def process_list():
    return Process.objects.filter(active=True).order_by("code")


def process_get_by_code(code: str) -> Process | None:
    return Process.objects.filter(code=code, active=True).first()


DEFECT_CLASSES = ("critical", "major", "minor")


def inspection_items(process: Process):
    return process.inspection_items.all()


def lot_plan(process: Process, lot_size: int, severity: str = sampling.NORMAL) -> dict:
    """The single sampling plan of a lot of ``lot_size`` pieces of ``process`` under
    ``severity``: per defect class its AQL, the plan's code letter, sample size and Ac/Re
    (GB/T 2828.1). ``sample_size`` is the pieces to draw: the largest class's sample, each
    class judged on its own first ``sample_size`` pieces. The one shape of a plan, for the
    catalogue's preview and a delivered share's inspection alike."""
    table_lot = max(lot_size, 2)  # Table 1 starts at 2; a lot of 1 is inspected whole
    classes = {}
    for defect_class in DEFECT_CLASSES:
        plan = sampling.sampling_plan(
            table_lot, process.aql_of(defect_class), level=process.inspection_level, severity=severity
        )
        classes[defect_class] = {
            "aql": plan.aql,
            "plan_letter": plan.plan_letter,
            "sample_size": min(plan.sample_size, lot_size),
            "ac": plan.ac,
            "re": plan.re,
        }
    code = sampling.code_letter(table_lot, process.inspection_level)
    return {
        "lot_size": lot_size,
        "level": process.inspection_level,
        "severity": severity,
        "code_letter": code,
        "sample_size": max(entry["sample_size"] for entry in classes.values()),
        "full_inspection": any(entry["sample_size"] >= lot_size for entry in classes.values()),
        "classes": classes,
    }
