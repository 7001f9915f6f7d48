import random
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awards.collective import (
    AVERAGE_DURATION,
    AVERAGE_SCORE,
    BELOW_MIN_RATE,
    METRICS,
    NO_HEADCOUNT,
    NO_PARTICIPANTS,
    PARTICIPANTS,
    PERFECT_PEOPLE,
    RATE,
    TOTAL_CORRECT,
    WINNERS,
    PersonResult,
    RoundScore,
    UnitFigures,
    UnitNode,
    UnitStanding,
    figures,
    rank_units,
    validate_order,
)

PROVINCE, DISTRICT, COMMUNE_A, COMMUNE_B, OTHER_DISTRICT = 1, 2, 3, 4, 5

UNITS = [
    UnitNode(PROVINCE, None, headcount=200),
    UnitNode(DISTRICT, PROVINCE, headcount=40),
    UnitNode(COMMUNE_A, DISTRICT, headcount=10),
    UnitNode(COMMUNE_B, DISTRICT, headcount=0),
    UnitNode(OTHER_DISTRICT, PROVINCE, headcount=20),
]


def score(
    correct: int, *, of: int = 10, ms: int = 60_000, winner: bool = False
) -> RoundScore:
    return RoundScore(
        correct=correct, question_count=of, duration_ms=ms, is_winner=winner
    )


PEOPLE = [
    PersonResult(1, COMMUNE_A, (score(8, ms=30_000, winner=True),)),
    PersonResult(2, COMMUNE_A, (score(9, ms=40_000), score(9, ms=50_000))),
    PersonResult(3, COMMUNE_B, (score(5, ms=20_000, winner=True),)),
    PersonResult(4, DISTRICT, (score(10, ms=60_000),)),
]


@pytest.fixture
def unit_figures() -> dict[int, UnitFigures]:
    return figures(UNITS, PEOPLE)


# --- figures over the whole tree ------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_id", "participants", "winners"),
    [
        (COMMUNE_A, 2, 1),
        (COMMUNE_B, 1, 1),
        (DISTRICT, 4, 2),
        (OTHER_DISTRICT, 0, 0),
        (PROVINCE, 4, 2),
    ],
    ids=["commune-a", "commune-b", "district", "empty-district", "province"],
)
def test_figures_roll_participants_and_winners_up(
    unit_figures, unit_id, participants, winners
):
    fig = unit_figures[unit_id]

    assert (fig.participants, fig.winners) == (participants, winners)


@pytest.mark.parametrize(
    ("unit_id", "average"),
    [
        (COMMUNE_A, Fraction(26, 30)),
        (COMMUNE_B, Fraction(1, 2)),
        (DISTRICT, Fraction(41, 50)),
        (PROVINCE, Fraction(41, 50)),
        (OTHER_DISTRICT, Fraction(0)),
    ],
    ids=["commune-a", "commune-b", "district", "province", "no-participants"],
)
def test_figures_average_score_is_per_counted_round(unit_figures, unit_id, average):
    fig = unit_figures[unit_id]

    assert fig.average_score == average


def test_figures_average_score_is_a_share_of_each_rounds_questions():
    people = [PersonResult(1, COMMUNE_A, (score(5, of=5), score(5, of=15)))]

    fig = figures(UNITS, people)[COMMUNE_A]

    # (5/5 + 5/15) / 2, not 10 correct of 20 questions.
    assert fig.average_score == Fraction(2, 3)


@pytest.mark.parametrize(
    ("unit_id", "headcount"),
    [
        (COMMUNE_A, 10),
        (COMMUNE_B, 0),
        (DISTRICT, 50),
        (OTHER_DISTRICT, 20),
        (PROVINCE, 270),
    ],
    ids=[
        "commune-a",
        "commune-without-staff",
        "district",
        "other-district",
        "province",
    ],
)
def test_figures_headcount_sums_the_own_headcounts_of_the_subtree(
    unit_figures, unit_id, headcount
):
    fig = unit_figures[unit_id]

    assert fig.headcount == headcount


@pytest.mark.parametrize(
    ("unit_id", "rate"),
    [
        (COMMUNE_A, Fraction(2, 10)),
        (DISTRICT, Fraction(4, 50)),
        (PROVINCE, Fraction(4, 270)),
        (OTHER_DISTRICT, Fraction(0)),
    ],
    ids=["commune", "district", "province", "no-participants"],
)
def test_figures_rate_is_participants_over_the_subtree_headcount(
    unit_figures, unit_id, rate
):
    fig = unit_figures[unit_id]

    assert isinstance(fig.rate, Fraction)
    assert fig.rate == rate


