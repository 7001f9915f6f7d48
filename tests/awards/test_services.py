import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from awards import collective, services
from awards.models import (
    AuditEntry,
    ContestantGroup,
    Disqualification,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
    UnitGroup,
    UnitResult,
    UnitResultRow,
)
from quizzes.models import QuestionRevision
from quizzes.services import question_publish
from rounds import services as round_services
from rounds.models import (
    Attempt,
    ContestCommitteeMember,
    Round,
    RoundQualifier,
    RoundVoidedQuestion,
)
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(day: int, hour: int = 10, minute: int = 0, month: int = 9) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=VN)


# Plan 000: from 07:30 on 09/9/2024 to 23:50 on 29/9/2024, Vietnam time.
OPENS = vn(9, 7, 30)
CLOSES = vn(29, 23, 50)
AFTER_CLOSE = vn(30, 8)


# --- helpers -----------------------------------------------------------------------


@pytest.fixture
def judge() -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def closed_round(bank) -> Round:
    """A round of September 2024, long closed, drawing 5 questions, no prediction."""
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES)
    round_.contest.topics.set(bank)
    return round_


@pytest.fixture
def revisions(bank) -> list[QuestionRevision]:
    return list(QuestionRevision.objects.order_by("pk")[:6])


def finished(
    user: User,
    round_: Round,
    revisions: Sequence[QuestionRevision],
    *,
    correct: int,
    at: datetime | None = None,
    duration_ms: int = 60_000,
    prediction: int | None = None,
    is_practice: bool = False,
) -> Attempt:
    """A finished attempt whose stored answers score `correct`: the first ones right."""
    return make_finished_attempt(
        user,
        round_,
        revisions[:5],
        correct=correct,
        at=at or vn(10),
        duration_ms=duration_ms,
        prediction=prediction,
        is_practice=is_practice,
    )


def correct_shown(attempt: Attempt, position: int) -> int:
    revision_id, permutation = attempt.draw[position]
    return permutation.index(QuestionRevision.objects.get(pk=revision_id).correct_index)


def wrong_shown(attempt: Attempt, position: int) -> int:
    return (correct_shown(attempt, position) + 1) % len(attempt.draw[position][1])


def take(
    user: User,
    round_: Round,
    *,
    correct: int,
    started: datetime,
    seconds: int,
    prediction: int | None = None,
) -> Attempt:
    """A real attempt through the round services, `correct` answers right."""
    attempt = round_services.attempt_start(
        user=user, round_=round_, now=started
    ).attempt
    answers = {
        position: correct_shown(attempt, position)
        if position < correct
        else wrong_shown(attempt, position)
        for position in range(attempt.question_count)
    }
    return round_services.attempt_submit(
        attempt=attempt,
        answers=answers,
        prediction=prediction,
        now=started + timedelta(seconds=seconds),
    )


def tier(contest, name: str, count: int, order: int, **extra) -> PrizeTier:
    return PrizeTier.objects.create(
        contest=contest,
        kind=extra.pop("kind", PrizeTier.Kind.INDIVIDUAL),
        name=name,
        count=count,
        amount_vnd=extra.pop("amount_vnd", 1_000_000 * (4 - order)),
        order=order,
        **extra,
    )


def rows_of(round_: Round) -> list[ResultRow]:
    return list(ResultRow.objects.filter(result__round=round_).order_by("rank"))


def compute(round_: Round, actor: User) -> RoundResult:
    return services.result_compute(round_=round_, actor=actor, now=AFTER_CLOSE)


# --- result_compute ----------------------------------------------------------------


def test_compute_refused_while_the_round_is_open(closed_round, revisions, judge):
    finished(UserFactory(), closed_round, revisions, correct=5)

    with pytest.raises(ValidationError) as error:
        services.result_compute(
            round_=closed_round, actor=judge, now=CLOSES - timedelta(seconds=1)
        )

    assert error.value.code == "round_open"
    assert not RoundResult.objects.exists()
    assert not AuditEntry.objects.exists()


def test_compute_ranks_real_attempts_one_row_per_contestant(bank, judge):
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES)
    round_.contest.topics.set(bank)
    slow, fast, weak = UserFactory(), UserFactory(), UserFactory()
    take(slow, round_, correct=5, started=vn(10, 9), seconds=300)
    take(fast, round_, correct=5, started=vn(11, 9), seconds=120)
    take(weak, round_, correct=3, started=vn(12, 9), seconds=60)
    take(weak, round_, correct=4, started=vn(12, 10), seconds=90)
    round_.closes_at = vn(12, 12)
    round_.save()

    result = services.result_compute(round_=round_, actor=judge, now=vn(12, 13))

    result.refresh_from_db()
    assert result.status == RoundResult.Status.PROVISIONAL
    assert result.computed_by == judge
    assert result.checksum == ""
    rows = rows_of(round_)
    assert [(r.rank, r.user_id, r.correct) for r in rows] == [
        (1, fast.pk, 5),
        (2, slow.pk, 5),
        (3, weak.pk, 4),
    ]
    assert [r.attempts_used for r in rows] == [1, 1, 2]
    assert [r.duration_ms for r in rows] == [120_000, 300_000, 90_000]
    assert rows[2].attempt_number == 2
    assert rows[2].submitted_at == vn(12, 10) + timedelta(seconds=90)


