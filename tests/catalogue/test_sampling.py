"""GB/T 2828.1-2012 (ISO 2859-1) single sampling held to the standard's published tables
(catalogue/sampling.py): Table 1's code letters, the master tables' sample sizes and Ac/Re
with their arrows followed, 100 % inspection, and the switching rules over runs of lots."""

import pytest

from catalogue import sampling
from catalogue.sampling import NORMAL, REDUCED, TIGHTENED, ClassResult, SwitchingState

# Table 1 as published: each lot-size range and its letters at S-1, S-2, S-3, S-4, I, II, III.
TABLE_1 = [
    (2, 8, "A A A A A A B"),
    (9, 15, "A A A A A B C"),
    (16, 25, "A A B B B C D"),
    (26, 50, "A B B C C D E"),
    (51, 90, "B B C C C E F"),
    (91, 150, "B B C D D F G"),
    (151, 280, "B C D E E G H"),
    (281, 500, "B C D E F H J"),
    (501, 1200, "C C E F G J K"),
    (1201, 3200, "C D E G H K L"),
    (3201, 10000, "C D F G J L M"),
    (10001, 35000, "C D F H K M N"),
    (35001, 150000, "D E G J L N P"),
    (150001, 500000, "D E G J M P Q"),
    (500001, 10_000_000, "D E H K N Q R"),
]


@pytest.mark.parametrize(("low", "high", "letters"), TABLE_1)
def test_table_1_gives_every_code_letter_for_every_lot_size_range_and_level(low, high, letters):
    # given a range's first and last lot size / when each level is asked / then the letters match
    for lot_size in (low, high):
        assert [sampling.code_letter(lot_size, level) for level in sampling.LEVELS] == letters.split()


def test_the_default_level_is_general_level_ii():
    assert sampling.code_letter(1000) == "J"
    assert sampling.sampling_plan(1000, "1.0").level == "II"


def test_sample_sizes_per_code_letter_in_tables_2a_2b_and_2c():
    normal = [2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000]
    reduced = [2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800]
    assert [sampling.sample_size_of(letter) for letter in sampling.LETTERS] == normal
    assert [sampling.sample_size_of(letter, TIGHTENED) for letter in sampling.LETTERS] == normal
    assert [sampling.sample_size_of(letter, REDUCED) for letter in sampling.LETTERS] == reduced
    assert sampling.sample_size_of("S", TIGHTENED) == 3150


AQL_COLUMNS = ["0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5", "4.0", "6.5"]

# Table 2-A with the arrows followed: for each code letter, "sample size:Ac" for each AQL in
# AQL_COLUMNS (Re is Ac + 1). A sample size other than the letter's own is an arrow cell.
NORMAL_PLANS = {
    "A": "200:0 125:0 80:0 50:0 32:0 20:0 13:0 8:0 5:0 3:0 2:0",
    "B": "200:0 125:0 80:0 50:0 32:0 20:0 13:0 8:0 5:0 3:0 2:0",
    "C": "200:0 125:0 80:0 50:0 32:0 20:0 13:0 8:0 5:0 3:0 8:1",
    "D": "200:0 125:0 80:0 50:0 32:0 20:0 13:0 8:0 5:0 13:1 8:1",
    "E": "200:0 125:0 80:0 50:0 32:0 20:0 13:0 8:0 20:1 13:1 13:2",
    "F": "200:0 125:0 80:0 50:0 32:0 20:0 13:0 32:1 20:1 20:2 20:3",
    "G": "200:0 125:0 80:0 50:0 32:0 20:0 50:1 32:1 32:2 32:3 32:5",
    "H": "200:0 125:0 80:0 50:0 32:0 80:1 50:1 50:2 50:3 50:5 50:7",
    "J": "200:0 125:0 80:0 50:0 125:1 80:1 80:2 80:3 80:5 80:7 80:10",
    "K": "200:0 125:0 80:0 200:1 125:1 125:2 125:3 125:5 125:7 125:10 125:14",
    "L": "200:0 125:0 315:1 200:1 200:2 200:3 200:5 200:7 200:10 200:14 200:21",
    "M": "200:0 500:1 315:1 315:2 315:3 315:5 315:7 315:10 315:14 315:21 200:21",
    "N": "800:1 500:1 500:2 500:3 500:5 500:7 500:10 500:14 500:21 315:21 200:21",
    "P": "800:1 800:2 800:3 800:5 800:7 800:10 800:14 800:21 500:21 315:21 200:21",
    "Q": "1250:2 1250:3 1250:5 1250:7 1250:10 1250:14 1250:21 800:21 500:21 315:21 200:21",
    "R": "2000:3 2000:5 2000:7 2000:10 2000:14 2000:21 1250:21 800:21 500:21 315:21 200:21",
}

