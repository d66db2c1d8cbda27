"""Single sampling by attributes, GB/T 2828.1-2012 (identical to ISO 2859-1:1999).

A pure module: no database, no Django. From a lot size, an inspection level and an AQL it
gives the sampling plan (code letter, sample size, acceptance number Ac and rejection number
Re) for normal, tightened or reduced inspection, following the standard's arrows; and it
runs the switching rules of clause 9 over a factory's history of lots.

The tables are the standard's, written as printed: Table 1 (sample size code letters) and
Tables 2-A, 2-B and 2-C (single sampling master tables). A master table row is the code
letter's 26 cells, one per AQL from 0.010 to 1000: a number is the cell's Ac (Re is always
Ac + 1 in the 1999 and later editions' single sampling plans), ``v`` is the arrow "use the
first sampling plan below", ``^`` "use the first sampling plan above". When the arrow is
followed, the plan found gives the sample size as well as Ac/Re: the sample size belongs to
the plan, not to the lot's code letter. A sample size equal to or larger than the lot means
every unit is inspected (100 % inspection) against the same Ac/Re.

Two corners of the printed tables point off the table: Table 2-A's row A under AQL 10 (an
upward arrow in the top row) and row R under 0.015 (a downward arrow in the last row), and
Table 2-B's row R under 0.015. There the standard has no plan in the arrow's direction; we take
the nearest plan the other way along the same column, which is what the arrow would have
found had the table gone on with the same diagonal. Docs: docs/inspection.md.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# The code letters, in order (I and O are not used).
LETTERS = "ABCDEFGHJKLMNPQR"

# The AQL columns of the master tables (percent nonconforming up to 10, nonconformities per
# 100 units above), as the decimal strings the standard prints.
AQLS = (
    "0.010",
    "0.015",
    "0.025",
    "0.040",
    "0.065",
    "0.10",
    "0.15",
    "0.25",
    "0.40",
    "0.65",
    "1.0",
    "1.5",
    "2.5",
    "4.0",
    "6.5",
    "10",
    "15",
    "25",
    "40",
    "65",
    "100",
    "150",
    "250",
    "400",
    "650",
    "1000",
)

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
DEFAULT_LEVEL = "II"

NORMAL, TIGHTENED, REDUCED = "normal", "tightened", "reduced"
SEVERITIES = (NORMAL, TIGHTENED, REDUCED)

# Table 1: sample size code letters. (largest lot size of the range, letters at S-1, S-2,
# S-3, S-4, I, II, III); the last range has no upper bound.
TABLE_1 = (
    (8, "AAAAAAB"),
    (15, "AAAAABC"),
    (25, "AABBBCD"),
    (50, "ABBCCDE"),
    (90, "BBCCCEF"),
    (150, "BBCDDFG"),
    (280, "BCDEEGH"),
    (500, "BCDEFHJ"),
    (1200, "CCEFGJK"),
    (3200, "CDEGHKL"),
    (10000, "CDFGJLM"),
    (35000, "CDFHKMN"),
    (150000, "DEGJLNP"),
    (500000, "DEGJMPQ"),
    (None, "DEHKNQR"),
)

# Sample size per code letter: Tables 2-A and 2-B (normal, tightened) and 2-C (reduced).
SAMPLE_SIZE = dict(zip(LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000), strict=True))
REDUCED_SAMPLE_SIZE = dict(zip(LETTERS, (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800), strict=True))
# Table 2-B has one more row below R, used only through a downward arrow.
TIGHTENED_EXTRA_ROW = ("S", 3150)


def _table(rows: dict[str, str]) -> dict[str, tuple]:
    table = {}
    for letter, row in rows.items():
        cells = row.split()
        if len(cells) != len(AQLS):
            raise ValueError(f"row {letter} has {len(cells)} cells")
        table[letter] = tuple(cell if cell in ("v", "^", "-") else int(cell) for cell in cells)
    return table


# Table 2-A: single sampling plans for normal inspection (master table).
NORMAL_TABLE = _table(
    {
        "A": "v v v v v v v v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 30",
        "B": "v v v v v v v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 30 44",
        "C": "v v v v v v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 30 44 ^",
        "D": "v v v v v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 30 44 ^ ^",
        "E": "v v v v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^",
        "F": "v v v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^",
        "G": "v v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^",
        "H": "v v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^",
        "J": "v v v v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "K": "v v v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "L": "v v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "M": "v v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "N": "v v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "P": "v 0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "Q": "0 ^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "R": "^ v 1 2 3 5 7 10 14 21 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    }
)
# Table 2-B: single sampling plans for tightened inspection (master table); row S is
# printed with its one plan, 1/2 under 0.025.
TIGHTENED_TABLE = _table(
    {
        "A": "v v v v v v v v v v v v v v v 0 v v 1 2 3 5 8 12 18 27",
        "B": "v v v v v v v v v v v v v v 0 v v 1 2 3 5 8 12 18 27 41",
        "C": "v v v v v v v v v v v v v 0 v v 1 2 3 5 8 12 18 27 41 ^",
        "D": "v v v v v v v v v v v v 0 v v 1 2 3 5 8 12 18 27 41 ^ ^",
        "E": "v v v v v v v v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^",
        "F": "v v v v v v v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^",
        "G": "v v v v v v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^",
        "H": "v v v v v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^",
        "J": "v v v v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "K": "v v v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "L": "v v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "M": "v v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "N": "v v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "P": "v v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "Q": "v 0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "R": "0 v v 1 2 3 5 8 12 18 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "S": "- - 1 - - - - - - - - - - - - - - - - - - - - - - -",
    }
)
# Table 2-C: single sampling plans for reduced inspection (master table).
REDUCED_TABLE = _table(
    {
        "A": "v v v v v v v v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 14",
        "B": "v v v v v v v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 14 21",
        "C": "v v v v v v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 14 21 ^",
        "D": "v v v v v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 14 21 ^ ^",
        "E": "v v v v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^",
        "F": "v v v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^",
        "G": "v v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^",
        "H": "v v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^",
        "J": "v v v v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "K": "v v v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "L": "v v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "M": "v v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "N": "v v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "P": "v 0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "Q": "0 ^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
        "R": "^ v 1 1 2 3 5 6 8 10 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    }
)

_TABLES = {NORMAL: NORMAL_TABLE, TIGHTENED: TIGHTENED_TABLE, REDUCED: REDUCED_TABLE}
_ROWS = {NORMAL: LETTERS, TIGHTENED: (*LETTERS, TIGHTENED_EXTRA_ROW[0]), REDUCED: LETTERS}


class SamplingError(ValueError):
    """A lot size, level, AQL or severity the standard does not have."""


def aql_column(aql) -> int:
    """The master tables' column of ``aql`` (a number or its decimal string)."""
    try:
        wanted = Decimal(str(aql))
    except ArithmeticError as error:
        raise SamplingError(f"not an AQL: {aql!r}") from error
    for index, column in enumerate(AQLS):
        if Decimal(column) == wanted:
            return index
    raise SamplingError(f"not an AQL of the standard: {aql!r}")


