from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from quizzes.models import Choice, Question, QuestionRevision
from quizzes.services import question_publish
from rounds import services
from rounds.models import Attempt, ContestCommitteeMember, RoundTopicQuota
from tests.factories import RoundFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def correct_shown(attempt: Attempt, position: int) -> int:
    """The shown index of the correct choice, computed the way a cheater cannot."""
    revision_id, permutation = attempt.draw[position]
    key = QuestionRevision.objects.get(pk=revision_id).correct_index
    return permutation.index(key)


def wrong_shown(attempt: Attempt, position: int) -> int:
    return (correct_shown(attempt, position) + 1) % len(attempt.draw[position][1])


def start(user, round_, now=None) -> Attempt:
    return services.attempt_start(user=user, round_=round_, now=now).attempt


# --- start ---------------------------------------------------------------------


def test_start_draws_distinct_questions_and_stores_the_draw(contestant, round_):
    now = timezone.now()

    result = services.attempt_start(user=contestant, round_=round_, now=now)

    attempt = Attempt.objects.get(pk=result.attempt.pk)
    revision_ids = [item[0] for item in attempt.draw]
    assert len(revision_ids) == round_.question_count == len(set(revision_ids))
    assert attempt.answers == [None] * round_.question_count
    assert attempt.status == Attempt.Status.OPEN
    assert attempt.number == 1
    assert attempt.deadline == now + timedelta(seconds=round_.time_limit_seconds)
    assert not result.resumed
    assert not result.shortened


def test_start_keeps_every_choice_of_every_question(contestant, round_):
    attempt = start(contestant, round_)

    for revision_id, permutation in attempt.draw:
        revision = QuestionRevision.objects.get(pk=revision_id)
        assert sorted(permutation) == list(range(len(revision.choice_texts)))


def test_start_honours_topic_quotas(contestant, round_, bank):
    round_.question_count = 6
    round_.save()
    RoundTopicQuota.objects.create(round=round_, topic=bank[0], count=5)

    attempt = start(contestant, round_)

    topics = [QuestionRevision.objects.get(pk=r).topic_id for r, _ in attempt.draw]
    assert topics.count(bank[0].pk) >= 5


@pytest.mark.parametrize(
    ("opens_in", "closes_in", "code"),
    [
        pytest.param(
            timedelta(hours=1), timedelta(days=2), "round_not_open", id="before"
        ),
        pytest.param(
            -timedelta(days=2), -timedelta(seconds=1), "round_closed", id="after"
        ),
    ],
)
def test_start_refused_outside_the_round(contestant, bank, opens_in, closes_in, code):
    now = timezone.now()
    round_ = RoundFactory(opens_at=now + opens_in, closes_at=now + closes_in)
    round_.contest.topics.set(bank)

    with pytest.raises(ValidationError) as error:
        start(contestant, round_, now)

    assert error.value.code == code
    assert not Attempt.objects.exists()


def test_start_resumes_the_open_attempt_instead_of_drawing_again(contestant, round_):
    first = start(contestant, round_)

    again = services.attempt_start(user=contestant, round_=round_)

    assert again.resumed
    assert again.attempt.pk == first.pk
    assert Attempt.objects.count() == 1


def test_start_refused_past_the_attempt_limit(contestant, round_):
    round_.max_attempts = 1
    round_.save()
    attempt = start(contestant, round_)
    services.attempt_submit(attempt=attempt, answers={}, prediction=None)

    with pytest.raises(ValidationError) as error:
        start(contestant, round_)

    assert error.value.code == "attempt_limit"
    assert "1 lượt" in error.value.messages[0]
    assert Attempt.objects.count() == 1


def test_deadline_is_the_round_close_when_that_comes_first(contestant, round_):
    now = round_.closes_at - timedelta(seconds=120)

    result = services.attempt_start(user=contestant, round_=round_, now=now)

    assert result.attempt.deadline == round_.closes_at
    assert result.shortened


