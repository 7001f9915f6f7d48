from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awards.ranking import (
    ATTEMPTS,
    BEST,
    CORRECT,
    COUNTED_POLICIES,
    CRITERIA,
    DEFAULT_ORDER,
    DURATION,
    FIRST,
    LAST,
    PREDICTION,
    REGISTERED,
    SUBMITTED,
    TRUTH_ATTEMPTS,
    TRUTH_MANUAL,
    TRUTH_PARTICIPANTS,
    TRUTH_PERFECT_PEOPLE,
    Entry,
    Standing,
    counted_attempts,
    prediction_truth,
    rank,
    sort_key,
    validate_order,
)

T0 = datetime(2024, 9, 9, 7, 30, tzinfo=UTC)
JOINED = datetime(2024, 9, 1, 8, 0, tzinfo=UTC)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


def entry(
    attempt_id: int,
    person_id: int | None = None,
    *,
    correct: int = 10,
    question_count: int = 10,
    prediction: int | None = None,
    duration_ms: int = 60_000,
    submitted: float = 0,
    registered: float = 0,
) -> Entry:
    """An entry; times are seconds after the round opened / after JOINED."""
    return Entry(
        attempt_id=attempt_id,
        person_id=attempt_id if person_id is None else person_id,
        correct=correct,
        question_count=question_count,
        prediction=prediction,
        duration_ms=duration_ms,
        submitted_at=T0 + timedelta(seconds=submitted),
        registered_at=JOINED + timedelta(seconds=registered),
    )


def attempt_ids(standings: list[Standing]) -> list[int]:
    return [standing.entry.attempt_id for standing in standings]


# --- the default order ------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "truth", "expected"),
    [
        (
            [
                entry(1, correct=8, duration_ms=10_000),
                entry(2, correct=9, duration_ms=90_000),
            ],
            None,
            [2, 1],
        ),
        (
            [
                entry(1, correct=9, prediction=100, duration_ms=1_000),
                entry(2, correct=10, prediction=900, duration_ms=90_000),
            ],
            100,
            [2, 1],
        ),
        (
            [
                entry(1, prediction=90, duration_ms=10_000, submitted=1),
                entry(2, prediction=105, duration_ms=90_000, submitted=9),
            ],
            100,
            [2, 1],
        ),
        (
            [
                entry(1, prediction=95, duration_ms=50_000, submitted=1),
                entry(2, prediction=105, duration_ms=40_000, submitted=9),
            ],
            100,
            [2, 1],
        ),
        (
            [
                entry(1, prediction=100, duration_ms=40_000, submitted=9),
                entry(2, prediction=100, duration_ms=40_000, submitted=0.001),
            ],
            100,
            [2, 1],
        ),
        (
            [entry(7, prediction=100), entry(3, prediction=100)],
            100,
            [3, 7],
        ),
        (
            [
                entry(1, prediction=None, duration_ms=1_000, submitted=0),
                entry(2, prediction=1_000_000, duration_ms=90_000, submitted=9),
            ],
            100,
            [2, 1],
        ),
        (
            [
                entry(1, prediction=100, duration_ms=50_000),
                entry(2, prediction=5, duration_ms=40_000),
                entry(3, prediction=None, duration_ms=30_000),
            ],
            None,
            [3, 2, 1],
        ),
    ],
    ids=[
        "more-correct-first",
        "correct-beats-prediction",
        "equal-correct-prediction-decides",
        "equal-gap-either-side-duration-decides",
        "equal-duration-earlier-submission-decides",
        "everything-equal-lower-attempt-id",
        "missing-prediction-after-any-given",
        "without-truth-prediction-neutral",
    ],
)
def test_rank_default_order(entries, truth, expected):
    standings = rank(entries, policy=BEST, order=DEFAULT_ORDER, truth=truth)

    assert attempt_ids(standings) == expected


def test_rank_reports_the_prediction_gap():
    entries = [entry(1, prediction=90), entry(2, prediction=107), entry(3)]

    standings = rank(entries, policy=BEST, order=DEFAULT_ORDER, truth=100)

    assert [s.prediction_gap for s in standings] == [7, 10, 2**62]


def test_rank_without_truth_reports_zero_gaps():
    entries = [entry(1, prediction=90), entry(2)]

    standings = rank(entries, policy=BEST, order=DEFAULT_ORDER, truth=None)

    assert [s.prediction_gap for s in standings] == [0, 0]