def aql_label(aql) -> str:
    """The AQL as the standard prints it ("1.0", "0.065", "10")."""
    return AQLS[aql_column(aql)]


def code_letter(lot_size: int, level: str = DEFAULT_LEVEL) -> str:
    """Table 1: the sample size code letter of a lot of ``lot_size`` units at ``level``."""
    if level not in LEVELS:
        raise SamplingError(f"not an inspection level: {level!r}")
    if not isinstance(lot_size, int) or lot_size < 2:
        raise SamplingError("a lot has at least 2 units")
    column = LEVELS.index(level)
    for upper, letters in TABLE_1:
        if upper is None or lot_size <= upper:
            return letters[column]
    raise AssertionError("Table 1 has an open last range")


def sample_size_of(letter: str, severity: str = NORMAL) -> int:
    if severity == REDUCED:
        return REDUCED_SAMPLE_SIZE[letter]
    if letter == TIGHTENED_EXTRA_ROW[0] and severity == TIGHTENED:
        return TIGHTENED_EXTRA_ROW[1]
    return SAMPLE_SIZE[letter]


def _cell(severity: str, letter: str, column: int):
    return _TABLES[severity][letter][column]


def _follow_arrow(severity: str, letter: str, column: int) -> str:
    """The row whose plan a cell means: itself, or the first plan the arrow points to."""
    rows = _ROWS[severity]
    start = rows.index(letter)
    cell = _cell(severity, letter, column)
    if isinstance(cell, int):
        return letter
    if cell not in ("v", "^"):
        raise SamplingError(f"no plan at {letter}/{AQLS[column]}")
    step = 1 if cell == "v" else -1
    # The arrow's own direction first; off the table, the nearest plan the other way.
    for direction in (step, -step):
        index = start + direction
        while 0 <= index < len(rows):
            if isinstance(_cell(severity, rows[index], column), int):
                return rows[index]
            index += direction
    raise AssertionError(f"column {AQLS[column]} has no plan")


