"""The one-query ranking (awards.selectors) agrees with awards.ranking."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import User
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
    TRUTH_PERFECT_PEOPLE,
    Entry,
    prediction_truth,
    rank,
)
from awards.selectors import round_ranking_rows, round_stats
from rounds.models import Attempt, Round
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 9, 9, 0, 30, tzinfo=UTC)
JOINED = datetime(2024, 9, 1, 1, 0, tzinfo=UTC)
TRUTH = 50


def closed_round() -> Round:
    return RoundFactory(
        opens_at=T0 - timedelta(days=1), closes_at=T0 + timedelta(days=6)
    )


def joined(seconds: float = 0) -> User:
    return UserFactory(date_joined=JOINED + timedelta(seconds=seconds))


def attempt(
    user: User,
    round_: Round,
    *,
    correct: int | None = 10,
    prediction: int | None = None,
    duration_ms: int | None = 60_000,
    submitted: timedelta | float | None = 0,
    status: str = Attempt.Status.FINISHED,
    is_practice: bool = False,
    question_count: int = 10,
) -> Attempt:
    """An attempt written directly; `submitted` is seconds after T0."""
    number = Attempt.objects.filter(user=user, round=round_).count() + 1
    if submitted is None:
        submitted_at = None
        started_at = T0
    else:
        if not isinstance(submitted, timedelta):
            submitted = timedelta(seconds=submitted)
        submitted_at = T0 + submitted
        started_at = submitted_at - timedelta(milliseconds=duration_ms or 0)
    return Attempt.objects.create(
        user=user,
        round=round_,
        number=number,
        status=status,
        is_practice=is_practice,
        started_at=started_at,
        deadline=started_at + timedelta(minutes=30),
        draw=[],
        answers=[],
        question_count=question_count,
        correct_count=correct,
        prediction=prediction,
        duration_ms=duration_ms,
        submitted_at=submitted_at,
    )


def entry_of(made: Attempt) -> Entry:
    return Entry(
        attempt_id=made.pk,
        person_id=made.user_id,
        correct=made.correct_count,
        question_count=made.question_count,
        prediction=made.prediction,
        duration_ms=made.duration_ms,
        submitted_at=made.submitted_at,
        registered_at=made.user.date_joined,
    )


def db_ranking(
    round_: Round, *, order, policy: str, truth: int | None
) -> list[tuple[int, int, int]]:
    rows = round_ranking_rows(round_=round_, order=order, policy=policy, truth=truth)
    return [(row["pk"], row["attempts_used"], row["gap"]) for row in rows]


def pure_ranking(
    entries: list[Entry], *, order, policy: str, truth: int | None
) -> list[tuple[int, int, int]]:
    standings = rank(entries, policy=policy, order=order, truth=truth)
    return [(s.entry.attempt_id, s.attempts_used, s.prediction_gap) for s in standings]


@pytest.fixture
def tied() -> tuple[Round, list[Entry]]:
    """A round whose finished attempts tie on nearly everything."""
    round_ = closed_round()
    users = [joined(0), joined(0), joined(1), joined(1), joined(2), joined(2)]
    users += [joined(0), joined(3)]
    u1, u2, u3, u4, u5, u6, u7, u8 = users
    made = [
        attempt(
            u1, round_, correct=10, prediction=45, duration_ms=40_000, submitted=10
        ),
        attempt(u1, round_, correct=9, prediction=50, duration_ms=30_000, submitted=20),
        attempt(
            u2, round_, correct=10, prediction=55, duration_ms=40_000, submitted=10
        ),
        attempt(
            u3, round_, correct=10, prediction=50, duration_ms=40_000, submitted=12
        ),
        attempt(u3, round_, correct=10, prediction=45, duration_ms=40_000, submitted=5),
        attempt(
            u3, round_, correct=8, prediction=None, duration_ms=20_000, submitted=1
        ),
        attempt(
            u4, round_, correct=10, prediction=None, duration_ms=35_000, submitted=30
        ),
        attempt(u5, round_, correct=9, prediction=50, duration_ms=30_000, submitted=3),
        attempt(u5, round_, correct=9, prediction=50, duration_ms=30_000, submitted=3),
        attempt(
            u6, round_, correct=10, prediction=48, duration_ms=40_000, submitted=10
        ),
        attempt(u7, round_, correct=7, prediction=50, duration_ms=10_000, submitted=0),
        attempt(
            u8, round_, correct=10, prediction=45, duration_ms=40_000, submitted=10
        ),
        attempt(
            u8, round_, correct=10, prediction=55, duration_ms=40_000, submitted=10
        ),
    ]
    # Neither counts: a better practice attempt and a still open one.
    attempt(u7, round_, correct=10, prediction=50, duration_ms=1_000, is_practice=True)
    attempt(
        u4,
        round_,
        correct=None,
        duration_ms=None,
        submitted=None,
        status=Attempt.Status.OPEN,
    )
    return round_, [entry_of(a) for a in made]


ORDERS = [
    DEFAULT_ORDER,
    (CORRECT, DURATION, SUBMITTED),
    (CORRECT, DURATION, ATTEMPTS, REGISTERED),
    (REGISTERED, CORRECT, PREDICTION),
    (ATTEMPTS, CORRECT, PREDICTION, DURATION),
    (PREDICTION, SUBMITTED, CORRECT),
    (SUBMITTED,),
    (),
    CRITERIA,
]
ORDER_IDS = [
    "default",
    "no-prediction",
    "attempts-then-registered",
    "registered-first",
    "attempts-first",
    "prediction-first",
    "submission-only",
    "attempt-id-only",
    "every-criterion",
]


@pytest.mark.parametrize("truth", [None, TRUTH], ids=["no-truth", "truth"])
@pytest.mark.parametrize("policy", COUNTED_POLICIES, ids=COUNTED_POLICIES)
@pytest.mark.parametrize("order", ORDERS, ids=ORDER_IDS)
def test_rows_agree_with_the_pure_ranking(tied, order, policy, truth):
    round_, entries = tied

    rows = db_ranking(round_, order=order, policy=policy, truth=truth)

    assert rows == pure_ranking(entries, order=order, policy=policy, truth=truth)


@pytest.mark.parametrize("truth", [None, TRUTH], ids=["no-truth", "truth"])
@pytest.mark.parametrize("policy", COUNTED_POLICIES, ids=COUNTED_POLICIES)
@pytest.mark.parametrize("criterion", CRITERIA, ids=CRITERIA)
def test_each_criterion_alone_agrees_with_the_pure_ranking(
    tied, criterion, policy, truth
):
    round_, entries = tied

    rows = db_ranking(round_, order=(criterion,), policy=policy, truth=truth)

    assert rows == pure_ranking(entries, order=(criterion,), policy=policy, truth=truth)


def test_rows_leave_out_practice_open_voided_and_other_rounds():
    round_ = closed_round()
    other_round = closed_round()
    one, two, three = joined(), joined(), joined()
    counted_one = attempt(one, round_, correct=6, submitted=5)
    counted_two = attempt(two, round_, correct=5)
    attempt(one, round_, correct=10, is_practice=True)
    attempt(two, round_, correct=10, status=Attempt.Status.VOIDED)
    attempt(
        two,
        round_,
        correct=None,
        duration_ms=None,
        submitted=None,
        status=Attempt.Status.OPEN,
    )
    attempt(three, round_, correct=10, is_practice=True)
    attempt(three, other_round, correct=10)

    rows = db_ranking(round_, order=DEFAULT_ORDER, policy=BEST, truth=None)

    assert rows == [(counted_one.pk, 1, 0), (counted_two.pk, 1, 0)]


@pytest.mark.parametrize("policy", COUNTED_POLICIES, ids=COUNTED_POLICIES)
def test_rows_are_one_query(tied, policy, django_assert_num_queries):
    round_, _ = tied

    with django_assert_num_queries(1):
        rows = list(
            round_ranking_rows(
                round_=round_, order=CRITERIA, policy=policy, truth=TRUTH
            )
        )

    assert len(rows) == 8


def test_rows_refuse_an_unknown_policy(tied):
    round_, _ = tied

    with pytest.raises(ValueError, match="policy"):
        round_ranking_rows(round_=round_, order=DEFAULT_ORDER, policy="avg", truth=None)


def test_rows_refuse_an_invalid_order(tied):
    round_, _ = tied

    with pytest.raises(ValueError, match="invalid ranking order"):
        round_ranking_rows(
            round_=round_, order=(CORRECT, CORRECT), policy=BEST, truth=None
        )


def random_round(rng: random.Random) -> tuple[Round, list[Entry]]:
    """About 60 attempts over 20 users, drawn from few values so that ties abound."""
    round_ = closed_round()
    users = [joined(rng.choice([0, 1, 2])) for _ in range(20)]
    entries = []
    for _ in range(60):
        user = rng.choice(users)
        made = attempt(
            user,
            round_,
            correct=rng.randint(7, 10),
            prediction=rng.choice([None, 40, 45, 48, 50, 52, 55, 60]),
            duration_ms=rng.choice([30_000, 30_001, 45_000]),
            submitted=timedelta(
                seconds=rng.choice([0, 1, 2]),
                microseconds=rng.choice([0, 1, 500_000]),
            ),
            is_practice=rng.random() < 0.1,
        )
        if not made.is_practice:
            entries.append(entry_of(made))
    return round_, entries


@pytest.mark.parametrize("seed", range(5), ids=[f"seed-{n}" for n in range(5)])
def test_rows_agree_with_the_pure_ranking_on_random_rounds(seed):
    rng = random.Random(seed)
    round_, entries = random_round(rng)
    cases = [
        (tuple(rng.sample(CRITERIA, rng.randint(1, len(CRITERIA)))), policy, truth)
        for policy in COUNTED_POLICIES
        for truth in (None, TRUTH)
        for _ in range(3)
    ]

    mismatches = [
        (order, policy, truth)
        for order, policy, truth in cases
        if db_ranking(round_, order=order, policy=policy, truth=truth)
        != pure_ranking(entries, order=order, policy=policy, truth=truth)
    ]

    assert mismatches == []


# --- statistics -------------------------------------------------------------------


@pytest.fixture
def stats_round() -> tuple[Round, list[Entry]]:
    round_ = closed_round()
    one, two, three = joined(), joined(), joined()
    made = [
        attempt(one, round_, correct=10, submitted=0),
        attempt(one, round_, correct=8, submitted=5),
        attempt(two, round_, correct=9, submitted=0),
        attempt(three, round_, correct=10, submitted=0),
        attempt(three, round_, correct=10, submitted=5),
    ]
    attempt(two, round_, correct=10, is_practice=True)
    attempt(
        two,
        round_,
        correct=None,
        duration_ms=None,
        submitted=None,
        status=Attempt.Status.OPEN,
    )
    return round_, [entry_of(a) for a in made]


def test_round_stats_counts_people_and_finished_ranked_attempts(stats_round):
    round_, _ = stats_round

    stats = round_stats(round_=round_, order=DEFAULT_ORDER, policy=BEST)

    assert (stats.participants, stats.attempts) == (3, 5)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [(BEST, 2), (FIRST, 2), (LAST, 1)],
    ids=[BEST, FIRST, LAST],
)
def test_round_stats_counts_people_whose_counted_attempt_is_perfect(
    stats_round, policy, expected
):
    round_, entries = stats_round

    stats = round_stats(round_=round_, order=DEFAULT_ORDER, policy=policy)

    assert stats.perfect_people == expected
    assert stats.perfect_people == prediction_truth(
        entries, kind=TRUTH_PERFECT_PEOPLE, policy=policy, order=DEFAULT_ORDER
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [((10, 10), 1), ((12, 9), 0)],
    ids=["same-question-count", "different-question-counts"],
)
def test_round_stats_perfect_follows_the_counted_attempt(counts, expected):
    """10 of 12 beats 9 of 9 on correct answers: the counted attempt is not perfect."""
    round_ = closed_round()
    user = joined()
    attempt(user, round_, correct=min(counts[0], 10), question_count=counts[0])
    attempt(user, round_, correct=9, question_count=counts[1], submitted=5)

    stats = round_stats(round_=round_, order=DEFAULT_ORDER, policy=BEST)

    assert (stats.participants, stats.attempts, stats.perfect_people) == (
        1,
        2,
        expected,
    )


def test_round_stats_of_an_empty_round_is_zero():
    round_ = closed_round()

    stats = round_stats(round_=round_, order=DEFAULT_ORDER, policy=BEST)

    assert (stats.participants, stats.attempts, stats.perfect_people) == (0, 0, 0)