def test_compute_rows_carry_every_ranking_key(closed_round, revisions, judge):
    closed_round.prediction_question = "Bao nhiêu người trả lời đúng tất cả?"
    closed_round.save()
    unit = UnitFactory(name="UBND xã Tân Lập")
    user = UserFactory(full_name="Trần Thị Mai", unit=unit)
    attempt = finished(
        user,
        closed_round,
        revisions,
        correct=5,
        at=vn(15, 20, 5),
        duration_ms=123_456,
        prediction=40,
    )

    compute(closed_round, judge)

    row = ResultRow.objects.get(result__round=closed_round)
    assert row.rank == 1
    assert row.rank_in_group == 1
    assert row.attempt_id == attempt.pk
    assert row.full_name == "Trần Thị Mai"
    assert row.unit_id == unit.pk
    assert row.unit_name == "UBND xã Tân Lập"
    assert row.correct == 5
    assert row.question_count == 5
    assert row.prediction == 40
    assert row.prediction_gap == 39  # the truth is the one perfect person
    assert row.duration_ms == 123_456
    assert row.submitted_at == vn(15, 20, 5)
    assert row.attempts_used == 1
    assert row.registered_at == user.date_joined
    assert row.skip_reason == ""


def test_compute_prediction_breaks_a_tie_before_duration(
    closed_round, revisions, judge
):
    closed_round.prediction_question = "Bao nhiêu người dự thi?"
    closed_round.save()
    RankingRules.objects.create(
        contest=closed_round.contest, truth_kind=RankingRules.Truth.PARTICIPANTS
    )
    far_but_fast, close_but_slow = UserFactory(), UserFactory()
    finished(far_but_fast, closed_round, revisions, correct=5, prediction=90)
    finished(
        close_but_slow,
        closed_round,
        revisions,
        correct=5,
        prediction=3,
        duration_ms=500_000,
    )

    compute(closed_round, judge)

    assert [(r.user_id, r.prediction_gap) for r in rows_of(closed_round)] == [
        (close_but_slow.pk, 1),
        (far_but_fast.pk, 88),
    ]


@pytest.fixture
def prediction_round(closed_round, revisions) -> Round:
    """3 people, 4 ranked attempts, 2 people perfect, plus a practice attempt."""
    closed_round.prediction_question = "Dự đoán?"
    closed_round.prediction_truth_value = 1234
    closed_round.save()
    twice = UserFactory()
    finished(twice, closed_round, revisions, correct=3, prediction=2)
    finished(twice, closed_round, revisions, correct=5, prediction=2)
    finished(UserFactory(), closed_round, revisions, correct=5, prediction=4)
    finished(UserFactory(), closed_round, revisions, correct=4, prediction=1000)
    finished(UserFactory(), closed_round, revisions, correct=5, is_practice=True)
    return closed_round


@pytest.mark.parametrize(
    ("kind", "truth"),
    [
        pytest.param(RankingRules.Truth.PERFECT_PEOPLE, 2, id="perfect_people"),
        pytest.param(RankingRules.Truth.PARTICIPANTS, 3, id="participants"),
        pytest.param(RankingRules.Truth.ATTEMPTS, 4, id="attempts"),
        pytest.param(RankingRules.Truth.MANUAL, 1234, id="manual"),
    ],
)
def test_compute_prediction_truth_by_truth_kind(prediction_round, judge, kind, truth):
    RankingRules.objects.create(contest=prediction_round.contest, truth_kind=kind)

    result = compute(prediction_round, judge)

    assert RoundResult.objects.get(pk=result.pk).prediction_truth == truth
    assert RoundResult.objects.get(pk=result.pk).ruleset["truth"] == truth
    assert all(
        row.prediction_gap == abs(row.prediction - truth)
        for row in rows_of(prediction_round)
    )


def test_compute_manual_truth_missing_is_refused(prediction_round, judge):
    prediction_round.prediction_truth_value = None
    prediction_round.save()
    RankingRules.objects.create(
        contest=prediction_round.contest, truth_kind=RankingRules.Truth.MANUAL
    )

    with pytest.raises(ValidationError) as error:
        compute(prediction_round, judge)

    assert error.value.code == "truth_missing"
    assert not RoundResult.objects.exists()


def test_compute_stores_the_round_statistics(prediction_round, judge):
    result = compute(prediction_round, judge)

    result.refresh_from_db()
    assert (result.participants, result.attempts, result.perfect_people) == (3, 4, 2)
    assert ResultRow.objects.filter(result=result).count() == 3


def test_compute_without_prediction_question_has_no_truth(
    closed_round, revisions, judge
):
    finished(UserFactory(), closed_round, revisions, correct=5, prediction=7)

    result = compute(closed_round, judge)

    result.refresh_from_db()
    assert result.prediction_truth is None
    assert rows_of(closed_round)[0].prediction_gap == 0


def test_compute_hands_out_prizes_from_the_tiers_in_order(
    closed_round, revisions, judge
):
    contest = closed_round.contest
    second = tier(contest, "Giải nhì", 2, order=2, amount_vnd=2_000_000)
    first = tier(contest, "Giải nhất", 1, order=1, amount_vnd=3_000_000)
    people = [UserFactory() for _ in range(4)]
    for i, person in enumerate(people):
        finished(person, closed_round, revisions, correct=5, duration_ms=1000 + i)

    compute(closed_round, judge)

    rows = rows_of(closed_round)
    assert [r.user_id for r in rows] == [p.pk for p in people]
    assert [(r.prize_tier_id, r.prize_name, r.prize_amount_vnd) for r in rows] == [
        (first.pk, "Giải nhất", 3_000_000),
        (second.pk, "Giải nhì", 2_000_000),
        (second.pk, "Giải nhì", 2_000_000),
        (None, "", 0),
    ]


def test_compute_again_replaces_the_rows(closed_round, revisions, judge):
    first = UserFactory()
    finished(first, closed_round, revisions, correct=4)
    compute(closed_round, judge)
    later = UserFactory()
    finished(later, closed_round, revisions, correct=5)

    compute(closed_round, judge)

    assert RoundResult.objects.count() == 1
    assert [r.user_id for r in rows_of(closed_round)] == [later.pk, first.pk]
    assert AuditEntry.objects.filter(action="result_compute").count() == 2


