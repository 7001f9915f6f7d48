"""The one-statement save (rounds.services.saving): every rule of the explained save
in its WHERE clause, on the database the tests run on (SQLite by default; PostgreSQL
with DATABASE_URL). Run this file on both: each has its own spelling."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.middleware import user_credential
from accounts.models import User
from rounds import services
from rounds.models import Attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(round_, contestant) -> Attempt:
    return services.attempt_start(user=contestant, round_=round_).attempt


def _save(attempt: Attempt, **overrides) -> bool:
    user = User.objects.get(pk=attempt.user_id)
    arguments = {
        "public_id": attempt.public_id,
        "user_id": user.pk,
        "credential": user_credential(user.password),
        "seq": 5,
        "position": 1,
        "shown_choice": 2,
        **overrides,
    }
    return services.attempt_save_direct(**arguments)


def test_a_save_is_one_statement_and_stores_the_original_choice(attempt):
    credential = user_credential(User.objects.get(pk=attempt.user_id).password)

    with CaptureQueriesContext(connection) as queries:
        saved = services.attempt_save_direct(
            public_id=attempt.public_id,
            user_id=attempt.user_id,
            credential=credential,
            seq=5,
            position=1,
            shown_choice=2,
        )

    assert saved
    assert len(queries) == 1
    assert queries[0]["sql"].lstrip().upper().startswith("UPDATE")
    attempt.refresh_from_db()
    assert attempt.answers[1] == [attempt.draw[1][1][2], 5]
    assert [entry for n, entry in enumerate(attempt.answers) if n != 1] == [None] * (
        attempt.question_count - 1
    )


def test_the_prediction_is_saved_with_its_sequence_number(attempt):
    saved = _save(attempt, position=None, shown_choice=None, prediction=1234, seq=7)

    assert saved
    attempt.refresh_from_db()
    assert (attempt.prediction, attempt.prediction_seq) == (1234, 7)


@pytest.mark.parametrize(
    ("first", "second", "stored_seq"),
    [(5, 6, 6), (5, 5, 5), (6, 5, 6)],
    ids=["newer-wins", "same-seq-wins", "older-is-refused"],
)
def test_answers_follow_the_sequence_number(attempt, first, second, stored_seq):
    _save(attempt, seq=first, shown_choice=0)

    saved = _save(attempt, seq=second, shown_choice=1)

    assert saved == (second >= first)
    attempt.refresh_from_db()
    assert attempt.answers[1][1] == stored_seq


def test_an_older_prediction_is_refused_and_changes_nothing(attempt):
    _save(attempt, position=None, shown_choice=None, prediction=10, seq=9)

    saved = _save(attempt, position=None, shown_choice=None, prediction=99, seq=8)

    assert not saved
    attempt.refresh_from_db()
    assert (attempt.prediction, attempt.prediction_seq) == (10, 9)


def test_a_newer_prediction_beside_a_stale_answer_is_still_stored(attempt):
    _save(attempt, seq=9, shown_choice=0)

    saved = _save(attempt, seq=8, shown_choice=1, prediction=42)

    assert saved
    attempt.refresh_from_db()
    assert attempt.answers[1] == [attempt.draw[1][1][0], 9]
    assert (attempt.prediction, attempt.prediction_seq) == (42, 8)


@pytest.mark.parametrize(
    "overrides",
    [
        {"position": 5},  # the round draws 5 questions: positions 0..4
        {"position": -1},
        {"shown_choice": 4},  # four choices shown: 0..3
        {"shown_choice": -1},
        {"shown_choice": None},
        {"position": None, "shown_choice": None},  # nothing to save
        {"credential": "0" * 32},  # the session's password is not the user's
        {"public_id": "someone-elses"},
    ],
    ids=[
        "question-not-drawn",
        "negative-position",
        "choice-not-shown",
        "negative-choice",
        "no-choice",
        "nothing",
        "old-credential",
        "unknown-attempt",
    ],
)
def test_what_the_rules_refuse_changes_nothing(attempt, overrides):
    saved = _save(attempt, **overrides)

    assert not saved
    attempt.refresh_from_db()
    assert attempt.answers == [None] * attempt.question_count


def test_another_users_attempt_is_not_saved(attempt):
    other = UserFactory()

    saved = services.attempt_save_direct(
        public_id=attempt.public_id,
        user_id=other.pk,
        credential=user_credential(other.password),
        seq=1,
        position=0,
        shown_choice=0,
    )

    assert not saved
    attempt.refresh_from_db()
    assert attempt.answers[0] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("is_active", False), ("must_change_password", True)],
    ids=["inactive-user", "must-change-password"],
)
def test_a_user_who_may_not_act_saves_nothing(attempt, field, value):
    User.objects.filter(pk=attempt.user_id).update(**{field: value})

    saved = _save(attempt)

    assert not saved


@pytest.mark.parametrize(
    "status", [Attempt.Status.FINISHED, Attempt.Status.VOIDED], ids=str
)
def test_a_closed_attempt_is_not_saved(attempt, status):
    Attempt.objects.filter(pk=attempt.pk).update(
        status=status, submitted_at=timezone.now(), duration_ms=1, correct_count=0
    )

    saved = _save(attempt)

    assert not saved


@pytest.mark.parametrize(
    ("past_grace", "saved"),
    [(timedelta(0), True), (timedelta(microseconds=1), False)],
    ids=["at-deadline-plus-grace", "one-microsecond-later"],
)
def test_the_deadline_and_grace_are_exact_to_the_microsecond(
    attempt, past_grace, saved
):
    deadline = attempt.deadline.replace(microsecond=123456)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    limit = deadline + timedelta(seconds=attempt.round.grace_seconds)

    result = _save(attempt, now=limit + past_grace)

    assert result is saved


def test_a_deadline_on_a_whole_second_is_read_exactly(attempt):
    deadline = attempt.deadline.replace(microsecond=0)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    limit = deadline + timedelta(seconds=attempt.round.grace_seconds)

    assert _save(attempt, now=limit)
    assert not _save(attempt, seq=6, now=limit + timedelta(microseconds=1))
