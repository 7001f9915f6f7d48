"""The counted attempts as the stored result reads them (on PostgreSQL each person's
first attempt in the pick order, DISTINCT ON) are those the ranking query numbers,
and the result's perfect count is read off the rows as they are written (issue 16)."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from awards import ranking, services
from awards.models import RankingRules
from awards.selectors import COUNTED_FIELDS, round_counted_attempts
from awards.selectors.ranking import _counted_attempts
from rounds.models import Attempt
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 9, 9, 1, 0, tzinfo=UTC)
CLOSES = T0 + timedelta(days=6)
AFTER = CLOSES + timedelta(days=1)
ORDERS = [
    ranking.DEFAULT_ORDER,
    (ranking.DURATION, ranking.CORRECT),
    (ranking.PREDICTION, ranking.ATTEMPTS, ranking.CORRECT),
]


@pytest.fixture
def tied_round():
    """Few distinct values everywhere: many ties for the pick to break."""
    rng = random.Random(16)
    round_ = RoundFactory(
        opens_at=T0 - timedelta(days=1),
        closes_at=CLOSES,
        question_count=5,
        prediction_question="Bao nhiêu?",
    )
    for _ in range(25):
        user = UserFactory()
        attempts = rng.randint(1, 4)
        for number in range(1, attempts + 1):
            still_open = number == attempts and rng.random() < 0.15
            duration = rng.choice([30_000, 45_000])
            submitted = T0 + timedelta(seconds=rng.choice([10, 20]) + number)
            Attempt.objects.create(
                user=user,
                round=round_,
                number=number,
                status=Attempt.Status.OPEN if still_open else Attempt.Status.FINISHED,
                is_practice=rng.random() < 0.1,
                started_at=submitted - timedelta(milliseconds=duration),
                deadline=submitted + timedelta(minutes=30),
                draw=[],
                answers=[],
                question_count=rng.choice([4, 5]),
                correct_count=rng.choice([3, 4, 4]),
                prediction=rng.choice([None, 3, 5, 8]),
                duration_ms=duration,
                submitted_at=submitted,
            )
    return round_


@pytest.mark.parametrize("truth", [None, 5], ids=["no-truth", "truth"])
@pytest.mark.parametrize("policy", ranking.COUNTED_POLICIES)
@pytest.mark.parametrize("order", ORDERS, ids=["default", "duration", "prediction"])
def test_counted_attempts_are_those_the_ranking_query_picks(
    tied_round, order, policy, truth
):
    numbered = _counted_attempts(
        round_=tied_round, order=order, policy=policy, truth=truth
    ).values_list(*COUNTED_FIELDS)

    counted = round_counted_attempts(
        round_=tied_round, order=order, policy=policy, truth=truth
    ).values_list(*COUNTED_FIELDS)

    assert sorted(counted) == sorted(numbered)
    assert len(counted) == len({row[1] for row in counted})


@pytest.mark.parametrize("policy", ranking.COUNTED_POLICIES)
def test_perfect_people_count_the_rows_written(tied_round, policy):
    RankingRules.objects.update_or_create(
        contest=tied_round.contest,
        defaults={
            "counted_attempt": policy,
            "truth_kind": ranking.TRUTH_PARTICIPANTS,
        },
    )
    judge = UserFactory(is_staff=True, is_superuser=True)

    result = services.result_compute(round_=tied_round, actor=judge, now=AFTER)

    rows = list(result.rows.values_list("correct", "question_count"))
    result.refresh_from_db()
    assert result.perfect_people == sum(1 for c, q in rows if c == q)
    assert 0 < result.perfect_people < len(rows)
