"""contest_portal.rows: a RowReader gives the same instances, field for field, as
the ORM's queryset on the same rows (JSON decoded, booleans, datetimes with their
zone, NULLs), on SQLite and on PostgreSQL alike."""

from datetime import timedelta

import pytest

from accounts.models import User
from accounts.selectors import user_with_unit
from contest_portal.rows import RowWriter
from rounds import attempt_reads, services
from rounds.models import Attempt, AttemptEvent, Contest, Round
from tests.factories import RoundFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }


@pytest.fixture
def finished(round_, contestant) -> Attempt:
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    services.attempt_save(attempt=attempt, seq=1, position=0, shown_choice=1)
    return services.attempt_submit(attempt=attempt, answers={}, prediction=None)


def test_the_attempt_with_round_contest_and_user_matches_the_orm(finished):
    read = attempt_reads.attempt_get_own(
        public_id=finished.public_id, user_id=finished.user_id
    )
    orm = Attempt.objects.select_related("round__contest", "user").get(pk=finished.pk)

    assert _fields(read) == _fields(orm)
    assert read.answers[0] is not None  # JSON decoded
    assert read.draw == orm.draw
    assert read.submitted_at.tzinfo is not None
    assert _fields(read.round) == _fields(orm.round)
    assert _fields(read.round.contest) == _fields(orm.round.contest)
    assert _fields(read.user) == _fields(orm.user)
    assert read._state.adding is False
    assert read._state.db == "default"


def test_not_the_users_attempt_reads_nothing(finished):
    other = UserFactory()

    assert (
        attempt_reads.attempt_get_own(public_id=finished.public_id, user_id=other.pk)
        is None
    )


def test_the_attempts_in_a_round_leave_draw_and_answers_unread(finished, round_):
    second = services.attempt_start(user=finished.user, round_=round_).attempt
    read = attempt_reads.attempts_of_user_in_round(
        user_id=finished.user_id, round_=round_
    )
    orm = list(
        Attempt.objects.filter(user_id=finished.user_id, round=round_).defer(
            "draw", "answers"
        )
    )

    assert [a.pk for a in read] == [a.pk for a in orm] == [second.pk, finished.pk]
    assert read[0].get_deferred_fields() == {"draw", "answers"}
    assert [
        {k: v for k, v in _fields(a).items() if k not in {"draw", "answers"}}
        for a in read
    ] == [
        {k: v for k, v in _fields(a).items() if k not in {"draw", "answers"}}
        for a in orm
    ]


def test_a_published_round_with_its_contest(round_):
    read = attempt_reads.round_get_published(round_.pk)

    assert _fields(read) == _fields(Round.objects.get(pk=round_.pk))
    assert _fields(read.contest) == _fields(Contest.objects.get(pk=round_.contest_id))
    Contest.objects.filter(pk=round_.contest_id).update(is_published=False)
    assert attempt_reads.round_get_published(round_.pk) is None


@pytest.mark.parametrize("with_unit", [True, False])
def test_the_user_with_or_without_a_unit(with_unit):
    user = UserFactory(unit=UnitFactory() if with_unit else None)
    read = user_with_unit(user.pk)
    orm = User.objects.select_related("unit").get(pk=user.pk)

    assert _fields(read) == _fields(orm)
    if with_unit:
        assert _fields(read.unit) == _fields(orm.unit)
    else:
        assert read.unit is None
    assert user_with_unit(user.pk + 1000) is None


def test_a_row_writer_update_is_read_back_by_the_orm_as_written(round_, contestant):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    attempt.answers = [[2, 7], None, [0, 3], None, None]
    attempt.prediction = 1234
    attempt.submitted_at = attempt.started_at + timedelta(seconds=95, microseconds=5)
    attempt.status = Attempt.Status.FINISHED
    attempt.duration_ms = 95000
    attempt.correct_count = 1
    attempt.finished_by = Attempt.FinishedBy.CONTESTANT

    RowWriter(Attempt).update(
        attempt,
        [
            "answers",
            "prediction",
            "submitted_at",
            "status",
            "duration_ms",
            "correct_count",
            "finished_by",
        ],
    )

    stored = Attempt.objects.get(pk=attempt.pk)
    assert _fields(stored) == _fields(attempt)


def test_a_row_writer_insert_gives_the_row_its_id(round_, contestant):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    event = AttemptEvent(
        attempt=attempt,
        kind=AttemptEvent.Kind.FINISHED,
        at=attempt.started_at,
        actor_id=contestant.pk,
        reason="",
        data={"answered": 3, "finished_by": "contestant"},
    )

    RowWriter(AttemptEvent).insert(event)

    assert event.pk is not None
    assert event._state.adding is False
    assert _fields(AttemptEvent.objects.get(pk=event.pk)) == _fields(event)


def test_a_contest_shown_with_its_rounds_and_tiers_in_their_order(round_):
    from awards.models import PrizeTier
    from rounds.contest_reads import contest_shown_get

    contest = round_.contest
    earlier = RoundFactory(
        contest=contest,
        opens_at=round_.opens_at - timedelta(days=14),
        closes_at=round_.opens_at - timedelta(days=7),
    )
    for order, name in [(2, "Giải Nhì"), (1, "Giải Nhất")]:
        PrizeTier.objects.create(
            contest=contest,
            kind=PrizeTier.Kind.INDIVIDUAL,
            name=name,
            count=1,
            amount_vnd=1_000_000,
            order=order,
        )

    shown = contest_shown_get(slug=contest.slug)

    assert _fields(shown.contest) == _fields(Contest.objects.get(pk=contest.pk))
    assert [r.pk for r in shown.rounds] == [earlier.pk, round_.pk]
    assert (
        [t.name for t in shown.tiers]
        == [t.name for t in PrizeTier.objects.filter(contest=contest)]
        == ["Giải Nhất", "Giải Nhì"]
    )
    Contest.objects.filter(pk=contest.pk).update(is_published=False)
    assert contest_shown_get(slug=contest.slug) is None
