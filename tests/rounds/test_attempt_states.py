"""An attempt's status moves only open -> finished and open -> voided."""

from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rounds import services, states
from rounds.models import Attempt, AttemptEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(product(states.STATES, repeat=2))
ALLOWED = {("open", "finished"), ("open", "voided")}


def start(user, round_, now=None) -> Attempt:
    return services.attempt_start(user=user, round_=round_, now=now).attempt


@pytest.fixture
def judge():
    return UserFactory(is_staff=True)


def attempt_in(state: str, user, round_, judge) -> Attempt:
    """A real attempt brought to `state` through the services."""
    attempt = start(user, round_)
    services.attempt_save(attempt=attempt, seq=1, position=0, shown_choice=1)
    if state == "finished":
        services.attempt_submit(attempt=attempt, answers={}, prediction=None)
    elif state == "voided":
        services.attempt_void(attempt=attempt, by=judge, reason="Gian lận")
    return Attempt.objects.get(pk=attempt.pk)


def snapshot(attempt: Attempt) -> tuple[dict, int]:
    row = Attempt.objects.filter(pk=attempt.pk).values().get()
    return row, AttemptEvent.objects.filter(attempt_id=attempt.pk).count()


def move(attempt: Attempt, to: str, judge) -> None:
    """Ask the services for a move to `to`, the way production code does."""
    if to == "voided":
        services.attempt_void(attempt=attempt, by=judge, reason="Gian lận")
    else:
        services.attempt_check_transition(attempt=attempt, to=to)


@pytest.mark.parametrize(
    ("from_state", "to_state"), ALL_PAIRS, ids=[f"{a}-to-{b}" for a, b in ALL_PAIRS]
)
def test_the_state_table_allows_only_open_to_finished_or_voided(from_state, to_state):
    allowed = states.can_transition(from_state, to_state)

    assert allowed == ((from_state, to_state) in ALLOWED)


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [pair for pair in ALL_PAIRS if pair not in ALLOWED],
    ids=[f"{a}-to-{b}" for a, b in ALL_PAIRS if (a, b) not in ALLOWED],
)
def test_every_other_move_is_refused_and_changes_nothing(
    contestant, round_, judge, from_state, to_state
):
    attempt = attempt_in(from_state, contestant, round_, judge)
    before = snapshot(attempt)

    with pytest.raises(ValidationError) as error:
        move(attempt, to_state, judge)

    assert error.value.code == "invalid_transition"
    assert snapshot(attempt) == before


@pytest.mark.parametrize(
    ("state", "code"),
    [
        pytest.param("finished", "attempt_finished", id="finished"),
        pytest.param("voided", "attempt_voided", id="voided"),
    ],
)
def test_a_closed_attempt_takes_no_more_answers(contestant, round_, judge, state, code):
    attempt = attempt_in(state, contestant, round_, judge)
    before = snapshot(attempt)

    with pytest.raises(ValidationError) as error:
        services.attempt_save(attempt=attempt, seq=9, position=1, shown_choice=2)

    assert error.value.code == code
    assert snapshot(attempt) == before


def test_a_voided_attempt_cannot_be_submitted(contestant, round_, judge):
    attempt = attempt_in("voided", contestant, round_, judge)
    before = snapshot(attempt)

    with pytest.raises(ValidationError) as error:
        services.attempt_submit(attempt=attempt, answers={1: 0}, prediction=None)

    assert error.value.code == "attempt_voided"
    assert snapshot(attempt) == before


def test_a_voided_attempt_is_not_finished_by_the_deadline_sweep(
    contestant, round_, judge
):
    attempt = attempt_in("voided", contestant, round_, judge)
    before = snapshot(attempt)
    later = attempt.deadline + timedelta(hours=1)

    finished = services.attempts_finish_expired(now=later)

    assert finished == 0
    assert snapshot(attempt) == before


def test_void_keeps_the_answers_and_records_who_and_why(contestant, round_, judge):
    now = timezone.now()
    attempt = start(contestant, round_, now)
    services.attempt_save(attempt=attempt, seq=1, position=0, shown_choice=1, now=now)
    saved = Attempt.objects.get(pk=attempt.pk).answers

    services.attempt_void(
        attempt=attempt,
        by=judge,
        reason="  Làm bài hộ  ",
        now=now + timedelta(seconds=42),
    )

    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.VOIDED
    assert stored.answers == saved
    assert stored.duration_ms == 42_000
    event = AttemptEvent.objects.get(attempt=stored)
    assert (event.kind, event.actor, event.reason) == ("voided", judge, "Làm bài hộ")
    assert event.at == now + timedelta(seconds=42)


def test_void_without_a_reason_is_refused_and_changes_nothing(
    contestant, round_, judge
):
    attempt = start(contestant, round_)
    before = snapshot(attempt)

    with pytest.raises(ValidationError) as error:
        services.attempt_void(attempt=attempt, by=judge, reason="   ")

    assert error.value.code == "reason_required"
    assert snapshot(attempt) == before


@pytest.mark.parametrize(
    ("finish", "finished_by", "actor_is_contestant"),
    [
        pytest.param("submit", "contestant", True, id="submitted"),
        pytest.param("deadline", "deadline", False, id="deadline-sweep"),
    ],
)
def test_every_finish_leaves_one_event_with_the_result(
    contestant, round_, finish, finished_by, actor_is_contestant
):
    now = timezone.now()
    attempt = start(contestant, round_, now)
    if finish == "submit":
        services.attempt_submit(
            attempt=attempt, answers={}, prediction=None, now=now + timedelta(seconds=1)
        )
    else:
        services.attempts_finish_expired(now=attempt.deadline + timedelta(hours=1))

    stored = Attempt.objects.get(pk=attempt.pk)
    event = AttemptEvent.objects.get(attempt=stored)
    assert event.kind == "finished"
    assert event.actor == (contestant if actor_is_contestant else None)
    assert event.data["finished_by"] == finished_by
    assert event.data["correct_count"] == stored.correct_count
    assert event.data["duration_ms"] == stored.duration_ms


def test_a_finish_is_recorded_at_the_time_it_happens(contestant, round_):
    started = timezone.now() - timedelta(hours=2)
    submitted = start(contestant, round_, now=started)
    swept = start(UserFactory(), round_, now=started)
    submit_at = started + timedelta(minutes=3)
    sweep_at = started + timedelta(hours=1)

    services.attempt_submit(
        attempt=submitted, answers={}, prediction=None, now=submit_at
    )
    services.attempts_finish_expired(now=sweep_at, round_=round_)

    assert AttemptEvent.objects.get(attempt=submitted).at == submit_at
    assert AttemptEvent.objects.get(attempt=swept).at == sweep_at
    assert Attempt.objects.get(pk=swept.pk).submitted_at == swept.deadline