def test_start_refused_when_the_bank_is_too_small(contestant, round_):
    round_.question_count = 500
    round_.save()

    with pytest.raises(ValidationError) as error:
        start(contestant, round_)

    assert error.value.code == "bank_too_small"
    assert not Attempt.objects.exists()


# --- eligibility at start --------------------------------------------------------


def test_start_refused_under_the_minimum_age_on_the_day(round_):
    today = timezone.localdate()
    round_.contest.min_age = 14
    round_.contest.save()
    user = UserFactory(
        date_of_birth=date(today.year - 14, today.month, today.day) + timedelta(days=1)
    )

    with pytest.raises(ValidationError) as error:
        start(user, round_)

    assert error.value.code == "under_age"
    assert "14 tuổi" in error.value.messages[0]
    assert not Attempt.objects.exists()


def test_start_allowed_on_the_birthday_that_reaches_the_minimum_age(round_):
    today = timezone.localdate()
    round_.contest.min_age = 14
    round_.contest.save()
    born = (
        today.replace(year=today.year - 14)
        if (today.month, today.day) != (2, 29)
        else date(today.year - 14, 3, 1)
    )
    user = UserFactory(date_of_birth=born)

    attempt = start(user, round_)

    assert not attempt.is_practice


def committee_member(contest, role: str = ContestCommitteeMember.Role.JUDGE):
    user = UserFactory()
    ContestCommitteeMember.objects.create(contest=contest, user=user, role=role)
    return user


@pytest.mark.parametrize(
    ("role", "code"),
    [
        pytest.param("", "staff", id="staff"),
        pytest.param(
            ContestCommitteeMember.Role.ORGANIZER, "contest_role", id="organizer"
        ),
        pytest.param(ContestCommitteeMember.Role.JUDGE, "contest_role", id="judge"),
        pytest.param(ContestCommitteeMember.Role.AUTHOR, "contest_role", id="author"),
        pytest.param(
            ContestCommitteeMember.Role.SECRETARIAT, "contest_role", id="secretariat"
        ),
    ],
)
def test_excluded_people_are_refused(round_, role, code):
    user = (
        committee_member(round_.contest, role) if role else UserFactory(is_staff=True)
    )

    with pytest.raises(ValidationError) as error:
        start(user, round_)

    assert error.value.code == code
    assert not Attempt.objects.exists()


def test_a_committee_member_of_another_contest_may_take_part(round_):
    user = committee_member(RoundFactory().contest)

    attempt = start(user, round_)

    assert not attempt.is_practice


def test_colleagues_of_a_committee_member_are_refused_when_the_contest_says_so(round_):
    round_.contest.exclude_committee_units = True
    round_.contest.save()
    member = committee_member(round_.contest)
    colleague = UserFactory(unit=member.unit)

    with pytest.raises(ValidationError) as error:
        start(colleague, round_)

    assert error.value.code == "committee_unit"
    assert "Ban Tổ chức" in error.value.messages[0]


@pytest.mark.parametrize(
    ("occupation", "allowed"),
    [("civil_servant", True), ("student", False), ("", False)],
    ids=["civil-servant", "student", "no-occupation"],
)
def test_a_contest_for_civil_servants_only_refuses_the_others(
    round_, occupation, allowed
):
    round_.contest.allowed_occupations = ["civil_servant"]
    round_.contest.save()
    user = UserFactory(occupation=occupation)

    if allowed:
        assert not start(user, round_).is_practice
    else:
        with pytest.raises(ValidationError) as error:
            start(user, round_)
        assert error.value.code == "occupation_not_allowed"
        assert error.value.messages == [
            "Cuộc thi này chỉ dành cho: Cán bộ, công chức, viên chức."
        ]
        assert not Attempt.objects.exists()


def test_users_of_an_excluded_unit_and_its_sub_units_are_refused(round_):
    district = UnitFactory(level="district")
    commune = UnitFactory(parent=district)
    round_.contest.excluded_units.add(district)
    user = UserFactory(unit=commune)

    with pytest.raises(ValidationError) as error:
        start(user, round_)

    assert error.value.code == "excluded_unit"


