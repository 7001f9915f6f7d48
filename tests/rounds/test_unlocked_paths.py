"""The start and the submit without a lock: what happens when the row moved between
the read and the one statement that writes (rounds.services.attempt_start_first,
attempt_submit(as_read=True)). The locked path decides then, as it always did;
nothing another request stored is lost. The races themselves, in parallel, are in
test_attempt_races.py (PostgreSQL)."""

import pytest
from django.core.exceptions import ValidationError

from quizzes.models import QuestionRevision
from rounds import attempt_reads, services
from rounds.models import Attempt, AttemptEvent
from rounds.scoring import score

pytestmark = pytest.mark.django_db


def _shown(attempt: Attempt, position: int, *, correct: bool) -> int:
    """The shown position of the correct choice, or of a wrong one."""
    revision_id, permutation = attempt.draw[position]
    right = QuestionRevision.objects.get(pk=revision_id).correct_index
    return permutation.index(right) if correct else permutation.index((right + 1) % 4)


def _read(attempt: Attempt) -> Attempt:
    return attempt_reads.attempt_get_own_as_read(
        public_id=attempt.public_id, user_id=attempt.user_id
    )


def _rescored(stored: Attempt) -> int:
    revisions = QuestionRevision.objects.in_bulk([item[0] for item in stored.draw])
    return score(
        correct_indexes=[revisions[item[0]].correct_index for item in stored.draw],
        answers=[entry[0] if entry else None for entry in stored.answers],
        voided=[False] * len(stored.draw),
    ).correct


def test_a_click_saved_after_the_submit_read_the_attempt_is_kept_and_scored(
    contestant, round_
):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    read = _read(attempt)
    # The page's last click lands after the submit read the row.
    services.attempt_save(
        attempt=attempt,
        seq=7,
        position=1,
        shown_choice=_shown(attempt, 1, correct=True),
    )

    finished = services.attempt_submit(
        attempt=read,
        answers={0: _shown(attempt, 0, correct=True)},
        prediction=None,
        as_read=True,
    )

    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.answers[1] is not None
    assert stored.answers[1][1] == 7
    assert stored.answers[0] is not None
    assert stored.correct_count == 2 == _rescored(stored) == finished.correct_count
    assert AttemptEvent.objects.filter(attempt=stored).count() == 1


def test_a_submit_that_read_an_attempt_finished_since_returns_the_stored_result(
    contestant, round_
):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    stale = _read(attempt)
    first = services.attempt_submit(
        attempt=_read(attempt),
        answers={p: _shown(attempt, p, correct=True) for p in range(3)},
        prediction=None,
        as_read=True,
    )

    again = services.attempt_submit(
        attempt=stale,
        answers={p: _shown(attempt, p, correct=False) for p in range(5)},
        prediction=None,
        as_read=True,
    )

    stored = Attempt.objects.get(pk=attempt.pk)
    assert first.correct_count == again.correct_count == stored.correct_count == 3
    assert stored.submitted_at == first.submitted_at
    assert AttemptEvent.objects.filter(attempt=stored).count() == 1


def test_the_one_statement_start_leaves_an_open_attempt_to_the_locked_path(
    contestant, round_
):
    first = services.attempt_start_first(user=contestant, round_=round_)
    assert first is not None
    assert not first.resumed
    assert first.attempt.number == 1

    # One open: the one statement stores nothing; the locked path resumes it.
    assert services.attempt_start_first(user=contestant, round_=round_) is None
    resumed = services.attempt_start(user=contestant, round_=round_)
    assert resumed.resumed
    assert resumed.attempt.pk == first.attempt.pk
    assert Attempt.objects.filter(user=contestant).count() == 1


def test_the_one_statement_start_counts_the_attempts_and_keeps_the_limit(
    contestant, round_
):
    round_.max_attempts = 2
    round_.save(update_fields=["max_attempts"])
    for number in (1, 2):
        started = services.attempt_start_first(user=contestant, round_=round_)
        assert started.attempt.number == number
        services.attempt_submit(attempt=started.attempt, answers={}, prediction=None)

    assert services.attempt_start_first(user=contestant, round_=round_) is None
    with pytest.raises(ValidationError) as refused:
        services.attempt_start(user=contestant, round_=round_)
    assert refused.value.code == "attempt_limit"
    assert Attempt.objects.filter(user=contestant).count() == 2