def test_practice_attempts_never_appear_in_the_ranking(closed_round, revisions, judge):
    practising = UserFactory()
    finished(practising, closed_round, revisions, correct=5, is_practice=True)
    ranked = UserFactory()
    finished(ranked, closed_round, revisions, correct=2)

    result = compute(closed_round, judge)

    assert [r.user_id for r in rows_of(closed_round)] == [ranked.pk]
    result.refresh_from_db()
    assert (result.participants, result.attempts) == (1, 1)


def test_an_attempt_left_open_is_finished_at_its_deadline_before_ranking(bank, judge):
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES)
    round_.contest.topics.set(bank)
    abandoned = UserFactory()
    round_services.attempt_start(user=abandoned, round_=round_, now=vn(10))
    ranked = UserFactory()
    take(ranked, round_, correct=1, started=vn(11), seconds=30)

    compute(round_, judge)

    assert [(r.user_id, r.correct) for r in rows_of(round_)] == [
        (ranked.pk, 1),
        (abandoned.pk, 0),
    ]
    assert not Attempt.objects.filter(round=round_, status="open").exists()


def test_an_abandoned_attempt_is_counted_from_its_saved_answers(bank, judge):
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES)
    round_.contest.topics.set(bank)
    user = UserFactory()
    attempt = round_services.attempt_start(user=user, round_=round_, now=vn(10)).attempt
    for position in range(3):
        round_services.attempt_save(
            attempt=attempt,
            seq=position + 1,
            position=position,
            shown_choice=correct_shown(attempt, position),
            now=vn(10, 10, 1),
        )

    compute(round_, judge)

    rows = rows_of(round_)
    assert [(r.user_id, r.correct) for r in rows] == [(user.pk, 3)]


# --- eligibility at ranking --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "role", "code"),
    [
        pytest.param({"is_staff": True}, "", "staff", id="staff"),
        pytest.param({"is_superuser": True}, "", "staff", id="superuser"),
        pytest.param(
            {}, ContestCommitteeMember.Role.ORGANIZER, "contest_role", id="organizer"
        ),
        pytest.param({}, ContestCommitteeMember.Role.JUDGE, "contest_role", id="judge"),
        pytest.param(
            {}, ContestCommitteeMember.Role.TECHNICAL, "contest_role", id="technical"
        ),
    ],
)
def test_excluded_people_are_skipped_and_the_next_moves_up(
    closed_round, revisions, judge, fields, role, code
):
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    excluded = UserFactory(**fields)
    if role:
        ContestCommitteeMember.objects.create(
            contest=closed_round.contest, user=excluded, role=role
        )
    finished(excluded, closed_round, revisions, correct=5)
    eligible = UserFactory()
    finished(eligible, closed_round, revisions, correct=4)

    compute(closed_round, judge)

    top, second = rows_of(closed_round)
    assert (top.user_id, top.skip_reason, top.prize_name) == (excluded.pk, code, "")
    assert top.prize_tier_id is None
    assert (second.user_id, second.prize_name) == (eligible.pk, "Giải nhất")


def test_a_judge_of_another_contest_may_win_this_one(closed_round, revisions, judge):
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    member = UserFactory()
    ContestCommitteeMember.objects.create(
        contest=RoundFactory().contest,
        user=member,
        role=ContestCommitteeMember.Role.JUDGE,
    )
    finished(member, closed_round, revisions, correct=5)

    compute(closed_round, judge)

    (row,) = rows_of(closed_round)
    assert (row.user_id, row.prize_name, row.skip_reason) == (
        member.pk,
        "Giải nhất",
        "",
    )


@pytest.mark.parametrize("sub_unit", [False, True], ids=["unit", "sub_unit"])
def test_users_of_an_excluded_unit_are_skipped(
    closed_round, revisions, judge, sub_unit
):
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    district = UnitFactory(level="district")
    closed_round.contest.excluded_units.add(district)
    unit = UnitFactory(parent=district) if sub_unit else district
    excluded = UserFactory(unit=unit)
    finished(excluded, closed_round, revisions, correct=5)
    eligible = UserFactory()
    finished(eligible, closed_round, revisions, correct=4)

    compute(closed_round, judge)

    top, second = rows_of(closed_round)
    assert (top.user_id, top.skip_reason, top.prize_name) == (
        excluded.pk,
        "excluded_unit",
        "",
    )
    assert (second.user_id, second.prize_name) == (eligible.pk, "Giải nhất")


def test_under_age_on_the_day_of_submission_is_skipped(closed_round, revisions, judge):
    closed_round.contest.min_age = 14
    closed_round.contest.save()
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    young = UserFactory(date_of_birth=date(2010, 9, 16))
    finished(young, closed_round, revisions, correct=5, at=vn(15, 23, 59))
    eligible = UserFactory()
    finished(eligible, closed_round, revisions, correct=4)

    compute(closed_round, judge)

    top, second = rows_of(closed_round)
    assert (top.user_id, top.skip_reason, top.prize_name) == (
        young.pk,
        "under_age",
        "",
    )
    assert (second.user_id, second.prize_name) == (eligible.pk, "Giải nhất")


def test_age_is_counted_on_the_vietnam_day_of_submission(
    closed_round, revisions, judge
):
    closed_round.contest.min_age = 14
    closed_round.contest.save()
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    # 00:30 on 16/9 in Vietnam is still 15/9 in UTC: the birthday has come.
    birthday = UserFactory(date_of_birth=date(2010, 9, 16))
    finished(birthday, closed_round, revisions, correct=5, at=vn(16, 0, 30))

    compute(closed_round, judge)

    row = rows_of(closed_round)[0]
    assert (row.skip_reason, row.prize_name) == ("", "Giải nhất")