# The lot size at the top of each letter's level-II range, so that letter is the lot's.
LOT_FOR_LETTER = dict(
    zip(
        sampling.LETTERS,
        (8, 15, 25, 50, 90, 150, 280, 500, 1200, 3200, 10000, 35000, 150000, 500000, 1000000, 1000000),
        strict=True,
    )
)


def _plans_for(letter, severity):
    level = "III" if letter == "R" else "II"
    lot = 1_000_000 if letter in "QR" else LOT_FOR_LETTER[letter]
    plans = []
    for aql in AQL_COLUMNS:
        plan = sampling.sampling_plan(lot, aql, level=level, severity=severity)
        assert plan.code_letter == letter
        assert plan.re == plan.ac + 1
        plans.append(f"{plan.table_sample_size}:{plan.ac}")
    return " ".join(plans)


@pytest.mark.parametrize("letter", list(NORMAL_PLANS))
def test_table_2a_normal_plans_for_every_letter_and_aql_from_0_065_to_6_5(letter):
    assert _plans_for(letter, NORMAL) == NORMAL_PLANS[letter]


# Table 2-B with the arrows followed, as above (tightened: 0/1, two downward arrows, 1/2,
# 2/3, 3/4, 5/6, 8/9, 12/13, 18/19 along each diagonal).
TIGHTENED_PLANS = {
    "A": "315:0 200:0 125:0 80:0 50:0 32:0 20:0 13:0 8:0 5:0 3:0",
    "C": "315:0 200:0 125:0 80:0 50:0 32:0 20:0 13:0 8:0 5:0 13:1",
    "E": "315:0 200:0 125:0 80:0 50:0 32:0 20:0 13:0 32:1 20:1 13:1",
    "G": "315:0 200:0 125:0 80:0 50:0 32:0 80:1 50:1 32:1 32:2 32:3",
    "J": "315:0 200:0 125:0 80:0 200:1 125:1 80:1 80:2 80:3 80:5 80:8",
    "K": "315:0 200:0 125:0 315:1 200:1 125:1 125:2 125:3 125:5 125:8 125:12",
    "M": "315:0 800:1 500:1 315:1 315:2 315:3 315:5 315:8 315:12 315:18 200:18",
    "Q": "1250:1 1250:2 1250:3 1250:5 1250:8 1250:12 1250:18 800:18 500:18 315:18 200:18",
}

# Table 2-C with the arrows followed (reduced sample sizes; Re is Ac + 1 since the 1999 edition).
REDUCED_PLANS = {
    "A": "80:0 50:0 32:0 20:0 13:0 8:0 5:0 3:0 2:0 2:0 2:0",
    "C": "80:0 50:0 32:0 20:0 13:0 8:0 5:0 3:0 2:0 2:0 3:1",
    "E": "80:0 50:0 32:0 20:0 13:0 8:0 5:0 3:0 8:1 5:1 5:1",
    "G": "80:0 50:0 32:0 20:0 13:0 8:0 20:1 13:1 13:1 13:2 13:3",
    "J": "80:0 50:0 32:0 20:0 50:1 32:1 32:1 32:2 32:3 32:5 32:6",
    "K": "80:0 50:0 32:0 80:1 50:1 50:1 50:2 50:3 50:5 50:6 50:8",
    "M": "80:0 200:1 125:1 125:1 125:2 125:3 125:5 125:6 125:8 125:10 80:10",
    "Q": "500:1 500:2 500:3 500:5 500:6 500:8 500:10 315:10 200:10 125:10 80:10",
}