def test_figures_rate_without_headcount_is_zero(unit_figures):
    fig = unit_figures[COMMUNE_B]

    assert fig.participants == 1
    assert fig.rate == Fraction(0)


@pytest.mark.parametrize(
    ("unit_id", "total_correct", "perfect_people", "average_duration_ms"),
    [
        (COMMUNE_A, 26, 0, Fraction(120_000, 3)),
        (COMMUNE_B, 5, 0, Fraction(20_000)),
        (DISTRICT, 41, 1, Fraction(200_000, 5)),
        (OTHER_DISTRICT, 0, 0, Fraction(0)),
    ],
    ids=["commune-a", "commune-b", "district", "no-participants"],
)
def test_figures_total_correct_perfect_people_and_average_duration(
    unit_figures, unit_id, total_correct, perfect_people, average_duration_ms
):
    fig = unit_figures[unit_id]

    assert (fig.total_correct, fig.perfect_people, fig.average_duration_ms) == (
        total_correct,
        perfect_people,
        average_duration_ms,
    )


def test_figures_count_a_person_with_two_winning_perfect_rounds_once():
    people = [
        PersonResult(1, COMMUNE_A, (score(10, winner=True), score(10, winner=True)))
    ]

    fig = figures(UNITS, people)[COMMUNE_A]

    assert (fig.participants, fig.winners, fig.perfect_people) == (1, 1, 1)


def test_figures_people_outside_the_rate_population_count_as_participants_only():
    people = [
        PersonResult(1, COMMUNE_A, (score(8),)),
        PersonResult(2, COMMUNE_A, (score(9),), in_rate_population=False),
        PersonResult(3, COMMUNE_A, (score(7),), in_rate_population=False),
    ]

    fig = figures(UNITS, people)[COMMUNE_A]

    assert (fig.participants, fig.rate) == (3, Fraction(1, 10))


# --- figures of one unit group (members) ----------------------------------------------


def test_members_only_the_member_units_get_figures():
    found = figures(UNITS, PEOPLE, members={DISTRICT, OTHER_DISTRICT})

    assert set(found) == {DISTRICT, OTHER_DISTRICT}


def test_members_a_unit_and_its_sub_unit_do_not_double_count():
    found = figures(UNITS, PEOPLE, members={DISTRICT, COMMUNE_A})

    district, commune = found[DISTRICT], found[COMMUNE_A]
    # Commune A's two people and 10 staff count for commune A only; the district
    # keeps its own person and 40 staff, plus non-member commune B's (1 and 0).
    assert (commune.participants, commune.headcount) == (2, 10)
    assert (district.participants, district.headcount) == (2, 40)
    assert (district.winners, district.total_correct) == (1, 15)
    assert district.rate == Fraction(2, 40)


@pytest.mark.parametrize(
    ("members", "unit_id", "headcount"),
    [
        ({DISTRICT, OTHER_DISTRICT}, DISTRICT, 50),
        ({PROVINCE, COMMUNE_A}, PROVINCE, 260),
        ({PROVINCE, COMMUNE_A}, COMMUNE_A, 10),
    ],
    ids=["communes-to-their-district", "skipping-a-level", "member-keeps-its-own"],
)
def test_members_staff_of_a_non_member_sub_unit_counts_for_the_nearest_member_above(
    members, unit_id, headcount
):
    fig = figures(UNITS, PEOPLE, members=members)[unit_id]

    assert fig.headcount == headcount


def test_members_people_and_staff_above_every_member_count_for_nobody():
    found = figures(UNITS, PEOPLE, members={COMMUNE_A, COMMUNE_B})

    # Person 4 works in the district itself: no member at or above that unit.
    assert {uid: (f.participants, f.headcount) for uid, f in found.items()} == {
        COMMUNE_A: (2, 10),
        COMMUNE_B: (1, 0),
    }


# --- ranking units --------------------------------------------------------------------