def test_missing_birth_date_is_skipped_when_the_contest_has_a_minimum_age(
    closed_round, revisions, judge
):
    closed_round.contest.min_age = 12
    closed_round.contest.save()
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    unknown = UserFactory(date_of_birth=None)
    finished(unknown, closed_round, revisions, correct=5)

    compute(closed_round, judge)

    row = rows_of(closed_round)[0]
    assert (row.skip_reason, row.prize_name) == ("missing_birth_date", "")


def test_skipped_people_past_the_last_prize_get_no_reason(
    closed_round, revisions, judge
):
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    winner = UserFactory()
    finished(winner, closed_round, revisions, correct=5)
    staff_below = UserFactory(is_staff=True)
    finished(staff_below, closed_round, revisions, correct=1)

    compute(closed_round, judge)

    assert [(r.user_id, r.skip_reason) for r in rows_of(closed_round)] == [
        (winner.pk, ""),
        (staff_below.pk, ""),
    ]


# --- contestant_disqualify ---------------------------------------------------------


@pytest.fixture
def two_in_a_row(closed_round, revisions) -> tuple[Round, User, User]:
    """A round with one first prize, its best contestant, and the runner-up."""
    tier(closed_round.contest, "Giải nhất", 1, order=1)
    best, runner_up = UserFactory(), UserFactory()
    finished(best, closed_round, revisions, correct=5)
    finished(runner_up, closed_round, revisions, correct=4)
    return closed_round, best, runner_up


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_disqualify_requires_a_reason(two_in_a_row, judge, reason):
    round_, best, _ = two_in_a_row

    with pytest.raises(ValidationError) as error:
        services.contestant_disqualify(
            round_=round_, user=best, reason=reason, actor=judge
        )

    assert error.value.code == "reason_required"
    assert not Disqualification.objects.exists()
    assert not AuditEntry.objects.exists()


def test_disqualify_recomputes_and_the_next_takes_the_prize(two_in_a_row, judge):
    round_, best, runner_up = two_in_a_row
    compute(round_, judge)

    services.contestant_disqualify(
        round_=round_,
        user=best,
        reason="Dùng nhiều tài khoản",
        actor=judge,
        now=AFTER_CLOSE + timedelta(hours=1),
    )

    top, second = rows_of(round_)
    assert (top.user_id, top.rank, top.skip_reason) == (best.pk, 1, "disqualified")
    assert (top.prize_tier_id, top.prize_name, top.prize_amount_vnd) == (None, "", 0)
    assert (second.user_id, second.prize_name) == (runner_up.pk, "Giải nhất")
    result = RoundResult.objects.get(round=round_)
    assert result.status == RoundResult.Status.PROVISIONAL
    assert result.ruleset["disqualified_user_ids"] == [best.pk]


def test_disqualify_is_recorded_with_actor_reason_and_user(two_in_a_row, judge):
    round_, best, _ = two_in_a_row
    at = AFTER_CLOSE + timedelta(hours=1)

    services.contestant_disqualify(
        round_=round_, user=best, reason="  Gian lận  ", actor=judge, now=at
    )

    decision = Disqualification.objects.get()
    assert (decision.round, decision.user, decision.reason) == (
        round_,
        best,
        "Gian lận",
    )
    assert (decision.decided_by, decision.decided_at) == (judge, at)
    entry = AuditEntry.objects.get(action="disqualify")
    assert (entry.actor, entry.reason, entry.data) == (
        judge,
        "Gian lận",
        {"user_id": best.pk},
    )
    assert (entry.round, entry.contest, entry.at) == (round_, round_.contest, at)


def test_disqualify_before_any_result_does_not_compute_one(two_in_a_row, judge):
    round_, best, _ = two_in_a_row

    services.contestant_disqualify(
        round_=round_, user=best, reason="Gian lận", actor=judge
    )

    assert Disqualification.objects.count() == 1
    assert not RoundResult.objects.exists()


def test_disqualify_twice_is_refused(two_in_a_row, judge):
    round_, best, _ = two_in_a_row
    services.contestant_disqualify(
        round_=round_, user=best, reason="Gian lận", actor=judge
    )

    with pytest.raises(ValidationError) as error:
        services.contestant_disqualify(
            round_=round_, user=best, reason="Lần nữa", actor=judge
        )

    assert error.value.code == "duplicate"
    assert Disqualification.objects.count() == 1
    assert AuditEntry.objects.filter(action="disqualify").count() == 1


# --- question_void -----------------------------------------------------------------


@pytest.fixture
def void_setup(closed_round, revisions, judge):
    """Three attempts that drew revisions[4]: wrong, right; one that did not draw it."""
    missed = finished(UserFactory(), closed_round, revisions, correct=4)
    knew = finished(UserFactory(), closed_round, revisions, correct=5)
    other_draw = [*revisions[:4], revisions[5]]
    elsewhere = finished(UserFactory(), closed_round, other_draw, correct=4)
    compute(closed_round, judge)
    return closed_round, revisions[4].question, missed, knew, elsewhere


def test_void_rescores_every_attempt_that_drew_the_question(void_setup, judge):
    round_, question, missed, knew, elsewhere = void_setup

    services.question_void(
        round_=round_, question=question, reason="Không có đáp án đúng", actor=judge
    )

    counts = dict(
        Attempt.objects.filter(pk__in=[missed.pk, knew.pk, elsewhere.pk]).values_list(
            "pk", "correct_count"
        )
    )
    assert counts == {missed.pk: 5, knew.pk: 5, elsewhere.pk: 4}