@dataclass(frozen=True)
class Plan:
    """One single sampling plan for one lot and one AQL.

    ``code_letter`` is the lot's letter from Table 1; ``plan_letter`` the row whose plan
    applies after any arrow; ``table_sample_size`` that row's sample size and
    ``sample_size`` the units actually inspected (the whole lot when the table's is larger:
    ``full_inspection``). ``ac_one_step_tighter`` is the Ac of the same row one AQL column
    tighter (clause 9.3.3.2's switching score), None when that cell is an arrow.
    """

    severity: str
    level: str
    lot_size: int
    aql: str
    code_letter: str
    plan_letter: str
    table_sample_size: int
    sample_size: int
    ac: int
    re: int
    full_inspection: bool
    ac_one_step_tighter: int | None

    def accepts(self, nonconforming: int) -> bool:
        """Clause 11.1.2: accept when the count is at most Ac, reject at Re or more."""
        return nonconforming <= self.ac


def sampling_plan(lot_size: int, aql, *, level: str = DEFAULT_LEVEL, severity: str = NORMAL) -> Plan:
    """The plan for a lot of ``lot_size`` units at ``aql`` under ``severity`` inspection."""
    if severity not in SEVERITIES:
        raise SamplingError(f"not an inspection severity: {severity!r}")
    letter = code_letter(lot_size, level)
    column = aql_column(aql)
    plan_letter = _follow_arrow(severity, letter, column)
    ac = _cell(severity, plan_letter, column)
    tighter = _cell(severity, plan_letter, column - 1) if column > 0 else None
    table_n = sample_size_of(plan_letter, severity)
    return Plan(
        severity=severity,
        level=level,
        lot_size=lot_size,
        aql=AQLS[column],
        code_letter=letter,
        plan_letter=plan_letter,
        table_sample_size=table_n,
        sample_size=min(table_n, lot_size),
        ac=ac,
        re=ac + 1,
        full_inspection=table_n >= lot_size,
        ac_one_step_tighter=tighter if isinstance(tighter, int) else None,
    )


# -- Switching rules (clause 9) ----------------------------------------------------------

SWITCHING_SCORE_LIMIT = 30  # 9.3.3.1 b)
TIGHTENED_AFTER = (2, 5)  # 9.3.2: 2 lots not accepted in 5 or fewer consecutive lots
NORMAL_AFTER_TIGHTENED = 5  # 9.3.3: 5 consecutive lots accepted on tightened inspection
DISCONTINUE_AFTER = 5  # 9.4: 5 lots not accepted while on tightened inspection