def fig(
    unit_id: int,
    participants: int,
    *,
    headcount: int = 100,
    rate: Fraction | None = None,
    average: Fraction = Fraction(0),
    total_correct: int = 0,
    perfect_people: int = 0,
    winners: int = 0,
    duration: Fraction = Fraction(60_000),
) -> UnitFigures:
    if rate is None:
        rate = Fraction(participants, headcount) if headcount else Fraction(0)
    return UnitFigures(
        unit_id=unit_id,
        headcount=headcount,
        participants=participants,
        rate=rate,
        average_score=average,
        total_correct=total_correct,
        perfect_people=perfect_people,
        winners=winners,
        average_duration_ms=duration,
    )


def ranked_ids(group, **options) -> list[int]:
    return [s.figures.unit_id for s in rank_units(group, **options)]


BY_PARTICIPANTS = {"order": [PARTICIPANTS, RATE, AVERAGE_SCORE], "min_rate": None}


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ([fig(1, 10), fig(2, 30), fig(3, 20)], [2, 3, 1]),
        ([fig(1, 10, headcount=100), fig(2, 10, headcount=20)], [2, 1]),
        (
            [
                fig(1, 10, headcount=50, average=Fraction(1, 2)),
                fig(2, 10, headcount=50, average=Fraction(3, 4)),
            ],
            [2, 1],
        ),
        (
            [
                fig(9, 10, average=Fraction(1, 2)),
                fig(4, 10, average=Fraction(1, 2)),
                fig(6, 10, average=Fraction(1, 2)),
            ],
            [4, 6, 9],
        ),
        ([fig(1, 30, headcount=1_000), fig(2, 5, headcount=5)], [1, 2]),
    ],
    ids=[
        "more-participants-first",
        "equal-participants-higher-rate",
        "equal-rate-higher-average-score",
        "everything-equal-lower-unit-id",
        "participants-beat-rate",
    ],
)
def test_rank_units_by_participants(group, expected):
    ids = ranked_ids(group, **BY_PARTICIPANTS)

    assert ids == expected


# Every criterion orders these three units differently from its own reverse.
THREE_UNITS = [
    fig(
        1,
        30,
        headcount=100,
        average=Fraction(6, 10),
        total_correct=100,
        perfect_people=7,
        winners=0,
        duration=Fraction(70_000),
    ),
    fig(
        2,
        20,
        headcount=20,
        average=Fraction(5, 10),
        total_correct=150,
        perfect_people=1,
        winners=1,
        duration=Fraction(50_000),
    ),
    fig(
        3,
        10,
        headcount=20,
        average=Fraction(9, 10),
        total_correct=50,
        perfect_people=4,
        winners=2,
        duration=Fraction(40_000),
    ),
]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (PARTICIPANTS, [1, 2, 3]),
        (RATE, [2, 3, 1]),
        (AVERAGE_SCORE, [3, 1, 2]),
        (TOTAL_CORRECT, [2, 1, 3]),
        (PERFECT_PEOPLE, [1, 3, 2]),
        (WINNERS, [3, 2, 1]),
        (AVERAGE_DURATION, [3, 2, 1]),
    ],
    ids=[
        PARTICIPANTS,
        RATE,
        AVERAGE_SCORE,
        TOTAL_CORRECT,
        PERFECT_PEOPLE,
        WINNERS,
        AVERAGE_DURATION,
    ],
)
def test_rank_units_by_metric(metric, expected):
    ids = ranked_ids(THREE_UNITS, order=[metric], min_rate=None)

    assert ids == expected


def test_rank_units_by_metric_covers_every_criterion():
    assert set(METRICS) == {
        PARTICIPANTS,
        RATE,
        AVERAGE_SCORE,
        TOTAL_CORRECT,
        PERFECT_PEOPLE,
        WINNERS,
        AVERAGE_DURATION,
    }