def test_excluded_users_may_practise_when_the_contest_allows_it(round_):
    round_.contest.allow_excluded_practice = True
    round_.contest.save()
    user = committee_member(round_.contest)

    attempt = start(user, round_)

    assert Attempt.objects.get(pk=attempt.pk).is_practice


def test_practice_never_waives_the_age_rule(round_):
    round_.contest.allow_excluded_practice = True
    round_.contest.min_age = 18
    round_.contest.save()
    user = UserFactory(
        is_staff=True, date_of_birth=timezone.localdate() - timedelta(days=365 * 10)
    )

    with pytest.raises(ValidationError) as error:
        start(user, round_)

    assert error.value.code == "under_age"


def test_start_refused_without_citizen_id_when_the_contest_requires_it(
    round_, contestant
):
    round_.contest.require_citizen_id = True
    round_.contest.save()

    with pytest.raises(ValidationError) as error:
        start(contestant, round_)

    assert error.value.code == "missing_citizen_id"


# --- save --------------------------------------------------------------------------


def test_save_stores_the_original_choice_of_the_shown_position(contestant, round_):
    attempt = start(contestant, round_)
    shown = 2

    services.attempt_save(attempt=attempt, seq=1, position=0, shown_choice=shown)

    attempt.refresh_from_db()
    assert attempt.answers[0] == [attempt.draw[0][1][shown], 1]


def test_an_older_save_never_overwrites_a_newer_one(contestant, round_):
    attempt = start(contestant, round_)
    services.attempt_save(attempt=attempt, seq=5, position=1, shown_choice=3)

    with pytest.raises(ValidationError) as stale:
        services.attempt_save(attempt=attempt, seq=4, position=1, shown_choice=0)

    assert stale.value.code == "stale_save"
    attempt.refresh_from_db()
    assert attempt.answers[1] == [attempt.draw[1][1][3], 5]


def test_an_older_prediction_never_overwrites_a_newer_one(contestant, round_):
    attempt = start(contestant, round_)
    services.attempt_save(attempt=attempt, seq=30, prediction=500)

    with pytest.raises(ValidationError) as stale:
        services.attempt_save(attempt=attempt, seq=25, prediction=100)
    services.attempt_save(attempt=attempt, seq=30, prediction=500)  # a resend

    assert stale.value.code == "stale_save"
    attempt.refresh_from_db()
    assert (attempt.prediction, attempt.prediction_seq) == (500, 30)


def test_a_newer_prediction_replaces_an_older_one(contestant, round_):
    attempt = start(contestant, round_)
    services.attempt_save(attempt=attempt, seq=3, prediction=100)

    services.attempt_save(attempt=attempt, seq=7, prediction=120)

    attempt.refresh_from_db()
    assert (attempt.prediction, attempt.prediction_seq) == (120, 7)


@pytest.mark.parametrize(
    ("position", "shown"),
    [
        pytest.param(0, 4, id="choice-beyond-the-question"),
        pytest.param(0, 99, id="made-up-choice"),
        pytest.param(5, 0, id="question-not-drawn"),
    ],
)
def test_a_forged_save_changes_nothing(contestant, round_, position, shown):
    attempt = start(contestant, round_)
    services.attempt_save(attempt=attempt, seq=1, position=0, shown_choice=1)
    before = Attempt.objects.get(pk=attempt.pk).answers

    with pytest.raises(ValidationError) as error:
        services.attempt_save(
            attempt=attempt, seq=2, position=position, shown_choice=shown
        )

    assert error.value.code in {"invalid_choice", "invalid_question"}
    assert Attempt.objects.get(pk=attempt.pk).answers == before


def test_save_after_submit_is_refused(contestant, round_):
    attempt = start(contestant, round_)
    services.attempt_submit(attempt=attempt, answers={}, prediction=None)

    with pytest.raises(ValidationError) as error:
        services.attempt_save(attempt=attempt, seq=1, position=0, shown_choice=0)

    assert error.value.code == "attempt_finished"