@pytest.mark.parametrize("letter", list(TIGHTENED_PLANS))
def test_table_2b_tightened_plans_at_representative_letters(letter):
    assert _plans_for(letter, TIGHTENED) == TIGHTENED_PLANS[letter]


@pytest.mark.parametrize("letter", list(REDUCED_PLANS))
def test_table_2c_reduced_plans_at_representative_letters(letter):
    assert _plans_for(letter, REDUCED) == REDUCED_PLANS[letter]


# The printed cells (before any arrow is followed) of Tables 2-A and 2-B for AQL 0.65 to 15,
# as a published transcription of the tables gives them: Re, or v / ^ for the arrows.
PRINTED_COLUMNS = ["0.65", "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15"]
PRINTED_NORMAL_RE = {
    "A": "v v v v v 1 ^ v",
    "B": "v v v v 1 ^ v 2",
    "C": "v v v 1 ^ v 2 3",
    "D": "v v 1 ^ v 2 3 4",
    "E": "v 1 ^ v 2 3 4 6",
    "F": "1 ^ v 2 3 4 6 8",
    "G": "^ v 2 3 4 6 8 11",
    "H": "v 2 3 4 6 8 11 15",
    "J": "2 3 4 6 8 11 15 22",
    "K": "3 4 6 8 11 15 22 ^",
    "L": "4 6 8 11 15 22 ^ ^",
    "M": "6 8 11 15 22 ^ ^ ^",
    "N": "8 11 15 22 ^ ^ ^ ^",
    "P": "11 15 22 ^ ^ ^ ^ ^",
    "Q": "15 22 ^ ^ ^ ^ ^ ^",
}
PRINTED_TIGHTENED_RE = {
    "D": "v v v 1 v v 2 3",
    "E": "v v 1 v v 2 3 4",
    "F": "v 1 v v 2 3 4 6",
    "G": "1 v v 2 3 4 6 9",
    "H": "v v 2 3 4 6 9 13",
    "J": "v 2 3 4 6 9 13 19",
    "K": "2 3 4 6 9 13 19 ^",
}


def _printed(table, letter):
    cells = []
    for aql in PRINTED_COLUMNS:
        cell = table[letter][sampling.aql_column(aql)]
        cells.append(cell if isinstance(cell, str) else str(cell + 1))
    return " ".join(cells)


@pytest.mark.parametrize("letter", list(PRINTED_NORMAL_RE))
def test_table_2a_printed_cells_match_the_published_table(letter):
    assert _printed(sampling.NORMAL_TABLE, letter) == PRINTED_NORMAL_RE[letter]


@pytest.mark.parametrize("letter", list(PRINTED_TIGHTENED_RE))
def test_table_2b_printed_cells_match_the_published_table(letter):
    assert _printed(sampling.TIGHTENED_TABLE, letter) == PRINTED_TIGHTENED_RE[letter]


def test_every_arrow_of_every_table_leads_to_a_plan_in_its_column():
    # given every arrow cell of the three tables / when followed / then a plan is found
    for severity, table in (
        (NORMAL, sampling.NORMAL_TABLE),
        (TIGHTENED, sampling.TIGHTENED_TABLE),
        (REDUCED, sampling.REDUCED_TABLE),
    ):
        for letter in sampling.LETTERS:
            for column, cell in enumerate(table[letter]):
                found = sampling._follow_arrow(severity, letter, column)
                assert isinstance(table[found][column], int)
                if cell == "v" and found != letter:
                    below = sampling._ROWS[severity].index(found) > sampling._ROWS[severity].index(letter)
                    corner = letter == "R"  # the last row: nothing below
                    assert below or corner


