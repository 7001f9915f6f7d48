"""The demo load takes ~10 s, so it runs once for the module and is rolled back after."""

import io
from datetime import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Unit, User
from awards.models import PrizeTier
from quizzes.models import Question, QuestionRevision, Topic
from rounds import scoring, selectors
from rounds.models import Attempt, AttemptEvent, Contest, ContestCommitteeMember, Round

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Runs before the per-test cache reset: a rolled-back test's round ids come back.
    selectors.revisions_forget()
    selectors.draw_pools_forget()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        yield Contest.objects.get()
        transaction.set_rollback(True)
    selectors.revisions_forget()
    selectors.draw_pools_forget()


def finished_attempts() -> list[Attempt]:
    return list(Attempt.objects.filter(status=Attempt.Status.FINISHED).order_by("pk"))


def chosen(attempt: Attempt) -> list[int | None]:
    return [entry[0] if entry else None for entry in attempt.answers]


def counts() -> dict[str, int]:
    models = [Contest, Round, PrizeTier, Topic, Question, QuestionRevision, Unit]
    models += [User, Attempt, AttemptEvent]
    return {model.__name__: model.objects.count() for model in models}


def test_the_contest_has_one_closed_one_open_and_one_upcoming_round(demo):
    now = timezone.now()

    statuses = [selectors.round_status(round_=r, now=now) for r in demo.rounds.all()]

    assert sorted(statuses) == ["closed", "open", "upcoming"]


def test_the_bank_has_active_published_questions_over_nine_topics(demo):
    active = Question.objects.filter(is_active=True)

    assert active.count() >= 150
    assert active.filter(current_revision__isnull=True).count() == 0
    assert active.values("topic").distinct().count() == 9
    assert set(demo.topics.values_list("pk", flat=True)) == set(
        Topic.objects.values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    "level",
    [
        pytest.param(Unit.Level.PROVINCE, id="province"),
        pytest.param(Unit.Level.DISTRICT, id="district"),
        pytest.param(Unit.Level.COMMUNE, id="commune"),
        pytest.param(Unit.Level.PROVINCIAL_DEPARTMENT, id="provincial-department"),
    ],
)
def test_units_of_every_level_have_staff_and_a_stored_path(demo, level):
    units = list(Unit.objects.filter(level=level))

    assert units
    assert all(unit.headcount > 0 for unit in units)
    assert all(unit.path.endswith(f"/{unit.pk}/") for unit in units)
    assert all(unit.path.startswith(unit.parent.path) for unit in units if unit.parent)


def test_the_organizer_can_log_in(demo):
    user = authenticate(username="0900000001", password="BanToChuc@2024")

    assert user is not None
    assert user.is_superuser
    assert ContestCommitteeMember.objects.filter(
        user=user, role=ContestCommitteeMember.Role.ORGANIZER
    ).exists()


def test_hundreds_of_contestants_are_loaded(demo):
    contestants = User.objects.filter(is_staff=False, is_superuser=False)

    assert contestants.count() >= 300


def test_every_demo_attempt_is_finished(demo):
    statuses = set(Attempt.objects.values_list("status", flat=True))

    assert statuses == {Attempt.Status.FINISHED}


def test_every_finished_attempt_has_the_fingerprint_of_its_answers(demo):
    attempts = finished_attempts()

    expected = [
        scoring.answers_fingerprint(
            revision_ids=[revision_id for revision_id, _ in attempt.draw],
            chosen=chosen(attempt),
        )
        for attempt in attempts
    ]

    assert attempts
    assert all(expected)
    assert [a.answers_fingerprint for a in attempts] == expected


def test_every_finished_attempt_has_exactly_one_finish_event(demo):
    tally = Attempt.objects.filter(status=Attempt.Status.FINISHED).annotate(
        finishes=Count("events", filter=Q(events__kind=AttemptEvent.Kind.FINISHED))
    )

    finishes = set(tally.values_list("finishes", flat=True))

    assert finishes == {1}
    assert AttemptEvent.objects.count() == tally.count()


def test_the_finish_event_records_the_stored_result(demo):
    events = list(
        AttemptEvent.objects.filter(kind=AttemptEvent.Kind.FINISHED).select_related(
            "attempt"
        )
    )

    recorded = [
        (
            e.data["finished_by"],
            datetime.fromisoformat(e.data["submitted_at"]),
            e.data["duration_ms"],
            e.data["correct_count"],
        )
        for e in events
    ]

    assert events
    assert recorded == [
        (
            e.attempt.finished_by,
            e.attempt.submitted_at,
            e.attempt.duration_ms,
            e.attempt.correct_count,
        )
        for e in events
    ]


@pytest.mark.parametrize(
    ("finished_by", "actor_is_the_contestant"),
    [
        pytest.param(Attempt.FinishedBy.CONTESTANT, True, id="submitted"),
        pytest.param(Attempt.FinishedBy.DEADLINE, False, id="deadline"),
    ],
)
def test_both_finish_paths_are_taken_and_traced(
    demo, finished_by, actor_is_the_contestant
):
    events = AttemptEvent.objects.filter(attempt__finished_by=finished_by).values_list(
        "actor_id", "attempt__user_id"
    )

    actors_are_contestants = {actor == user for actor, user in events}

    assert len(events) >= 20
    assert actors_are_contestants == {actor_is_the_contestant}


def test_stored_scores_of_every_round_match_a_rescoring(demo):
    attempts = finished_attempts()
    keys = dict(QuestionRevision.objects.values_list("pk", "correct_index"))

    rescored = [
        scoring.score(
            correct_indexes=[keys[revision_id] for revision_id, _ in attempt.draw],
            answers=chosen(attempt),
        ).correct
        for attempt in attempts
    ]

    assert [a.correct_count for a in attempts] == rescored


def test_durations_match_the_stored_start_and_submit_times(demo):
    attempts = finished_attempts()

    expected = [
        scoring.duration_ms(started_at=a.started_at, finished_at=a.submitted_at)
        for a in attempts
    ]

    assert [a.duration_ms for a in attempts] == expected
    assert all(a.submitted_at <= a.deadline for a in attempts)
    assert all(a.submitted_at < timezone.now() for a in attempts)


def test_loading_again_creates_nothing(demo):
    before = counts()

    call_command("seed_demo", verbosity=0, stdout=io.StringIO())

    assert counts() == before