def test_rank_units_by_average_duration_ranks_the_shorter_first():
    group = [
        fig(1, 10, duration=Fraction(90_000)),
        fig(2, 10, duration=Fraction(45_001, 2)),
        fig(3, 10, duration=Fraction(45_000, 2)),
    ]

    ids = ranked_ids(group, order=[AVERAGE_DURATION], min_rate=None)

    assert ids == [3, 2, 1]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([PARTICIPANTS, WINNERS, AVERAGE_SCORE], [2, 1]),
        ([PARTICIPANTS, AVERAGE_SCORE, WINNERS], [1, 2]),
    ],
    ids=["winners-next", "average-score-next"],
)
def test_rank_units_breaks_a_tie_on_the_metric_by_the_next_criterion(order, expected):
    group = [
        fig(1, 10, average=Fraction(9, 10), winners=0),
        fig(2, 10, average=Fraction(5, 10), winners=3),
    ]

    ids = ranked_ids(group, order=order, min_rate=None)

    assert ids == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([PARTICIPANTS, WINNERS], [9, 4, 6]),
        ([PARTICIPANTS], [4, 6, 9]),
    ],
    ids=["tie-break-before-unit-id", "criteria-outside-the-order-ignored"],
)
def test_rank_units_falls_back_to_the_unit_id_only_after_every_criterion(
    order, expected
):
    group = [
        fig(9, 10, winners=2),
        fig(4, 10, winners=1),
        fig(6, 10, winners=1),
    ]

    ids = ranked_ids(group, order=order, min_rate=None)

    assert ids == expected


def test_rank_units_gives_ranks_in_order():
    standings = rank_units([fig(1, 10), fig(2, 30), fig(3, 20)], **BY_PARTICIPANTS)

    assert [(s.rank, s.not_ranked_because) for s in standings] == [
        (1, None),
        (2, None),
        (3, None),
    ]


@pytest.mark.parametrize(
    ("order", "min_rate", "unit", "reason"),
    [
        ([PARTICIPANTS], None, fig(7, 0), NO_PARTICIPANTS),
        ([RATE], None, fig(7, 0, headcount=0), NO_PARTICIPANTS),
        ([RATE], None, fig(7, 3, headcount=0), NO_HEADCOUNT),
        ([PARTICIPANTS], Fraction(7, 10), fig(7, 3, headcount=0), NO_HEADCOUNT),
        ([PARTICIPANTS], Fraction(7, 10), fig(7, 69, headcount=100), BELOW_MIN_RATE),
        ([RATE], Fraction(7, 10), fig(7, 6, headcount=10), BELOW_MIN_RATE),
    ],
    ids=[
        "no-participants",
        "no-participants-before-no-headcount",
        "no-headcount-by-rate",
        "no-headcount-with-min-rate",
        "below-min-rate",
        "below-min-rate-by-rate",
    ],
)
def test_rank_units_lists_the_unranked_with_the_reason(order, min_rate, unit, reason):
    group = [unit, fig(9, 8, headcount=10)]

    standings = rank_units(group, order=order, min_rate=min_rate)

    assert [(s.figures.unit_id, s.rank, s.not_ranked_because) for s in standings] == [
        (9, 1, None),
        (7, None, reason),
    ]


@pytest.mark.parametrize(
    ("order", "min_rate"),
    [
        ([RATE, PARTICIPANTS], None),
        ([PARTICIPANTS, AVERAGE_SCORE, RATE], None),
        ([PARTICIPANTS], Fraction(0)),
    ],
    ids=["rate-as-metric", "rate-as-tie-break", "min-rate"],
)
def test_rank_units_never_ranks_a_unit_without_headcount_when_a_rate_is_needed(
    order, min_rate
):
    standings = rank_units(
        [fig(1, 50, headcount=0), fig(2, 5, headcount=10)],
        order=order,
        min_rate=min_rate,
    )

    assert [(s.figures.unit_id, s.rank, s.not_ranked_because) for s in standings] == [
        (2, 1, None),
        (1, None, NO_HEADCOUNT),
    ]


def test_rank_units_by_participants_alone_ranks_a_unit_without_headcount():
    order = [c for c in METRICS if c != RATE]

    standings = rank_units(
        [fig(1, 50, headcount=0), fig(2, 5, headcount=10)], order=order, min_rate=None
    )

    assert [(s.figures.unit_id, s.rank, s.not_ranked_because) for s in standings] == [
        (1, 1, None),
        (2, 2, None),
    ]


@pytest.mark.parametrize(
    "min_rate",
    [Fraction(7, 10), Fraction(69, 100)],
    ids=["at-the-minimum", "above-the-minimum"],
)
def test_rank_units_ranks_a_unit_at_or_above_the_minimum_rate(min_rate):
    standings = rank_units(
        [fig(1, 7, headcount=10)], order=[PARTICIPANTS], min_rate=min_rate
    )

    assert [(s.rank, s.not_ranked_because) for s in standings] == [(1, None)]