def test_the_high_aql_corner_of_table_2a():
    # 30/31 and 44/45 exist only for the smallest letters at AQL 250 and over
    assert (sampling.sampling_plan(8, "1000").ac, sampling.sampling_plan(8, "650").ac) == (30, 21)
    assert sampling.sampling_plan(15, "1000").ac == 44
    assert sampling.sampling_plan(25, "1000").plan_letter == "B"  # C/1000 points up to B's 44/45
    assert sampling.sampling_plan(90, "150").plan_letter == "D"  # E/150 points up to D's 21/22


def test_a_sample_size_at_or_above_the_lot_size_means_every_unit_is_inspected():
    # given a lot of 10 at AQL 0.65 (letter B, the arrow leads to 20:0/1)
    plan = sampling.sampling_plan(10, "0.65")
    # then all 10 units are inspected against the plan's Ac/Re
    assert (plan.code_letter, plan.table_sample_size, plan.sample_size, plan.full_inspection) == ("B", 20, 10, True)
    assert (plan.ac, plan.re) == (0, 1)
    assert sampling.sampling_plan(500, "2.5").full_inspection is False


def test_plans_familiar_from_practice():
    # a lot of 500 at level II is H: 50 pieces; AQL 2.5 accepts 3 and rejects at 4
    plan = sampling.sampling_plan(500, "2.5")
    assert (plan.code_letter, plan.sample_size, plan.ac, plan.re, plan.ac_one_step_tighter) == ("H", 50, 3, 4, 2)
    tightened = sampling.sampling_plan(1000, "4.0", severity=TIGHTENED)
    assert (tightened.sample_size, tightened.ac, tightened.re) == (80, 5, 6)


@pytest.mark.parametrize(
    ("lot", "aql", "level", "severity"),
    [
        (1, "1.0", "II", NORMAL),
        (100, "3.0", "II", NORMAL),
        (100, "abc", "II", NORMAL),
        (100, "1.0", "IV", NORMAL),
        (100, "1.0", "II", "skip"),
    ],
)
def test_what_the_standard_does_not_have_is_refused(lot, aql, level, severity):
    with pytest.raises(sampling.SamplingError):
        sampling.sampling_plan(lot, aql, level=level, severity=severity)


# -- Switching rules -----------------------------------------------------------------------


def _run(outcomes, state=None, **kwargs):
    state = state or SwitchingState()
    seen = []
    for accepted, points in outcomes:
        state = sampling.after_lot(state, accepted=accepted, score_points=points, **kwargs)
        seen.append(state.severity)
    return state, seen


def test_normal_goes_tightened_when_2_of_5_or_fewer_consecutive_lots_are_rejected():
    # given rejections 4 lots apart (within 5) / then tightened at the second
    _, seen = _run([(False, 0), (True, 2), (True, 2), (True, 2), (False, 0)])
    assert seen == [NORMAL] * 4 + [TIGHTENED]
    # given rejections 5 lots apart (6 consecutive lots) / then still normal
    _, seen = _run([(False, 0), (True, 2), (True, 2), (True, 2), (True, 2), (False, 0)])
    assert seen == [NORMAL] * 6


def test_tightened_goes_back_to_normal_after_5_consecutive_accepted_lots():
    state = SwitchingState(severity=TIGHTENED)
    state, seen = _run([(True, 0)] * 4 + [(False, 0)] + [(True, 0)] * 5, state)
    assert seen == [TIGHTENED] * 9 + [NORMAL]
    assert state == SwitchingState()  # a fresh normal: empty history, score 0