def test_rank_reports_attempts_used_per_person():
    entries = [entry(1, 1), entry(2, 1, correct=3), entry(3, 1, correct=2), entry(4, 2)]

    standings = rank(entries, policy=BEST, order=DEFAULT_ORDER, truth=None)

    assert {s.entry.person_id: s.attempts_used for s in standings} == {1: 3, 2: 1}


def test_rank_of_nothing_is_empty():
    standings = rank([], policy=BEST, order=DEFAULT_ORDER, truth=None)

    assert standings == []


# --- each criterion decides when put first ------------------------------------------

# The field each criterion reads, and a good and a bad value for it.
GOOD = {
    CORRECT: 10,
    PREDICTION: 100,
    DURATION: 30_000,
    SUBMITTED: 1,
    ATTEMPTS: 1,
    REGISTERED: 1,
}
BAD = {
    CORRECT: 9,
    PREDICTION: 150,
    DURATION: 90_000,
    SUBMITTED: 9,
    ATTEMPTS: 2,
    REGISTERED: 9,
}


def person(
    person_id: int, first_id: int, values: dict[str, int], truth: int
) -> list[Entry]:
    main = entry(
        first_id,
        person_id,
        correct=values[CORRECT],
        prediction=values[PREDICTION],
        duration_ms=values[DURATION],
        submitted=values[SUBMITTED],
        registered=values[REGISTERED],
    )
    # Extra attempts are worse on every criterion, so the main one is counted.
    extra = [
        entry(
            first_id + n,
            person_id,
            correct=0,
            prediction=None,
            duration_ms=10**7,
            submitted=1_000 + n,
            registered=values[REGISTERED],
        )
        for n in range(1, values[ATTEMPTS])
    ]
    return [main, *extra]


@pytest.mark.parametrize("criterion", CRITERIA, ids=CRITERIA)
def test_rank_criterion_put_first_decides(criterion):
    # Person 1 is worse on every criterion but the first; person 2 better.
    truth = 100
    one = {**BAD, criterion: GOOD[criterion]}
    two = {**GOOD, criterion: BAD[criterion]}
    entries = person(1, 20, one, truth) + person(2, 10, two, truth)
    order = (criterion, *(c for c in CRITERIA if c != criterion))

    standings = rank(entries, policy=BEST, order=order, truth=truth)

    assert [s.entry.person_id for s in standings] == [1, 2]


@pytest.mark.parametrize("criterion", CRITERIA, ids=CRITERIA)
def test_rank_criterion_put_last_does_not_decide(criterion):
    truth = 100
    one = {**BAD, criterion: GOOD[criterion]}
    two = {**GOOD, criterion: BAD[criterion]}
    entries = person(1, 20, one, truth) + person(2, 10, two, truth)
    order = (*(c for c in CRITERIA if c != criterion), criterion)

    standings = rank(entries, policy=BEST, order=order, truth=truth)

    assert [s.entry.person_id for s in standings] == [2, 1]


def test_rank_fewer_attempts_first():
    entries = [entry(1, 1), entry(2, 1, correct=0), entry(3, 2)]

    standings = rank(entries, policy=BEST, order=(ATTEMPTS,), truth=None)

    assert [s.entry.person_id for s in standings] == [2, 1]


def test_rank_earlier_registration_first():
    entries = [entry(1, registered=60), entry(2, registered=5)]

    standings = rank(entries, policy=BEST, order=(REGISTERED,), truth=None)

    assert attempt_ids(standings) == [2, 1]


# --- the counted attempt ----------------------------------------------------------

THREE_ATTEMPTS = [
    entry(1, 7, correct=7, submitted=0),
    entry(2, 7, correct=10, submitted=5),
    entry(3, 7, correct=8, submitted=10),
]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [(BEST, 2), (FIRST, 1), (LAST, 3)],
    ids=[BEST, FIRST, LAST],
)
def test_counted_attempts_policy(policy, expected):
    counted = counted_attempts(
        THREE_ATTEMPTS, policy=policy, order=DEFAULT_ORDER, truth=None
    )

    assert [e.attempt_id for e in counted] == [expected]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [(FIRST, 4), (LAST, 9)],
    ids=[FIRST, LAST],
)
def test_counted_attempts_same_instant_falls_to_attempt_id(policy, expected):
    entries = [entry(9, 1, submitted=3), entry(4, 1, submitted=3)]

    counted = counted_attempts(entries, policy=policy, order=DEFAULT_ORDER, truth=None)

    assert [e.attempt_id for e in counted] == [expected]