def test_void_covers_every_revision_of_the_question(closed_round, revisions, judge):
    question = revisions[4].question
    question.text = "Câu hỏi đã sửa lời?"
    question.save()
    newer = question_publish(question=question)
    old = finished(UserFactory(), closed_round, revisions, correct=4)
    new = finished(UserFactory(), closed_round, [*revisions[:4], newer], correct=4)

    services.question_void(
        round_=closed_round, question=question, reason="Câu hỏi sai", actor=judge
    )

    assert newer.pk != revisions[4].pk
    assert set(
        Attempt.objects.filter(pk__in=[old.pk, new.pk]).values_list(
            "correct_count", flat=True
        )
    ) == {5}


def test_void_counts_an_unanswered_question_as_correct(closed_round, revisions, judge):
    attempt = finished(UserFactory(), closed_round, revisions, correct=4)
    attempt.answers[4] = None
    attempt.save()

    services.question_void(
        round_=closed_round,
        question=revisions[4].question,
        reason="Câu hỏi sai",
        actor=judge,
    )

    attempt.refresh_from_db()
    assert attempt.correct_count == 5


def test_void_recomputes_the_result(void_setup, judge):
    round_, question, missed, knew, _ = void_setup

    services.question_void(
        round_=round_, question=question, reason="Không có đáp án đúng", actor=judge
    )

    correct = {r.user_id: r.correct for r in rows_of(round_)}
    assert correct[missed.user_id] == 5
    assert correct[knew.user_id] == 5
    result = RoundResult.objects.get(round=round_)
    assert result.perfect_people == 2
    assert result.ruleset["voided_question_ids"] == [question.pk]


def test_void_is_recorded(void_setup, judge):
    round_, question, *_ = void_setup

    services.question_void(
        round_=round_, question=question, reason="Không có đáp án đúng", actor=judge
    )

    void = RoundVoidedQuestion.objects.get()
    assert (void.round, void.question, void.voided_by) == (round_, question, judge)
    entry = AuditEntry.objects.get(action="question_void")
    assert (entry.actor, entry.reason, entry.round) == (
        judge,
        "Không có đáp án đúng",
        round_,
    )
    assert entry.data == {"question_id": question.pk, "attempts_rescored": 1}


def test_void_requires_a_reason(void_setup, judge):
    round_, question, missed, *_ = void_setup

    with pytest.raises(ValidationError) as error:
        services.question_void(
            round_=round_, question=question, reason=" ", actor=judge
        )

    assert error.value.code == "reason_required"
    assert not RoundVoidedQuestion.objects.exists()
    assert Attempt.objects.get(pk=missed.pk).correct_count == 4


def test_void_twice_is_refused(void_setup, judge):
    round_, question, *_ = void_setup
    services.question_void(
        round_=round_, question=question, reason="Câu hỏi sai", actor=judge
    )

    with pytest.raises(ValidationError) as error:
        services.question_void(
            round_=round_, question=question, reason="Lần nữa", actor=judge
        )

    assert error.value.code == "duplicate"
    assert RoundVoidedQuestion.objects.count() == 1
    assert AuditEntry.objects.filter(action="question_void").count() == 1


# --- result_approve ----------------------------------------------------------------


@pytest.fixture
def computed(two_in_a_row, judge) -> RoundResult:
    round_, *_ = two_in_a_row
    return compute(round_, judge)


def test_approve_freezes_the_result_with_its_checksum(computed, judge):
    at = AFTER_CLOSE + timedelta(days=1)

    services.result_approve(result=computed, actor=judge, now=at)

    result = RoundResult.objects.get(pk=computed.pk)
    assert result.status == RoundResult.Status.APPROVED
    assert (result.approved_by, result.approved_at) == (judge, at)
    assert re.fullmatch(r"[0-9a-f]{64}", result.checksum)
    assert result.checksum == services.result_checksum(result=result)
    entry = AuditEntry.objects.get(action="result_approve")
    assert entry.data == {"checksum": result.checksum, "version": 1}


def test_approve_twice_is_refused(computed, judge):
    services.result_approve(result=computed, actor=judge)
    checksum = RoundResult.objects.get(pk=computed.pk).checksum

    with pytest.raises(ValidationError) as error:
        services.result_approve(result=computed, actor=UserFactory(is_staff=True))

    assert error.value.code == "already_approved"
    result = RoundResult.objects.get(pk=computed.pk)
    assert (result.approved_by, result.checksum) == (judge, checksum)
    assert AuditEntry.objects.filter(action="result_approve").count() == 1


def _recompute(round_, user, question, judge):
    compute(round_, judge)


def _disqualify(round_, user, question, judge):
    services.contestant_disqualify(
        round_=round_, user=user, reason="Gian lận", actor=judge
    )


def _void(round_, user, question, judge):
    services.question_void(
        round_=round_, question=question, reason="Câu hỏi sai", actor=judge
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_recompute, id="compute"),
        pytest.param(_disqualify, id="disqualify"),
        pytest.param(_void, id="void"),
    ],
)
def test_changes_after_approval_are_refused(
    two_in_a_row, computed, revisions, judge, change
):
    round_, best, _ = two_in_a_row
    services.result_approve(result=computed, actor=judge)
    before = list(ResultRow.objects.values_list("pk", "correct", "prize_name"))

    with pytest.raises(ValidationError) as error:
        change(round_, best, revisions[4].question, judge)

    assert error.value.code == "already_approved"
    assert not Disqualification.objects.exists()
    assert not RoundVoidedQuestion.objects.exists()
    assert list(ResultRow.objects.values_list("pk", "correct", "prize_name")) == before


