"""The demo load takes ~5 s, so it runs once for the module and is rolled back after."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User
from awards.models import PrizeTier
from quizzes.models import Question, QuestionRevision, Topic
from rounds import scoring, selectors
from rounds.models import Attempt, Contest, Round

pytestmark = pytest.mark.django_db

RESCORED_SAMPLE = 50


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        yield Contest.objects.get()
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    models = [Contest, Round, PrizeTier, Topic, Question, QuestionRevision, Unit]
    models += [User, Attempt]
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
    assert user.contest_role == User.ContestRole.ORGANIZER


def test_hundreds_of_contestants_are_loaded(demo):
    contestants = User.objects.filter(is_staff=False, is_superuser=False)

    assert contestants.count() >= 300


def test_stored_scores_of_the_closed_round_match_a_rescoring(demo):
    closed = demo.rounds.filter(closes_at__lte=timezone.now()).get()
    attempts = list(closed.attempts.order_by("pk")[:RESCORED_SAMPLE])
    keys = dict(QuestionRevision.objects.values_list("pk", "correct_index"))

    rescored = [
        scoring.score(
            correct_indexes=[keys[revision_id] for revision_id, _ in attempt.draw],
            answers=[entry[0] if entry else None for entry in attempt.answers],
        ).correct
        for attempt in attempts
    ]

    assert len(attempts) == RESCORED_SAMPLE
    assert all(a.status == Attempt.Status.FINISHED for a in attempts)
    assert [a.correct_count for a in attempts] == rescored


def test_loading_again_creates_nothing(demo):
    before = counts()

    call_command("seed_demo", verbosity=0, stdout=io.StringIO())

    assert counts() == before