def test_counted_attempts_best_follows_the_order_within_a_person():
    entries = [
        entry(1, 1, prediction=100, duration_ms=90_000),
        entry(2, 1, prediction=130, duration_ms=30_000),
    ]

    counted = counted_attempts(entries, policy=BEST, order=DEFAULT_ORDER, truth=100)

    assert [e.attempt_id for e in counted] == [1]


def test_counted_attempts_one_per_person():
    entries = [entry(1, 1), entry(2, 2), entry(3, 1), entry(4, 3), entry(5, 2)]

    counted = counted_attempts(entries, policy=BEST, order=DEFAULT_ORDER, truth=None)

    assert sorted(e.person_id for e in counted) == [1, 2, 3]


def test_counted_attempts_refuses_an_unknown_policy():
    with pytest.raises(ValueError, match="policy"):
        counted_attempts(
            THREE_ATTEMPTS, policy="average", order=DEFAULT_ORDER, truth=None
        )


# --- the prediction's truth -------------------------------------------------------

TRUTH_ENTRIES = [
    entry(1, 1, correct=10, submitted=0),
    entry(2, 1, correct=7, submitted=1),
    entry(3, 2, correct=10, submitted=0),
    entry(4, 2, correct=10, submitted=1),
    entry(5, 3, correct=9, submitted=0),
]


@pytest.mark.parametrize(
    ("kind", "policy", "manual", "expected"),
    [
        (TRUTH_PERFECT_PEOPLE, BEST, None, 2),
        (TRUTH_PERFECT_PEOPLE, FIRST, None, 2),
        (TRUTH_PERFECT_PEOPLE, LAST, None, 1),
        (TRUTH_PARTICIPANTS, BEST, None, 3),
        (TRUTH_ATTEMPTS, BEST, None, 5),
        (TRUTH_MANUAL, BEST, 1234, 1234),
        (TRUTH_MANUAL, BEST, None, None),
    ],
    ids=[
        "perfect-people-counts-persons-not-attempts",
        "perfect-people-first-attempt",
        "perfect-people-last-attempt",
        "participants",
        "attempts",
        "manual",
        "manual-not-entered",
    ],
)
def test_prediction_truth(kind, policy, manual, expected):
    truth = prediction_truth(
        TRUTH_ENTRIES, kind=kind, policy=policy, order=DEFAULT_ORDER, manual=manual
    )

    assert truth == expected


def test_prediction_truth_perfect_people_chooses_with_prediction_neutral():
    # With the prediction first but no truth yet, the perfect attempt counts.
    entries = [
        entry(1, 1, correct=10, prediction=None),
        entry(2, 1, correct=5, prediction=3),
    ]

    truth = prediction_truth(
        entries,
        kind=TRUTH_PERFECT_PEOPLE,
        policy=BEST,
        order=(PREDICTION, CORRECT),
    )

    assert truth == 1


def test_prediction_truth_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="truth kind"):
        prediction_truth(TRUTH_ENTRIES, kind="winners", policy=BEST, order=())


# --- validating an order -------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    [("speed",), (CORRECT, "speed"), (CORRECT, CORRECT), (DURATION, CORRECT, DURATION)],
    ids=["unknown", "unknown-after-known", "repeated", "repeated-apart"],
)
def test_validate_order_refuses(order):
    with pytest.raises(ValueError, match="invalid ranking order"):
        validate_order(order)


@pytest.mark.parametrize(
    "order",
    [list(DEFAULT_ORDER), list(CRITERIA), [REGISTERED, ATTEMPTS]],
    ids=["default", "every-criterion", "subset"],
)
def test_validate_order_accepts_and_returns_a_tuple(order):
    validated = validate_order(order)

    assert validated == tuple(order)


# --- properties ---------------------------------------------------------------------

PERSONS = 4


def registered_at(person_id: int) -> datetime:
    # Two registration instants for four persons: ties are frequent.
    return JOINED + timedelta(seconds=person_id % 2)