def test_later_edits_do_not_change_an_approved_result(two_in_a_row, computed, judge):
    _, best, _ = two_in_a_row
    services.result_approve(result=computed, actor=judge)
    PrizeTier.objects.update(name="Giải đặc biệt", amount_vnd=99_000_000)
    User.objects.filter(pk=best.pk).update(full_name="Tên Đã Đổi")
    Attempt.objects.filter(user=best).update(correct_count=0)

    row = ResultRow.objects.get(result=computed, user=best)

    assert (row.full_name, row.correct) == (best.full_name, 5)
    assert (row.prize_name, row.prize_amount_vnd) == ("Giải nhất", 3_000_000)
    result = RoundResult.objects.get(pk=computed.pk)
    assert result.checksum == services.result_checksum(result=result)


# --- one weekly prize per person ---------------------------------------------------


def _two_weeks(revisions, judge, *, once: bool):
    """Week 1 approved with `star` winning; week 2 with `star` first again."""
    week1 = RoundFactory(opens_at=vn(2), closes_at=vn(8))
    contest = week1.contest
    week2 = RoundFactory(contest=contest, opens_at=OPENS, closes_at=CLOSES)
    RankingRules.objects.create(contest=contest, one_weekly_prize_per_person=once)
    tier(contest, "Giải nhất", 1, order=1)
    star, other = UserFactory(), UserFactory()
    finished(star, week1, revisions, correct=5, at=vn(3))
    finished(other, week1, revisions, correct=3, at=vn(3))
    services.result_approve(
        result=services.result_compute(round_=week1, actor=judge, now=vn(8, 23)),
        actor=judge,
    )
    finished(star, week2, revisions, correct=5)
    finished(other, week2, revisions, correct=4)
    return week2, star, other


def test_one_weekly_prize_per_person_skips_an_earlier_winner(revisions, judge):
    week2, star, other = _two_weeks(revisions, judge, once=True)

    compute(week2, judge)

    top, second = rows_of(week2)
    assert (top.user_id, top.skip_reason, top.prize_name) == (
        star.pk,
        "earlier_winner",
        "",
    )
    assert (second.user_id, second.prize_name) == (other.pk, "Giải nhất")


def test_by_default_an_earlier_winner_can_win_again(revisions, judge):
    week2, star, other = _two_weeks(revisions, judge, once=False)

    compute(week2, judge)

    top, second = rows_of(week2)
    assert (top.user_id, top.skip_reason, top.prize_name) == (star.pk, "", "Giải nhất")
    assert (second.user_id, second.prize_name) == (other.pk, "")


# --- contestant groups -------------------------------------------------------------


def test_contestant_groups_are_awarded_separately(closed_round, revisions, judge):
    contest = closed_round.contest
    servants = ContestantGroup.objects.create(
        contest=contest, name="CBCCVC", occupations=["civil_servant"]
    )
    citizens = ContestantGroup.objects.create(
        contest=contest,
        name="Nhân dân",
        occupations=["student", "worker", "other", "armed_forces"],
    )
    tier(contest, "Giải nhất CBCCVC", 1, order=1, contestant_group=servants)
    tier(contest, "Giải nhất Nhân dân", 1, order=2, contestant_group=citizens)
    servant_1 = UserFactory(occupation="civil_servant")
    servant_2 = UserFactory(occupation="civil_servant")
    student = UserFactory(occupation="student")
    worker = UserFactory(occupation="worker")
    for user, correct in [(servant_1, 5), (servant_2, 4), (student, 3), (worker, 2)]:
        finished(user, closed_round, revisions, correct=correct)

    compute(closed_round, judge)

    assert [
        (r.user_id, r.rank, r.group_name, r.rank_in_group, r.prize_name)
        for r in rows_of(closed_round)
    ] == [
        (servant_1.pk, 1, "CBCCVC", 1, "Giải nhất CBCCVC"),
        (servant_2.pk, 2, "CBCCVC", 2, ""),
        (student.pk, 3, "Nhân dân", 1, "Giải nhất Nhân dân"),
        (worker.pk, 4, "Nhân dân", 2, ""),
    ]


def test_two_groups_of_one_contest_cannot_share_a_name(closed_round):
    contest = closed_round.contest
    ContestantGroup.objects.create(
        contest=contest, name="CBCCVC", occupations=["civil_servant"]
    )
    twin = ContestantGroup(contest=contest, name="CBCCVC", occupations=["student"])

    with pytest.raises(ValidationError) as error:
        twin.full_clean()

    assert "Cuộc thi đã có nhóm thí sinh cùng tên." in str(error.value)
    assert ContestantGroup.objects.filter(contest=contest).count() == 1


def test_a_person_outside_every_group_is_ranked_without_prize(
    closed_round, revisions, judge
):
    contest = closed_round.contest
    servants = ContestantGroup.objects.create(
        contest=contest, name="CBCCVC", occupations=["civil_servant"]
    )
    tier(contest, "Giải nhất", 1, order=1, contestant_group=servants)
    outsider = UserFactory(occupation="")
    finished(outsider, closed_round, revisions, correct=5)
    servant = UserFactory(occupation="civil_servant")
    finished(servant, closed_round, revisions, correct=1)

    compute(closed_round, judge)

    top, second = rows_of(closed_round)
    assert (top.user_id, top.group_name, top.skip_reason) == (
        outsider.pk,
        "",
        "no_group",
    )
    assert (second.user_id, second.prize_name) == (servant.pk, "Giải nhất")


# --- qualifying and final ----------------------------------------------------------


