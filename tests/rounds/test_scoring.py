from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rounds.scoring import ScoreCard, duration_ms, format_duration, score

START = datetime(2024, 3, 1, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("correct_indexes", "answers", "expected"),
    [
        ([0, 1, 2], [0, 1, 2], ScoreCard(correct=3, total=3, answered=3)),
        ([0, 1, 2], [1, 2, 3], ScoreCard(correct=0, total=3, answered=3)),
        ([0, 1, 2], [0, 0, 2], ScoreCard(correct=2, total=3, answered=3)),
        ([0, 1, 2], [None, None, None], ScoreCard(correct=0, total=3, answered=0)),
        ([0, 1, 2], [0, None, 2], ScoreCard(correct=2, total=3, answered=2)),
        ([3], [3], ScoreCard(correct=1, total=1, answered=1)),
        ([], [], ScoreCard(correct=0, total=0, answered=0)),
    ],
    ids=[
        "all-correct",
        "all-wrong",
        "one-wrong",
        "none-answered",
        "one-unanswered",
        "single-question",
        "empty",
    ],
)
def test_score_counts_correct_and_answered(correct_indexes, answers, expected):
    card = score(correct_indexes=correct_indexes, answers=answers)

    assert card == expected


def test_score_counts_an_unanswered_question_as_wrong_even_for_index_zero():
    card = score(correct_indexes=[0], answers=[None])

    assert card.correct == 0


@pytest.mark.parametrize(
    ("correct_indexes", "answers"),
    [([0, 1], [0]), ([0], [0, 1]), ([0, 1], [])],
    ids=["fewer-answers", "more-answers", "no-answers"],
)
def test_score_refuses_answers_not_aligned_with_questions(correct_indexes, answers):
    with pytest.raises(ValueError, match="align"):
        score(correct_indexes=correct_indexes, answers=answers)


@given(
    st.lists(st.tuples(st.integers(0, 5), st.none() | st.integers(0, 5)), max_size=50)
)
def test_score_property_correct_never_exceeds_answered_or_total(rows):
    correct_indexes = [key for key, _ in rows]
    answers = [given_ for _, given_ in rows]

    card = score(correct_indexes=correct_indexes, answers=answers)

    assert 0 <= card.correct <= card.answered <= card.total == len(rows)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(0), 0),
        (timedelta(microseconds=999), 0),
        (timedelta(milliseconds=1), 1),
        (timedelta(seconds=59, microseconds=999_999), 59_999),
        (timedelta(minutes=10), 600_000),
        (timedelta(days=1, seconds=2, microseconds=345_678), 86_402_345),
        (timedelta(days=3, hours=1), 262_800_000),
    ],
    ids=[
        "zero",
        "under-a-millisecond",
        "one-millisecond",
        "just-under-a-minute",
        "ten-minutes",
        "day-seconds-microseconds",
        "several-days",
    ],
)
def test_duration_ms_is_exact_to_the_millisecond(elapsed, expected):
    millis = duration_ms(started_at=START, finished_at=START + elapsed)

    assert millis == expected


@pytest.mark.parametrize(
    "elapsed",
    [timedelta(microseconds=-1), timedelta(seconds=-5), timedelta(days=-2)],
    ids=["one-microsecond-early", "five-seconds-early", "two-days-early"],
)
def test_duration_ms_is_never_negative(elapsed):
    millis = duration_ms(started_at=START, finished_at=START + elapsed)

    assert millis == 0


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_duration_ms_property_matches_whole_milliseconds(elapsed):
    millis = duration_ms(started_at=START, finished_at=START + elapsed)

    assert millis == elapsed // timedelta(milliseconds=1)


@pytest.mark.parametrize(
    ("millis", "expected"),
    [
        (0, "00:00"),
        (999, "00:00"),
        (1_000, "00:01"),
        (65_999, "01:05"),
        (599_999, "09:59"),
        (3_600_000, "60:00"),
        (6_000_000, "100:00"),
    ],
    ids=[
        "zero",
        "under-a-second",
        "one-second",
        "truncates-not-rounds",
        "just-under-ten-minutes",
        "an-hour-folds-into-minutes",
        "three-digit-minutes",
    ],
)
def test_format_duration(millis, expected):
    text = format_duration(millis)

    assert text == expected