def test_rank_units_lists_the_unranked_after_the_ranked_in_unit_id_order():
    group = [
        fig(8, 0),
        fig(5, 3, headcount=0),
        fig(3, 1, headcount=100),
        fig(9, 40, headcount=50),
        fig(6, 9, headcount=10),
        fig(2, 0),
    ]

    standings = rank_units(
        group, order=[RATE, PARTICIPANTS, AVERAGE_SCORE], min_rate=Fraction(7, 10)
    )

    assert [(s.figures.unit_id, s.rank, s.not_ranked_because) for s in standings] == [
        (6, 1, None),
        (9, 2, None),
        (2, None, NO_PARTICIPANTS),
        (3, None, BELOW_MIN_RATE),
        (5, None, NO_HEADCOUNT),
        (8, None, NO_PARTICIPANTS),
    ]


def test_rank_units_ranks_district_figures_rolled_up_from_communes():
    found = figures(UNITS, PEOPLE, members={DISTRICT, OTHER_DISTRICT})

    standings = rank_units(list(found.values()), **BY_PARTICIPANTS)

    assert [(s.figures.unit_id, s.figures.participants, s.rank) for s in standings] == [
        (DISTRICT, 4, 1),
        (OTHER_DISTRICT, 0, None),
    ]


# --- the order of criteria ------------------------------------------------------------


def test_validate_order_keeps_a_valid_order_as_a_tuple():
    assert validate_order([WINNERS, RATE]) == (WINNERS, RATE)


@pytest.mark.parametrize(
    "order",
    [[], ["speed"], [PARTICIPANTS, RATE, PARTICIPANTS]],
    ids=["empty", "unknown", "repeated"],
)
def test_validate_order_refuses(order):
    with pytest.raises(ValueError, match="invalid unit ranking order"):
        validate_order(order)


def test_rank_units_refuses_an_invalid_order():
    with pytest.raises(ValueError, match="invalid unit ranking order"):
        rank_units([fig(1, 10)], order=[RATE, RATE], min_rate=None)


# --- properties -----------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)

# Spelled out here, not read from UNIT_CRITERIA_TABLE: the check that the table's
# directions are right. Smaller sorts first.
EXPECTED_KEY: dict[str, Callable[[UnitFigures], object]] = {
    PARTICIPANTS: lambda f: -f.participants,  # more first
    RATE: lambda f: -f.rate,  # higher first
    AVERAGE_SCORE: lambda f: -f.average_score,  # higher first
    TOTAL_CORRECT: lambda f: -f.total_correct,  # more first
    PERFECT_PEOPLE: lambda f: -f.perfect_people,  # more first
    WINNERS: lambda f: -f.winners,  # more first
    AVERAGE_DURATION: lambda f: f.average_duration_ms,  # shorter first
}


@st.composite
def unit_figures_st(draw, unit_id: int) -> UnitFigures:
    # Small ranges, so that ties on every criterion are common.
    headcount = draw(st.sampled_from([0, 0, 5, 10, 20]))
    participants = draw(st.integers(0, 6))
    population = draw(st.integers(0, participants))
    return UnitFigures(
        unit_id=unit_id,
        headcount=headcount,
        participants=participants,
        rate=Fraction(population, headcount) if headcount else Fraction(0),
        average_score=draw(st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(1)])),
        total_correct=draw(st.integers(0, 3)),
        perfect_people=draw(st.integers(0, 2)),
        winners=draw(st.integers(0, 2)),
        average_duration_ms=draw(
            st.sampled_from([Fraction(0), Fraction(30_000), Fraction(61_001, 2)])
        ),
    )


@st.composite
def groups(draw) -> list[UnitFigures]:
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=12))
    return [draw(unit_figures_st(uid)) for uid in ids]


orders = st.permutations(METRICS).flatmap(
    lambda p: st.integers(1, len(p)).map(lambda n: list(p[:n]))
)
min_rates = st.none() | st.sampled_from(
    [Fraction(0), Fraction(1, 5), Fraction(1, 2), Fraction(1)]
)


def _as_tuples(standings: list[UnitStanding]) -> list[tuple]:
    return [(s.rank, s.figures, s.not_ranked_because) for s in standings]


@PROPERTY_SETTINGS
@given(group=groups(), order=orders, min_rate=min_rates, seed=st.integers())
def test_rank_units_ignores_the_input_order(group, order, min_rate, seed):
    shuffled = list(group)
    random.Random(seed).shuffle(shuffled)

    standings = rank_units(group, order=order, min_rate=min_rate)

    again = rank_units(shuffled, order=order, min_rate=min_rate)
    assert _as_tuples(again) == _as_tuples(standings)