def test_save_after_deadline_and_grace_finishes_the_attempt(contestant, round_):
    now = timezone.now()
    attempt = start(contestant, round_, now)
    services.attempt_save(
        attempt=attempt,
        seq=1,
        position=0,
        shown_choice=correct_shown(attempt, 0),
        now=now,
    )
    late = attempt.deadline + timedelta(seconds=round_.grace_seconds + 1)

    with pytest.raises(services.AttemptExpiredError):
        services.attempt_save(
            attempt=attempt,
            seq=2,
            position=1,
            shown_choice=correct_shown(attempt, 1),
            now=late,
        )

    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED
    assert attempt.correct_count == 1
    assert attempt.answers[1] is None


# --- submit ------------------------------------------------------------------------


def test_submit_scores_from_the_stored_draw_and_server_time(contestant, round_):
    now = timezone.now()
    attempt = start(contestant, round_, now)
    answers = {
        0: correct_shown(attempt, 0),
        1: correct_shown(attempt, 1),
        2: wrong_shown(attempt, 2),
    }
    receipt = now + timedelta(minutes=3, milliseconds=456)

    result = services.attempt_submit(
        attempt=attempt, answers=answers, prediction=None, now=receipt
    )

    stored = Attempt.objects.get(pk=result.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.correct_count == 2
    assert stored.question_count == 5
    assert stored.duration_ms == 180_456
    assert stored.submitted_at == receipt
    assert stored.finished_by == Attempt.FinishedBy.CONTESTANT


def test_submit_keeps_answers_saved_earlier_that_the_form_does_not_repeat(
    contestant, round_
):
    attempt = start(contestant, round_)
    services.attempt_save(
        attempt=attempt, seq=1, position=4, shown_choice=correct_shown(attempt, 4)
    )

    result = services.attempt_submit(
        attempt=attempt, answers={0: correct_shown(attempt, 0)}, prediction=None
    )

    assert result.correct_count == 2


def test_a_repeated_submit_returns_the_first_result_unchanged(contestant, round_):
    now = timezone.now()
    attempt = start(contestant, round_, now)
    first = services.attempt_submit(
        attempt=attempt,
        answers={0: correct_shown(attempt, 0)},
        prediction=None,
        now=now + timedelta(seconds=30),
    )

    again = services.attempt_submit(
        attempt=attempt,
        answers={i: correct_shown(attempt, i) for i in range(5)},
        prediction=None,
        now=now + timedelta(seconds=60),
    )

    stored = Attempt.objects.get(pk=attempt.pk)
    assert again.correct_count == first.correct_count == stored.correct_count == 1
    assert stored.duration_ms == 30_000


def test_a_forged_submit_changes_nothing(contestant, round_):
    attempt = start(contestant, round_)

    with pytest.raises(ValidationError) as error:
        services.attempt_submit(attempt=attempt, answers={0: 0, 1: 17}, prediction=None)

    assert error.value.code == "invalid_choice"
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert stored.answers == [None] * 5


def test_submit_within_the_grace_is_accepted_with_its_real_duration(contestant, round_):
    now = timezone.now()
    attempt = start(contestant, round_, now)
    receipt = attempt.deadline + timedelta(seconds=round_.grace_seconds - 1)

    result = services.attempt_submit(
        attempt=attempt,
        answers={0: correct_shown(attempt, 0)},
        prediction=None,
        now=receipt,
    )

    assert result.finished_by == Attempt.FinishedBy.CONTESTANT
    assert result.correct_count == 1
    assert (
        result.duration_ms
        == (round_.time_limit_seconds + round_.grace_seconds - 1) * 1000
    )


def test_a_late_submit_is_scored_from_answers_saved_before_the_deadline(
    contestant, round_
):
    now = timezone.now()
    attempt = start(contestant, round_, now)
    services.attempt_save(
        attempt=attempt,
        seq=1,
        position=0,
        shown_choice=correct_shown(attempt, 0),
        now=now,
    )
    late = attempt.deadline + timedelta(seconds=round_.grace_seconds + 5)

    result = services.attempt_submit(
        attempt=attempt,
        answers={i: correct_shown(attempt, i) for i in range(5)},
        prediction=None,
        now=late,
    )

    stored = Attempt.objects.get(pk=result.pk)
    assert stored.correct_count == 1
    assert stored.finished_by == Attempt.FinishedBy.DEADLINE
    assert stored.submitted_at == attempt.deadline
    assert stored.duration_ms == round_.time_limit_seconds * 1000


def test_the_prediction_is_required_when_the_round_has_one(contestant, round_):
    round_.prediction_question = "Bao nhiêu người trả lời đúng tất cả?"
    round_.save()
    attempt = start(contestant, round_)

    with pytest.raises(ValidationError) as error:
        services.attempt_submit(attempt=attempt, answers={}, prediction=None)

    assert error.value.code == "prediction_required"
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.OPEN


def test_the_prediction_saved_by_the_page_counts_at_submit(contestant, round_):
    round_.prediction_question = "Bao nhiêu người trả lời đúng tất cả?"
    round_.save()
    attempt = start(contestant, round_)
    services.attempt_save(attempt=attempt, seq=1, prediction=1250)

    result = services.attempt_submit(attempt=attempt, answers={}, prediction=None)

    assert Attempt.objects.get(pk=result.pk).prediction == 1250


# --- expiry and edits -------------------------------------------------------------------


def test_the_command_finishes_expired_open_attempts_only(round_):
    now = timezone.now()
    old = start(
        UserFactory(), round_, now - timedelta(seconds=round_.time_limit_seconds + 60)
    )
    fresh = start(UserFactory(), round_, now)

    call_command("finish_expired_attempts", verbosity=0)

    assert Attempt.objects.get(pk=old.pk).status == Attempt.Status.FINISHED
    assert Attempt.objects.get(pk=old.pk).finished_by == Attempt.FinishedBy.DEADLINE
    assert Attempt.objects.get(pk=fresh.pk).status == Attempt.Status.OPEN


def test_an_expired_attempt_is_finished_when_the_user_starts_again(contestant, round_):
    now = timezone.now()
    old = start(
        contestant, round_, now - timedelta(seconds=round_.time_limit_seconds + 60)
    )

    result = services.attempt_start(user=contestant, round_=round_, now=now)

    assert not result.resumed
    assert result.attempt.number == 2
    assert Attempt.objects.get(pk=old.pk).status == Attempt.Status.FINISHED


def test_editing_a_question_later_does_not_change_an_attempt_already_taken(
    contestant, round_
):
    attempt = start(contestant, round_)
    answers = {i: correct_shown(attempt, i) for i in range(5)}
    question = QuestionRevision.objects.get(pk=attempt.draw[0][0]).question
    # The author moves the correct mark to another choice and deactivates the question.
    choices = list(question.choices.order_by("order"))
    Choice.objects.filter(question=question).update(is_correct=False)
    Choice.objects.filter(
        pk=choices[
            (choices.index(next(c for c in choices if c.is_correct)) + 1) % len(choices)
        ].pk
    ).update(is_correct=True)
    question_publish(question=question)
    Question.objects.filter(pk=question.pk).update(is_active=False)

    result = services.attempt_submit(attempt=attempt, answers=answers, prediction=None)

    assert result.correct_count == 5
    assert question.revisions.count() == 2


def test_the_attempt_page_warns_when_the_round_closes_before_the_time_limit(
    client, contestant, round_
):
    now = round_.closes_at - timedelta(seconds=120)
    attempt = start(contestant, round_, now)
    client.force_login(contestant)

    response = client.get(f"/bai-thi/{attempt.public_id}/")

    assert "ít thời gian hơn thời gian làm bài quy định" in response.content.decode()