@dataclass(frozen=True)
class ClassResult:
    """One defect class of one lot: its plan and the nonconformities found in its sample."""

    plan: Plan
    found: int

    @property
    def accepted(self) -> bool:
        return self.plan.accepts(self.found)

    def score_points(self) -> int:
        """9.3.3.2 a): with Ac >= 2, 3 if the lot would have been accepted one AQL step
        tighter; with Ac 0 or 1, 2 if the lot is accepted; otherwise 0 (the score resets)."""
        if self.plan.ac >= 2:
            tighter = self.plan.ac_one_step_tighter
            return 3 if tighter is not None and self.found <= tighter else 0
        return 2 if self.accepted else 0


def lot_accepted(results: Iterable[ClassResult]) -> bool:
    """A lot is accepted only when every class's count is within its Ac."""
    return all(result.accepted for result in results)


def lot_score_points(results: Iterable[ClassResult]) -> int:
    """The lot's addition to the switching score: every class must earn its points, and the
    lot adds the smallest of them (0, a reset, when any class earns none)."""
    points = [result.score_points() for result in results]
    return min(points) if points else 0


@dataclass(frozen=True)
class SwitchingState:
    """Where one supplier's stream of lots stands under clause 9.

    ``recent`` holds the outcomes of the last lots on normal inspection (at most 5);
    ``accepted_run`` the consecutive lots accepted on tightened; ``rejections`` the lots not
    accepted since tightened inspection began; ``score`` the switching score on normal.
    """

    severity: str = NORMAL
    recent: tuple[bool, ...] = ()
    accepted_run: int = 0
    rejections: int = 0
    score: int = 0
    discontinued: bool = False


def after_lot(
    state: SwitchingState, *, accepted: bool, score_points: int = 0, reduced_allowed: bool = True
) -> SwitchingState:
    """The state after one more lot judged on original inspection.

    ``score_points`` is the lot's ``lot_score_points`` (only used on normal inspection);
    ``reduced_allowed`` stands for 9.3.3.1's other conditions (production at a steady rate,
    reduced inspection approved by the responsible authority).
    """
    if state.discontinued:
        raise SamplingError("acceptance inspection is discontinued until the supplier improves")
    if state.severity == NORMAL:
        recent = (*state.recent, accepted)[-TIGHTENED_AFTER[1] :]
        if recent.count(False) >= TIGHTENED_AFTER[0]:
            return SwitchingState(severity=TIGHTENED)
        score = state.score + score_points if score_points > 0 else 0
        if score >= SWITCHING_SCORE_LIMIT and reduced_allowed:
            return SwitchingState(severity=REDUCED)
        return SwitchingState(severity=NORMAL, recent=recent, score=score)
    if state.severity == TIGHTENED:
        if accepted:
            if state.accepted_run + 1 >= NORMAL_AFTER_TIGHTENED:
                return SwitchingState(severity=NORMAL)
            return SwitchingState(severity=TIGHTENED, accepted_run=state.accepted_run + 1, rejections=state.rejections)
        rejections = state.rejections + 1
        return SwitchingState(severity=TIGHTENED, rejections=rejections, discontinued=rejections >= DISCONTINUE_AFTER)
    # Reduced: 9.3.4 a) a lot not accepted sends the stream back to normal.
    if not accepted:
        return SwitchingState(severity=NORMAL)
    return state


def resume(state: SwitchingState) -> SwitchingState:
    """9.4: after the supplier's corrective action, inspection resumes on tightened."""
    return SwitchingState(severity=TIGHTENED) if state.discontinued else state


def replay(outcomes: Iterable[tuple[bool, int]], *, reduced_allowed: bool = True) -> SwitchingState:
    """The state after a history of (accepted, score points) lots, oldest first. A lot while
    discontinued (inspection resumed by an admin) restarts on tightened."""
    state = SwitchingState()
    for accepted, points in outcomes:
        state = after_lot(resume(state), accepted=accepted, score_points=points, reduced_allowed=reduced_allowed)
    return state