def test_inspection_is_discontinued_at_the_fifth_lot_rejected_on_tightened():
    state, _ = _run(
        [(False, 0), (True, 0), (False, 0), (False, 0), (True, 0), (False, 0)], SwitchingState(severity=TIGHTENED)
    )
    assert not state.discontinued
    state, _ = _run([(False, 0)], state)
    assert state.discontinued
    with pytest.raises(sampling.SamplingError):
        sampling.after_lot(state, accepted=True)
    assert sampling.resume(state) == SwitchingState(severity=TIGHTENED)


def test_normal_goes_reduced_when_the_switching_score_reaches_30():
    # given plans with Ac >= 2 and lots that would have passed one step tighter: +3 each
    state, seen = _run([(True, 3)] * 10)
    assert seen == [NORMAL] * 9 + [REDUCED]
    # given Ac 0/1 plans: +2 per accepted lot, 15 lots to reach 30
    _, seen = _run([(True, 2)] * 15)
    assert seen.index(REDUCED) == 14
    # given the authority has not approved reduced inspection / then it stays normal
    state, _ = _run([(True, 3)] * 12, reduced_allowed=False)
    assert (state.severity, state.score) == (NORMAL, 36)


def test_the_switching_score_resets_on_a_lot_that_earns_nothing():
    # an accepted lot that would not have passed one step tighter resets the score
    state, _ = _run([(True, 3)] * 9 + [(True, 0)] + [(True, 3)] * 9)
    assert (state.severity, state.score) == (NORMAL, 27)


def test_reduced_goes_back_to_normal_on_a_rejected_lot():
    state, seen = _run([(True, 0), (True, 0), (False, 0), (True, 2)], SwitchingState(severity=REDUCED))
    assert seen == [REDUCED, REDUCED, NORMAL, NORMAL]
    assert state.score == 2


def test_score_points_per_class_follow_clause_9_3_3_2():
    ac3 = sampling.sampling_plan(500, "2.5")  # H: 50, Ac 3, one step tighter Ac 2
    ac0 = sampling.sampling_plan(500, "0.25")  # H/0.25 -> 50? arrow: Ac 0
    assert ac0.ac == 0
    assert ClassResult(ac3, 2).score_points() == 3
    assert ClassResult(ac3, 3).score_points() == 0  # accepted, but not one step tighter
    assert ClassResult(ac0, 0).score_points() == 2
    assert ClassResult(ac0, 1).score_points() == 0
    # a lot adds the least of its classes' points; any class failing resets
    assert sampling.lot_score_points([ClassResult(ac3, 0), ClassResult(ac0, 0)]) == 2
    assert sampling.lot_score_points([ClassResult(ac3, 3), ClassResult(ac0, 0)]) == 0
    assert sampling.lot_accepted([ClassResult(ac3, 3), ClassResult(ac0, 0)]) is True
    assert sampling.lot_accepted([ClassResult(ac3, 4), ClassResult(ac0, 0)]) is False


def test_replay_runs_a_history_and_resumes_after_discontinuation():
    history = [(False, 0), (False, 0)] + [(False, 0)] * 5 + [(True, 0)]
    state = sampling.replay(history)
    # two rejections: tightened; five more: discontinued; the next lot restarts on tightened
    assert (state.severity, state.accepted_run, state.discontinued) == (TIGHTENED, 1, False)


def test_table_2c_cells_as_a_published_reading_of_the_table_gives_them():
    # Table 2-C at AQL 0.65: L (80 pieces) accepts 2 and rejects at 3, M (125) 3 and 4
    # (GB/T 2828.1's reduced plans have Re = Ac + 1, no gap as in the 1989 edition)
    for letter, ac in (("L", 2), ("M", 3)):
        cell = sampling.REDUCED_TABLE[letter][sampling.aql_column("0.65")]
        assert (sampling.sample_size_of(letter, REDUCED), cell, cell + 1) == (
            {"L": 80, "M": 125}[letter],
            ac,
            ac + 1,
        )
