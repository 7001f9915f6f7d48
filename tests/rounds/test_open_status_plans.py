"""The save, a start, the deep link and the result each read the attempts they want,
not every open attempt or every attempt of the round, even when PostgreSQL's
statistics say none is open or the round has none.

That is the state of the statistics whenever the table was last analysed outside a
rush (most of the week): "open" is missing from them, so PostgreSQL takes
`status = 'open'` for a one-row filter. Before, it then found a save's attempt by
scanning the open attempts through attempt_open_deadline and filtering them by
public id: at a deadline, thousands of rows read for each click (measured on the
bench's data with 5,000 attempts open: 2,817 rows and 977 buffers for one save,
against 1 row and 4 buffers by the public id). Rows read are counted by PostgreSQL
itself (pg_stat_xact_user_tables), around the real service calls.

The same holds for the round being played: the statistics were taken before it had
an attempt, so PostgreSQL takes `round_id = <it>` for a one-row filter. Before, a
start's tally and the result's list of one's attempts then led with an index on the
round and read every attempt of the round (on the bench's data, 6,568 rows and
5,138 buffers for one start, against 4 rows and 4 buffers by the person).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.middleware import user_credential
from awards.selectors import attempt_get_own_ranked
from rounds import selectors, services
from rounds.attempt_reads import attempts_of_user_in_round
from rounds.models import Attempt
from tests.factories import RoundFactory, UserFactory, make_bank

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's planner and its statistics are what is tested",
    ),
]

PEOPLE = 400
OPEN = 300
NEW_ROUND_ATTEMPTS = 300


def _rows_read() -> int:
    """Rows of the attempts table this transaction has read so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) "
            "FROM pg_stat_xact_user_tables WHERE relid = %s::regclass",
            [Attempt._meta.db_table],
        )
        return cursor.fetchone()[0]


def _finished(person, round_, now) -> Attempt:
    return Attempt(
        user=person,
        round=round_,
        number=1,
        status=Attempt.Status.FINISHED,
        started_at=now - timedelta(minutes=5),
        deadline=now + timedelta(minutes=5),
        submitted_at=now,
        duration_ms=60_000,
        correct_count=0,
        question_count=4,
        draw=[[n, [0, 1, 2, 3]] for n in range(4)],
        answers=[None] * 4,
    )


@pytest.fixture
def rush():
    """A round whose statistics were taken with no attempt open, then many opened."""
    round_ = RoundFactory(question_count=4)
    people = UserFactory.create_batch(PEOPLE)
    now = timezone.now()
    Attempt.objects.bulk_create(_finished(person, round_, now) for person in people)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Attempt._meta.db_table}")
    Attempt.objects.filter(user__in=people[:OPEN]).update(
        status=Attempt.Status.OPEN, submitted_at=None
    )
    return round_, people[OPEN // 2]


def test_a_save_reads_its_own_attempt_only(rush):
    round_, person = rush
    attempt = Attempt.objects.get(user=person, round=round_)
    before = _rows_read()

    saved = services.attempt_save_direct(
        public_id=attempt.public_id,
        user_id=person.pk,
        credential=user_credential(person.password),
        seq=1,
        position=2,
        shown_choice=1,
    )

    assert saved
    assert _rows_read() - before == 1
    attempt.refresh_from_db()
    assert attempt.answers[2] == [1, 1]


def test_a_save_on_a_finished_attempt_is_still_refused(rush):
    round_, _person = rush
    finished = Attempt.objects.filter(
        round=round_, status=Attempt.Status.FINISHED
    ).first()

    saved = services.attempt_save_direct(
        public_id=finished.public_id,
        user_id=finished.user_id,
        credential=user_credential(finished.user.password),
        seq=1,
        position=0,
        shown_choice=0,
    )

    assert not saved
    finished.refresh_from_db()
    assert finished.answers == [None] * 4


def test_a_resumed_start_reads_the_persons_attempts_only(rush):
    round_, person = rush
    before = _rows_read()

    result = services.attempt_start(user=person, round_=round_)

    assert result.resumed
    assert result.attempt.user_id == person.pk
    # The tally of the person's attempts in the round, then the open one by its key.
    assert _rows_read() - before <= 2


def test_the_deep_link_finds_the_open_attempt_by_person_and_round(rush):
    round_, person = rush
    before = _rows_read()

    found = selectors.attempt_open_in_round(user=person, round_=round_)

    assert found.user_id == person.pk
    assert found.status == Attempt.Status.OPEN
    assert _rows_read() - before == 1
    finished = UserFactory()
    assert selectors.attempt_open_in_round(user=finished, round_=round_) is None


@pytest.fixture
def new_round():
    """Statistics taken while only last week's round had attempts; then this week's
    round gets hundreds. Returns it and a person who sat last week only."""
    last_week = RoundFactory(question_count=4)
    round_ = RoundFactory(question_count=4)
    round_.contest.topics.set(make_bank(topics=1, per_topic=8))
    people = UserFactory.create_batch(PEOPLE)
    now = timezone.now()
    Attempt.objects.bulk_create(_finished(person, last_week, now) for person in people)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Attempt._meta.db_table}")
    Attempt.objects.bulk_create(
        _finished(person, round_, now) for person in people[:NEW_ROUND_ATTEMPTS]
    )
    return round_, people[-1]


def test_a_first_start_in_this_weeks_round_reads_the_persons_attempts_only(
    new_round,
):
    round_, person = new_round
    before = _rows_read()

    result = services.attempt_start(user=person, round_=round_)

    assert not result.resumed
    assert result.attempt.number == 1
    # The tally reads the person's one attempt of last week, not this week's 300.
    assert _rows_read() - before <= 2


def test_the_result_lists_the_persons_attempts_in_the_round_only(new_round):
    round_, person = new_round
    services.attempt_start(user=person, round_=round_)
    services.attempt_start(user=person, round_=round_)  # resumed: still one
    before = _rows_read()

    attempts = attempts_of_user_in_round(user_id=person.pk, round_=round_)

    assert [a.number for a in attempts] == [1]
    assert _rows_read() - before <= 2


def test_the_result_page_reads_the_persons_attempts_only_with_its_own(new_round):
    round_, person = new_round
    attempt = services.attempt_start(user=person, round_=round_).attempt
    before = _rows_read()

    read = attempt_get_own_ranked(public_id=attempt.public_id, user_id=person.pk)

    assert read is not None
    assert [a.pk for a in read[2]] == [attempt.pk]
    # The person's two attempts (last week's and this one) read at most twice: for
    # the attempt itself and for the list of theirs. Not the round's 300.
    assert _rows_read() - before <= 4


def test_the_one_statement_start_counts_the_persons_attempts_only(new_round):
    round_, person = new_round
    before = _rows_read()

    started = services.attempt_start_first(user=person, round_=round_)

    assert started is not None
    assert started.attempt.number == 1
    assert _rows_read() - before <= 2