@pytest.fixture
def qualifying(bank, revisions, judge):
    """Qualifying round (2 per unit) approved; final round open on 10/10/2024."""
    qualifying = RoundFactory(
        opens_at=OPENS, closes_at=CLOSES, stage="qualifying", qualify_per_unit=2
    )
    contest = qualifying.contest
    contest.topics.set(bank)
    final = RoundFactory(
        contest=contest,
        opens_at=vn(10, 8, month=10),
        closes_at=vn(20, 8, month=10),
        stage="final",
        qualifying_round=qualifying,
    )
    north, south = UnitFactory(), UnitFactory()
    people = {}
    for name, unit, correct in [
        ("north_1", north, 5),
        ("north_2", north, 4),
        ("north_3", north, 3),
        ("south_staff", south, 5),
        ("south_1", south, 2),
        ("south_2", south, 1),
        ("south_3", south, 0),
    ]:
        people[name] = UserFactory(unit=unit, is_staff=name == "south_staff")
        finished(people[name], qualifying, revisions, correct=correct)
    services.result_approve(result=compute(qualifying, judge), actor=judge)
    return final, people


def test_qualifying_sends_the_top_eligible_of_each_unit_to_the_final(qualifying):
    final, people = qualifying

    admitted = set(
        RoundQualifier.objects.filter(round=final).values_list("user_id", flat=True)
    )

    assert admitted == {
        people[name].pk for name in ("north_1", "north_2", "south_1", "south_2")
    }
    flagged = set(
        ResultRow.objects.filter(qualified=True).values_list("user_id", flat=True)
    )
    assert flagged == admitted


def test_final_refuses_a_non_qualifier(qualifying):
    final, people = qualifying

    with pytest.raises(ValidationError) as error:
        round_services.attempt_start(
            user=people["north_3"], round_=final, now=vn(11, month=10)
        )

    assert error.value.code == "not_qualified"
    assert not Attempt.objects.filter(round=final).exists()


def test_final_admits_a_qualifier(qualifying):
    final, people = qualifying

    started = round_services.attempt_start(
        user=people["south_2"], round_=final, now=vn(11, month=10)
    )

    attempt = Attempt.objects.get(round=final)
    assert attempt.pk == started.attempt.pk
    assert attempt.user == people["south_2"]
    assert not attempt.is_practice


def test_a_final_created_after_the_qualifying_approval_admits_the_qualifiers(
    bank, revisions, judge
):
    qualifying = RoundFactory(
        opens_at=OPENS, closes_at=CLOSES, stage="qualifying", qualify_per_unit=2
    )
    qualifying.contest.topics.set(bank)
    qualifier = UserFactory()
    finished(qualifier, qualifying, revisions, correct=5)
    services.result_approve(result=compute(qualifying, judge), actor=judge)
    final = RoundFactory(
        contest=qualifying.contest,
        opens_at=vn(10, 8, month=10),
        closes_at=vn(20, 8, month=10),
        stage="final",
        qualifying_round=qualifying,
    )
    # What the admin does when a final is saved.
    services.final_sync_qualifiers(final=final)

    started = round_services.attempt_start(
        user=qualifier, round_=final, now=vn(11, month=10)
    )

    assert Attempt.objects.get(round=final).pk == started.attempt.pk


def test_a_provisional_qualifying_result_admits_nobody(bank, revisions, judge):
    qualifying = RoundFactory(
        opens_at=OPENS, closes_at=CLOSES, stage="qualifying", qualify_per_unit=2
    )
    final = RoundFactory(
        contest=qualifying.contest,
        opens_at=vn(10, 8, month=10),
        closes_at=vn(20, 8, month=10),
        stage="final",
        qualifying_round=qualifying,
    )
    finished(UserFactory(), qualifying, revisions, correct=5)

    compute(qualifying, judge)

    assert ResultRow.objects.get().qualified
    assert not RoundQualifier.objects.filter(round=final).exists()


# --- unit results ------------------------------------------------------------------


def test_unit_result_refused_while_a_closed_round_is_not_approved(
    closed_round, revisions, judge
):
    finished(UserFactory(), closed_round, revisions, correct=5)
    compute(closed_round, judge)

    with pytest.raises(ValidationError) as error:
        services.unit_result_compute(contest=closed_round.contest, actor=judge)

    assert error.value.code == "rounds_not_approved"
    assert not UnitResult.objects.exists()


def test_unit_result_refused_when_a_closed_round_was_never_computed(
    closed_round, revisions, judge
):
    contest = closed_round.contest
    finished(UserFactory(), closed_round, revisions, correct=5)
    services.result_approve(result=compute(closed_round, judge), actor=judge)
    RoundFactory(contest=contest, opens_at=vn(1, month=10), closes_at=vn(7, month=10))

    with pytest.raises(ValidationError) as error:
        services.unit_result_compute(contest=contest, actor=judge, now=vn(8, month=10))

    assert error.value.code == "rounds_not_approved"
    assert not UnitResult.objects.exists()


@pytest.fixture
def districts(closed_round, revisions, judge):
    """Two districts with communes; the participants of an approved round."""
    contest = closed_round.contest
    district_group = UnitGroup.objects.create(
        contest=contest, name="Cấp huyện", levels=["district"]
    )
    commune_group = UnitGroup.objects.create(
        contest=contest, name="Cấp xã", levels=["commune"]
    )
    tier(
        contest,
        "Giải nhất cấp huyện",
        1,
        order=1,
        kind=PrizeTier.Kind.COLLECTIVE,
        unit_group=district_group,
    )
    tier(
        contest,
        "Giải nhất cấp xã",
        1,
        order=2,
        kind=PrizeTier.Kind.COLLECTIVE,
        unit_group=commune_group,
    )
    # Each unit's own staff; a district's headcount adds its communes': 100 and 4.
    big = UnitFactory(name="Huyện Lớn", level="district", headcount=88)
    small = UnitFactory(name="Huyện Nhỏ", level="district", headcount=1)
    units = {
        "big": big,
        "small": small,
        "big_a": UnitFactory(name="Xã A", parent=big, headcount=10),
        "big_b": UnitFactory(name="Xã B", parent=big, headcount=2),
        "small_c": UnitFactory(name="Xã C", parent=small, headcount=3),
    }
    # people per unit: big 1 + big_a 3 + big_b 2 = 6; small 1 + small_c 2 = 3
    for key, count in [("big", 1), ("big_a", 3), ("big_b", 2), ("small", 1)]:
        for _ in range(count):
            finished(UserFactory(unit=units[key]), closed_round, revisions, correct=4)
    for _ in range(2):
        finished(UserFactory(unit=units["small_c"]), closed_round, revisions, correct=5)
    services.result_approve(result=compute(closed_round, judge), actor=judge)
    return contest, units


