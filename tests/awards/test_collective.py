from fractions import Fraction

import pytest

from awards.collective import (
    AVERAGE_SCORE,
    BELOW_MIN_RATE,
    DEFAULT_TIE_BREAK,
    NO_HEADCOUNT,
    NO_PARTICIPANTS,
    PARTICIPANTS,
    RATE,
    WINNERS,
    PersonResult,
    UnitFigures,
    UnitNode,
    figures,
    rank_units,
)

PROVINCE, DISTRICT, COMMUNE_A, COMMUNE_B, OTHER_DISTRICT = 1, 2, 3, 4, 5

UNITS = [
    UnitNode(PROVINCE, None, headcount=200),
    UnitNode(DISTRICT, PROVINCE, headcount=40),
    UnitNode(COMMUNE_A, DISTRICT, headcount=10),
    UnitNode(COMMUNE_B, DISTRICT, headcount=0),
    UnitNode(OTHER_DISTRICT, PROVINCE, headcount=20),
]
PEOPLE = [
    PersonResult(1, COMMUNE_A, Fraction(8, 10), rounds=1, is_winner=True),
    PersonResult(2, COMMUNE_A, Fraction(18, 10), rounds=2, is_winner=False),
    PersonResult(3, COMMUNE_B, Fraction(5, 10), rounds=1, is_winner=True),
    PersonResult(4, DISTRICT, Fraction(10, 10), rounds=1, is_winner=False),
]


@pytest.fixture
def unit_figures() -> dict[int, UnitFigures]:
    return figures(UNITS, PEOPLE)


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
def test_figures_average_score_is_per_scored_round(unit_figures, unit_id, average):
    fig = unit_figures[unit_id]

    assert fig.average_score == average


@pytest.mark.parametrize(
    ("unit_id", "rate"),
    [
        (COMMUNE_A, Fraction(1, 5)),
        (DISTRICT, Fraction(1, 10)),
        (PROVINCE, Fraction(1, 50)),
        (OTHER_DISTRICT, Fraction(0)),
    ],
    ids=["commune", "district", "province", "no-participants"],
)
def test_figures_rate_is_participants_over_headcount(unit_figures, unit_id, rate):
    fig = unit_figures[unit_id]

    assert isinstance(fig.rate, Fraction)
    assert fig.rate == rate


def test_figures_rate_without_headcount_is_zero(unit_figures):
    fig = unit_figures[COMMUNE_B]

    assert fig.participants == 1
    assert fig.rate == Fraction(0)


def test_figures_keep_each_units_own_headcount(unit_figures):
    headcounts = {uid: fig.headcount for uid, fig in unit_figures.items()}

    assert headcounts == {u.unit_id: u.headcount for u in UNITS}


# --- ranking units --------------------------------------------------------------------


def fig(
    unit_id: int,
    participants: int,
    *,
    headcount: int = 100,
    average: Fraction = Fraction(0),
    winners: int = 0,
) -> UnitFigures:
    return UnitFigures(
        unit_id=unit_id,
        headcount=headcount,
        participants=participants,
        rate=Fraction(participants, headcount) if headcount else Fraction(0),
        average_score=average,
        winners=winners,
    )


def ranked_ids(group, **options) -> list[int]:
    return [s.figures.unit_id for s in rank_units(group, **options)]


BY_PARTICIPANTS = {
    "metric": PARTICIPANTS,
    "tie_break": DEFAULT_TIE_BREAK,
    "min_rate": None,
}


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


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (PARTICIPANTS, [1, 2, 3]),
        (RATE, [2, 3, 1]),
        (AVERAGE_SCORE, [3, 1, 2]),
        (WINNERS, [3, 2, 1]),
    ],
    ids=[PARTICIPANTS, RATE, AVERAGE_SCORE, WINNERS],
)
def test_rank_units_by_metric(metric, expected):
    group = [
        fig(1, 30, headcount=100, average=Fraction(6, 10), winners=0),
        fig(2, 20, headcount=20, average=Fraction(5, 10), winners=1),
        fig(3, 10, headcount=20, average=Fraction(9, 10), winners=2),
    ]

    ids = ranked_ids(group, metric=metric, tie_break=DEFAULT_TIE_BREAK, min_rate=None)

    assert ids == expected


def test_rank_units_gives_ranks_in_order():
    standings = rank_units([fig(1, 10), fig(2, 30), fig(3, 20)], **BY_PARTICIPANTS)

    assert [(s.rank, s.not_ranked_because) for s in standings] == [
        (1, None),
        (2, None),
        (3, None),
    ]


@pytest.mark.parametrize(
    ("metric", "min_rate", "unit", "reason"),
    [
        (PARTICIPANTS, None, fig(7, 0), NO_PARTICIPANTS),
        (RATE, None, fig(7, 0, headcount=0), NO_PARTICIPANTS),
        (RATE, None, fig(7, 3, headcount=0), NO_HEADCOUNT),
        (PARTICIPANTS, Fraction(7, 10), fig(7, 3, headcount=0), NO_HEADCOUNT),
        (PARTICIPANTS, Fraction(7, 10), fig(7, 69, headcount=100), BELOW_MIN_RATE),
        (RATE, Fraction(7, 10), fig(7, 6, headcount=10), BELOW_MIN_RATE),
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
def test_rank_units_lists_the_unranked_with_the_reason(metric, min_rate, unit, reason):
    group = [unit, fig(9, 8, headcount=10)]

    standings = rank_units(
        group, metric=metric, tie_break=DEFAULT_TIE_BREAK, min_rate=min_rate
    )

    assert [(s.figures.unit_id, s.rank, s.not_ranked_because) for s in standings] == [
        (9, 1, None),
        (7, None, reason),
    ]


@pytest.mark.parametrize(
    "min_rate",
    [Fraction(7, 10), Fraction(69, 100)],
    ids=["at-the-minimum", "above-the-minimum"],
)
def test_rank_units_ranks_a_unit_at_or_above_the_minimum_rate(min_rate):
    standings = rank_units(
        [fig(1, 7, headcount=10)],
        metric=PARTICIPANTS,
        tie_break=DEFAULT_TIE_BREAK,
        min_rate=min_rate,
    )

    assert [(s.rank, s.not_ranked_because) for s in standings] == [(1, None)]


def test_rank_units_by_participants_ranks_a_unit_without_headcount():
    standings = rank_units([fig(1, 5, headcount=0)], **BY_PARTICIPANTS)

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
        group, metric=RATE, tie_break=DEFAULT_TIE_BREAK, min_rate=Fraction(7, 10)
    )

    assert [(s.figures.unit_id, s.rank, s.not_ranked_because) for s in standings] == [
        (6, 1, None),
        (9, 2, None),
        (2, None, NO_PARTICIPANTS),
        (3, None, BELOW_MIN_RATE),
        (5, None, NO_HEADCOUNT),
        (8, None, NO_PARTICIPANTS),
    ]


def test_rank_units_ranks_district_figures_rolled_up_from_communes(unit_figures):
    districts = [unit_figures[DISTRICT], unit_figures[OTHER_DISTRICT]]

    standings = rank_units(districts, **BY_PARTICIPANTS)

    assert [(s.figures.unit_id, s.rank) for s in standings] == [
        (DISTRICT, 1),
        (OTHER_DISTRICT, None),
    ]