@PROPERTY_SETTINGS
@given(group=groups(), order=orders, min_rate=min_rates)
def test_rank_units_lists_every_unit_once_ranked_one_to_n_first(group, order, min_rate):
    standings = rank_units(group, order=order, min_rate=min_rate)

    assert sorted(s.figures.unit_id for s in standings) == sorted(
        f.unit_id for f in group
    )
    ranked = [s for s in standings if s.rank is not None]
    assert [s.rank for s in ranked] == list(range(1, len(ranked) + 1))
    assert standings[: len(ranked)] == ranked
    assert all(s.not_ranked_because is None for s in ranked)
    assert all(s.not_ranked_because for s in standings[len(ranked) :])


def _expected_reason(f: UnitFigures, order, min_rate) -> str | None:
    if f.participants == 0:
        return NO_PARTICIPANTS
    if (RATE in order or min_rate is not None) and f.headcount == 0:
        return NO_HEADCOUNT
    if min_rate is not None and f.rate < min_rate:
        return BELOW_MIN_RATE
    return None


@pytest.mark.parametrize("code", METRICS, ids=METRICS)
@PROPERTY_SETTINGS
@given(group=groups(), rest=orders, min_rate=min_rates)
def test_rank_units_agrees_with_sorting_by_the_expected_direction(
    code, group, rest, min_rate
):
    order = [code, *(c for c in rest if c != code)]
    ranked = [f for f in group if _expected_reason(f, order, min_rate) is None]
    unranked = [f for f in group if _expected_reason(f, order, min_rate) is not None]
    expected = [
        (rank, f, None)
        for rank, f in enumerate(
            sorted(
                ranked,
                key=lambda f: (*(EXPECTED_KEY[c](f) for c in order), f.unit_id),
            ),
            start=1,
        )
    ] + [
        (None, f, _expected_reason(f, order, min_rate))
        for f in sorted(unranked, key=lambda f: f.unit_id)
    ]

    standings = rank_units(group, order=order, min_rate=min_rate)

    assert _as_tuples(standings) == expected


def test_expected_key_covers_every_criterion():
    assert set(EXPECTED_KEY) == set(METRICS)


@st.composite
def trees(draw) -> tuple[list[UnitNode], list[PersonResult], set[int]]:
    size = draw(st.integers(1, 10))
    units = []
    for uid in range(1, size + 1):
        parent = draw(st.none() | st.integers(1, uid - 1)) if uid > 1 else None
        units.append(UnitNode(uid, parent, draw(st.integers(0, 5))))
    people = [
        PersonResult(
            pid, draw(st.integers(1, size)), (score(draw(st.integers(0, 10))),)
        )
        for pid in range(draw(st.integers(0, 15)))
    ]
    members = draw(st.sets(st.integers(1, size)))
    return units, people, members


def _ancestors(unit_id: int, units: list[UnitNode]) -> list[int]:
    parent = {u.unit_id: u.parent_id for u in units}
    chain: list[int] = []
    current: int | None = unit_id
    while current is not None:
        chain.append(current)
        current = parent[current]
    return chain


@PROPERTY_SETTINGS
@given(tree=trees())
def test_members_count_each_person_and_each_staff_once_at_most(tree):
    units, people, members = tree

    found = figures(units, people, members=members)

    covered = {u.unit_id for u in units if set(_ancestors(u.unit_id, units)) & members}
    assert set(found) == members
    assert sum(f.participants for f in found.values()) == sum(
        1 for p in people if p.unit_id in covered
    )
    assert sum(f.headcount for f in found.values()) == sum(
        u.headcount for u in units if u.unit_id in covered
    )


@PROPERTY_SETTINGS
@given(tree=trees())
def test_without_members_each_unit_counts_its_whole_subtree(tree):
    units, people, _members = tree

    found = figures(units, people)

    for unit in units:
        below = {
            u.unit_id for u in units if unit.unit_id in _ancestors(u.unit_id, units)
        }
        assert found[unit.unit_id].participants == sum(
            1 for p in people if p.unit_id in below
        )
        assert found[unit.unit_id].headcount == sum(
            u.headcount for u in units if u.unit_id in below
        )