def unit_rows(group_name: str) -> list[tuple]:
    return list(
        UnitResultRow.objects.filter(group_name=group_name)
        .exclude(participants=0)
        .order_by("rank", "unit_name")
        .values_list("unit_name", "rank", "participants", "prize_name")
    )


def test_district_figures_include_their_communes(districts, judge):
    contest, units = districts

    services.unit_result_compute(contest=contest, actor=judge)

    figures = dict(
        UnitResultRow.objects.filter(group_name="Cấp huyện").values_list(
            "unit_id", "participants"
        )
    )
    assert figures == {units["big"].pk: 6, units["small"].pk: 3}
    big = UnitResultRow.objects.get(unit=units["big"])
    assert (big.headcount, big.rate_percent) == (100, 6)


def test_units_ranked_by_participants(districts, judge):
    contest, _ = districts

    result = services.unit_result_compute(contest=contest, actor=judge)

    assert unit_rows("Cấp huyện") == [
        ("Huyện Lớn", 1, 6, "Giải nhất cấp huyện"),
        ("Huyện Nhỏ", 2, 3, ""),
    ]
    assert unit_rows("Cấp xã") == [
        ("Xã A", 1, 3, "Giải nhất cấp xã"),
        ("Xã B", 2, 2, ""),
        ("Xã C", 3, 2, ""),
    ]
    assert UnitResult.objects.get(pk=result.pk).status == RoundResult.Status.PROVISIONAL


def test_units_ranked_by_participation_rate(districts, judge):
    contest, _ = districts
    RankingRules.objects.create(contest=contest, unit_metric=collective.RATE)

    services.unit_result_compute(contest=contest, actor=judge)

    # Huyện Nhỏ 3/4 = 75% beats Huyện Lớn 6/100; Xã B 2/2 beats Xã C 2/3, Xã A 3/10.
    assert unit_rows("Cấp huyện") == [
        ("Huyện Nhỏ", 1, 3, "Giải nhất cấp huyện"),
        ("Huyện Lớn", 2, 6, ""),
    ]
    assert unit_rows("Cấp xã") == [
        ("Xã B", 1, 2, "Giải nhất cấp xã"),
        ("Xã C", 2, 2, ""),
        ("Xã A", 3, 3, ""),
    ]


def test_units_below_the_minimum_rate_are_not_ranked(districts, judge):
    contest, units = districts
    RankingRules.objects.create(contest=contest, unit_min_rate_percent=70)

    services.unit_result_compute(contest=contest, actor=judge)

    big = UnitResultRow.objects.get(unit=units["big"])
    assert (big.rank, big.not_ranked_because, big.prize_name) == (
        None,
        "below_min_rate",
        "",
    )
    small = UnitResultRow.objects.get(unit=units["small"])
    assert (small.rank, small.not_ranked_because, small.prize_name) == (
        1,
        "",
        "Giải nhất cấp huyện",
    )


def test_unit_result_compute_is_audited(districts, judge):
    contest, _ = districts

    result = services.unit_result_compute(contest=contest, actor=judge)

    entry = AuditEntry.objects.get(action="unit_result_compute")
    assert (entry.actor, entry.contest, entry.round) == (judge, contest, None)
    assert entry.data == {"rows": UnitResultRow.objects.filter(result=result).count()}


def test_unit_result_approve_freezes_with_a_checksum(districts, judge):
    contest, _ = districts
    result = services.unit_result_compute(contest=contest, actor=judge)

    services.unit_result_approve(result=result, actor=judge, now=vn(1, month=11))

    result.refresh_from_db()
    assert result.status == RoundResult.Status.APPROVED
    assert (result.approved_by, result.approved_at) == (judge, vn(1, month=11))
    assert re.fullmatch(r"[0-9a-f]{64}", result.checksum)
    assert result.checksum == services.unit_result_checksum(result=result)
    entry = AuditEntry.objects.get(action="unit_result_approve")
    assert entry.data == {"checksum": result.checksum}


@pytest.fixture
def unit_approved(districts, judge) -> UnitResult:
    contest, _ = districts
    result = services.unit_result_compute(contest=contest, actor=judge)
    return services.unit_result_approve(result=result, actor=judge)


def test_approved_unit_result_cannot_be_recomputed(unit_approved, judge):
    rows_before = list(UnitResultRow.objects.values_list("pk", "rank"))

    with pytest.raises(ValidationError) as error:
        services.unit_result_compute(contest=unit_approved.contest, actor=judge)

    assert error.value.code == "already_approved"
    assert list(UnitResultRow.objects.values_list("pk", "rank")) == rows_before
    assert UnitResult.objects.get().status == RoundResult.Status.APPROVED


def test_approved_unit_result_cannot_be_approved_again(unit_approved, judge):
    checksum = unit_approved.checksum

    with pytest.raises(ValidationError) as error:
        services.unit_result_approve(result=unit_approved, actor=judge)

    assert error.value.code == "already_approved"
    assert UnitResult.objects.get().checksum == checksum
    assert AuditEntry.objects.filter(action="unit_result_approve").count() == 1