@st.composite
def entry_lists(
    draw: st.DrawFn, *, min_size: int = 0, max_size: int = 12, min_correct: int = 0
) -> list[Entry]:
    ids = draw(
        st.lists(
            st.integers(1, 1_000), min_size=min_size, max_size=max_size, unique=True
        )
    )
    entries = []
    for attempt_id in ids:
        person_id = draw(st.integers(1, PERSONS))
        entries.append(
            Entry(
                attempt_id=attempt_id,
                person_id=person_id,
                correct=draw(st.integers(min_correct, 3)),
                question_count=3,
                prediction=draw(st.none() | st.integers(0, 4)),
                duration_ms=draw(st.integers(1, 3)),
                submitted_at=T0 + timedelta(seconds=draw(st.integers(0, 3))),
                registered_at=registered_at(person_id),
            )
        )
    return entries


orders = st.lists(st.sampled_from(CRITERIA), unique=True, max_size=len(CRITERIA))
orders_without_attempts = st.lists(
    st.sampled_from([c for c in CRITERIA if c != ATTEMPTS]), unique=True
)
policies = st.sampled_from(COUNTED_POLICIES)
truths = st.none() | st.integers(0, 4)


def rank_and_ids(standings: list[Standing]) -> list[tuple[int, int]]:
    return [(s.rank, s.entry.attempt_id) for s in standings]


@PROPERTY_SETTINGS
@given(
    entries=entry_lists(),
    order=orders,
    policy=policies,
    truth=truths,
    data=st.data(),
)
def test_property_input_order_never_changes_the_ranking(
    entries, order, policy, truth, data
):
    shuffled = data.draw(st.permutations(entries))

    before = rank(entries, policy=policy, order=order, truth=truth)
    after = rank(shuffled, policy=policy, order=order, truth=truth)

    assert rank_and_ids(after) == rank_and_ids(before)


def worse_than_all_of(own: list[Entry], *, attempt_id: int, truth: int | None) -> Entry:
    """A new attempt of the same person, worse than each of `own` everywhere."""
    gaps_known = truth is not None and all(e.prediction is not None for e in own)
    if gaps_known:
        prediction = truth + max(abs(e.prediction - truth) for e in own) + 1
    else:
        prediction = None  # the largest gap there is
    last = own[0]
    return Entry(
        attempt_id=attempt_id,
        person_id=last.person_id,
        correct=min(e.correct for e in own) - 1,
        question_count=last.question_count,
        prediction=prediction,
        duration_ms=max(e.duration_ms for e in own) + 1,
        submitted_at=max(e.submitted_at for e in own) + timedelta(seconds=1),
        registered_at=last.registered_at,
    )


@PROPERTY_SETTINGS
@given(
    entries=entry_lists(min_size=1, min_correct=1),
    order=orders_without_attempts,
    truth=truths,
    data=st.data(),
)
def test_property_a_worse_attempt_never_changes_the_best_ranking(
    entries, order, truth, data
):
    person_id = data.draw(st.sampled_from(sorted({e.person_id for e in entries})))
    own = [e for e in entries if e.person_id == person_id]
    new_id = max(e.attempt_id for e in entries) + 1
    worse = worse_than_all_of(own, attempt_id=new_id, truth=truth)

    before = rank(entries, policy=BEST, order=order, truth=truth)
    after = rank([*entries, worse], policy=BEST, order=order, truth=truth)

    assert [(s.entry.person_id, s.entry.attempt_id) for s in after] == [
        (s.entry.person_id, s.entry.attempt_id) for s in before
    ]


@PROPERTY_SETTINGS
@given(entries=entry_lists(), order=orders, truth=truths)
def test_property_best_counted_attempt_is_never_worse_than_another_of_its_person(
    entries, order, truth
):
    def key(e: Entry) -> tuple:
        return sort_key(e, order=order, truth=truth, attempts_used=0)

    standings = rank(entries, policy=BEST, order=order, truth=truth)

    for standing in standings:
        own = [e for e in entries if e.person_id == standing.entry.person_id]
        assert all(key(standing.entry) <= key(e) for e in own)


@PROPERTY_SETTINGS
@given(entries=entry_lists(), order=orders, policy=policies, truth=truths)
def test_property_ranking_is_a_total_order_one_standing_per_person(
    entries, order, policy, truth
):
    standings = rank(entries, policy=policy, order=order, truth=truth)

    persons = [s.entry.person_id for s in standings]
    assert [s.rank for s in standings] == list(range(1, len(standings) + 1))
    assert len(persons) == len(set(persons))
    assert set(persons) == {e.person_id for e in entries}
