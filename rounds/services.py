import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.countries import NATIONALITY_CHOICES
from accounts.models import Unit, User
from rounds import draw, eligibility, scoring, states
from rounds.models import (
    Attempt,
    AttemptEvent,
    Contest,
    Round,
    RoundQualifier,
    RoundVoidedQuestion,
)
from rounds.selectors import (
    attempt_questions,
    contest_eligibility_rules,
    draw_pool_get,
    person_of,
    revisions_get,
)

_system_random = random.SystemRandom()

ELIGIBILITY_MESSAGES = {
    eligibility.UNDER_AGE: _("Bạn chưa đủ %(age)d tuổi để tham gia cuộc thi này."),
    eligibility.MISSING_BIRTH_DATE: _(
        "Vui lòng cập nhật ngày sinh trong trang cá nhân trước khi dự thi."
    ),
    eligibility.MISSING_UNIT: _(
        "Vui lòng chọn đơn vị trong trang cá nhân trước khi dự thi."
    ),
    eligibility.MISSING_CITIZEN_ID: _(
        "Cuộc thi này yêu cầu số CCCD: vui lòng cập nhật trong trang cá nhân."
    ),
    eligibility.STAFF: _(
        "Tài khoản quản trị không được tham gia xếp hạng, trao giải cuộc thi."
    ),
    eligibility.CONTEST_ROLE: _(
        "Thành viên Ban Tổ chức, Ban Giám khảo, Tổ soạn thảo câu hỏi và Tổ thư ký "
        "không được tham gia cuộc thi."
    ),
    eligibility.EXCLUDED_UNIT: _(
        "Cán bộ của đơn vị bạn không thuộc đối tượng dự thi của cuộc thi này."
    ),
    eligibility.COMMITTEE_UNIT: _(
        "Cán bộ cùng đơn vị với thành viên Ban Tổ chức, Ban Giám khảo, Tổ thư ký "
        "không được tham gia cuộc thi này."
    ),
    eligibility.OCCUPATION_NOT_ALLOWED: _(
        "Cuộc thi này chỉ dành cho: %(occupations)s."
    ),
    eligibility.NATIONALITY_NOT_ALLOWED: _(
        "Cuộc thi này chỉ dành cho người có quốc tịch: %(nationalities)s."
    ),
}


def eligibility_message(*, reason: str, contest: Contest) -> str:
    """The Vietnamese sentence telling a person why they may not take part."""
    occupations = dict(User.Occupation.choices)
    countries = dict(NATIONALITY_CHOICES)
    return ELIGIBILITY_MESSAGES[reason] % {
        "age": contest.min_age,
        "occupations": ", ".join(
            str(occupations.get(code, code))
            for code in contest.allowed_occupations or ()
        ),
        "nationalities": ", ".join(
            str(countries.get(code, code))
            for code in contest.allowed_nationalities or ()
        ),
    }


@dataclass(frozen=True, slots=True)
class RegistrationProblem:
    field: str
    message: str
    code: str


# What a registration form can be told, the field it is about, and whether a
# contest open to practice by the excluded still lets the person in.
_REGISTRATION_CHECKS = (
    (eligibility.UNDER_AGE, "date_of_birth", False),
    (eligibility.OCCUPATION_NOT_ALLOWED, "occupation", True),
    (eligibility.NATIONALITY_NOT_ALLOWED, "nationality", True),
    (eligibility.EXCLUDED_UNIT, "unit", True),
    (eligibility.COMMITTEE_UNIT, "unit", True),
)


def registration_problem(
    *,
    contest: Contest,
    date_of_birth: date,
    unit: Unit,
    now: datetime,
    occupation: str = "",
    nationality: str = "VN",
) -> RegistrationProblem | None:
    """Why a new account may not take part in this contest, or None."""
    rules = contest_eligibility_rules(contest=contest)
    person = eligibility.Person(
        date_of_birth=date_of_birth,
        is_staff=False,
        unit_path_ids=tuple(unit.ancestor_ids),
        has_citizen_id=True,  # the form itself requires it when the contest does
        occupation=occupation,
        nationality=nationality,
    )
    reasons = eligibility.check(person=person, rules=rules, day=timezone.localdate(now))
    for reason, field, practice_waives in _REGISTRATION_CHECKS:
        if reason in reasons and not (
            practice_waives and contest.allow_excluded_practice
        ):
            return RegistrationProblem(
                field=field,
                message=eligibility_message(reason=reason, contest=contest),
                code=reason,
            )
    return None


@dataclass(frozen=True, slots=True)
class StartResult:
    attempt: Attempt
    resumed: bool
    shortened: bool  # the round closes before the full time limit runs out


def round_is_open(*, round_: Round, now: datetime) -> bool:
    return round_.opens_at <= now < round_.closes_at


def _refuse_unless_open(round_: Round, now: datetime) -> None:
    if now < round_.opens_at:
        raise ValidationError(
            _("Tuần thi chưa mở. Thời gian mở: %(at)s.")
            % {"at": timezone.localtime(round_.opens_at).strftime("%H:%M %d/%m/%Y")},
            code="round_not_open",
        )
    if now >= round_.closes_at:
        raise ValidationError(_("Tuần thi đã kết thúc."), code="round_closed")


def attempt_check_eligibility(*, user: User, round_: Round, now: datetime) -> bool:
    """Refuse an ineligible user; return True when only a practice attempt is allowed."""
    contest = round_.contest
    rules = contest_eligibility_rules(contest=contest)
    reasons = eligibility.check(
        person=person_of(user), rules=rules, day=timezone.localdate(now)
    )
    blocking = [r for r in reasons if r not in eligibility.EXCLUSIONS]
    if not blocking and reasons and contest.allow_excluded_practice:
        return True
    if reasons:
        first = (blocking or list(reasons))[0]
        raise ValidationError(
            eligibility_message(reason=first, contest=contest), code=first
        )
    return False


def _draw_for(round_: Round, rng: random.Random) -> list[list]:
    pool = draw_pool_get(round_=round_)
    try:
        revision_ids = draw.draw_questions(
            pool=pool.by_topic, count=round_.question_count, quotas=pool.quotas, rng=rng
        )
    except draw.DrawError as error:
        raise ValidationError(
            _(
                "Ngân hàng câu hỏi chưa đủ câu hỏi cho tuần thi này. Vui lòng báo Ban Tổ chức."
            ),
            code="bank_too_small",
        ) from error
    revisions = revisions_get(revision_ids)
    return [
        [
            revision_id,
            draw.shuffle_choices(
                choice_count=len(revisions[revision_id].choice_texts), rng=rng
            ),
        ]
        for revision_id in revision_ids
    ]


@dataclass(frozen=True, slots=True)
class _AnswerKey:
    correct_index: dict[int, int]  # revision id -> correct original choice index
    voided_revisions: frozenset[int]


def _answer_key(round_id: int, revision_ids: Iterable[int]) -> _AnswerKey:
    voided_questions = set(
        RoundVoidedQuestion.objects.filter(round_id=round_id).values_list(
            "question_id", flat=True
        )
    )
    correct, voided = {}, set()
    for pk, revision in revisions_get(revision_ids).items():
        correct[pk] = revision.correct_index
        if revision.question_id in voided_questions:
            voided.add(pk)
    return _AnswerKey(correct_index=correct, voided_revisions=frozenset(voided))


def _score(attempt: Attempt, key: _AnswerKey) -> int:
    """The one computation of an attempt's correct answers, voided questions included."""
    revision_ids = [item[0] for item in attempt.draw]
    return scoring.score(
        correct_indexes=[key.correct_index[pk] for pk in revision_ids],
        answers=[entry[0] if entry else None for entry in attempt.answers],
        voided=[pk in key.voided_revisions for pk in revision_ids],
    ).correct


def _finish(
    attempt: Attempt, *, submitted_at: datetime, finished_by: str, now: datetime
) -> Attempt:
    """The one writer of an attempt's result fields; the caller holds the row lock.
    `now` is when the finish is recorded (after the deadline, for a late sweep)."""
    attempt_check_transition(attempt=attempt, to=Attempt.Status.FINISHED)
    key = _answer_key(attempt.round_id, (item[0] for item in attempt.draw))
    correct = _score(attempt, key)
    attempt.status = Attempt.Status.FINISHED
    attempt.submitted_at = submitted_at
    attempt.duration_ms = scoring.duration_ms(
        started_at=attempt.started_at, finished_at=submitted_at
    )
    attempt.correct_count = correct
    attempt.finished_by = finished_by
    attempt.answers_fingerprint = scoring.answers_fingerprint(
        revision_ids=[item[0] for item in attempt.draw],
        chosen=[entry[0] if entry else None for entry in attempt.answers],
    )
    attempt.save(
        update_fields=[
            "answers_fingerprint",
            "status",
            "submitted_at",
            "duration_ms",
            "correct_count",
            "finished_by",
            "prediction",
            "answers",
        ]
    )
    _record_event(attempt, kind=AttemptEvent.Kind.FINISHED, now=now)
    return attempt


def _expired(attempt: Attempt, now: datetime) -> bool:
    grace = timedelta(seconds=attempt.round.grace_seconds)
    return attempt.status == Attempt.Status.OPEN and now > attempt.deadline + grace


def _finish_at_deadline(attempt: Attempt, now: datetime) -> Attempt:
    return _finish(
        attempt,
        submitted_at=attempt.deadline,
        finished_by=Attempt.FinishedBy.DEADLINE,
        now=now,
    )


@transaction.atomic
def attempt_start(
    *,
    user: User,
    round_: Round,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> StartResult:
    """Resume the user's open attempt in the round, or draw a new one."""
    now = now or timezone.now()
    _refuse_unless_open(round_, now)
    practice = attempt_check_eligibility(user=user, round_=round_, now=now)
    if (
        round_.stage == Round.Stage.FINAL
        and round_.qualifying_round_id
        and not RoundQualifier.objects.filter(round=round_, user=user).exists()
    ):
        raise ValidationError(
            _("Chỉ những thí sinh đạt vòng loại mới được thi vòng chung kết."),
            code="not_qualified",
        )
    # One start at a time per person: the user row is the lock.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    # One read for the common case, a first start: how many, and whether one is open.
    tally = Attempt.objects.filter(user=user, round=round_).aggregate(
        used=Count("pk"), open_pk=Max("pk", filter=Q(status=Attempt.Status.OPEN))
    )
    used = tally["used"]
    open_attempt = None
    if tally["open_pk"] is not None:
        # Still open once locked? A submit may have finished it meanwhile.
        open_attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("round")
            .filter(pk=tally["open_pk"], status=Attempt.Status.OPEN)
            .first()
        )
    if open_attempt is not None:
        if not _expired(open_attempt, now):
            return StartResult(
                attempt=open_attempt,
                resumed=True,
                shortened=_shortened(open_attempt, round_),
            )
        _finish_at_deadline(open_attempt, now)
    if round_.max_attempts and used >= round_.max_attempts:
        raise ValidationError(
            _("Bạn đã dùng hết %(n)d lượt thi của tuần thi này.")
            % {"n": round_.max_attempts},
            code="attempt_limit",
        )
    # A seeded generator makes a draw repeatable (the demo); contestants get the
    # system's.
    drawn = _draw_for(round_, rng or _system_random)
    deadline = min(now + timedelta(seconds=round_.time_limit_seconds), round_.closes_at)
    attempt = Attempt(
        user=user,
        round=round_,
        number=used + 1,
        is_practice=practice,
        started_at=now,
        deadline=deadline,
        draw=drawn,
        answers=[None] * len(drawn),
        question_count=len(drawn),
    )
    # Uniqueness is the database's to enforce, under the user lock held above:
    # checking it here again would cost three queries on every start.
    # The user and round were just read: no need to check that they exist either.
    attempt.full_clean(
        exclude=["user", "round"], validate_unique=False, validate_constraints=False
    )
    attempt.save()
    return StartResult(
        attempt=attempt, resumed=False, shortened=_shortened(attempt, round_)
    )


def _shortened(attempt: Attempt, round_: Round) -> bool:
    full = timedelta(seconds=round_.time_limit_seconds)
    return attempt.deadline - attempt.started_at < full


def attempt_is_shortened(*, attempt: Attempt) -> bool:
    """Does the round's close leave this attempt less than the full time limit?"""
    return _shortened(attempt, attempt.round)


class AttemptExpiredError(ValidationError):
    """The attempt was finished at its deadline because a request came too late."""


def _locked(attempt: Attempt) -> Attempt:
    # of=("self",): lock the attempt only, never the round row every contestant shares.
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=attempt.pk)
    )


def _shown_to_original(attempt: Attempt, position: int, shown: int) -> int:
    if not 0 <= position < len(attempt.draw):
        raise ValidationError(
            _("Câu hỏi không thuộc bài thi này."), code="invalid_question"
        )
    permutation = attempt.draw[position][1]
    if not 0 <= shown < len(permutation):
        raise ValidationError(
            _("Phương án trả lời không hợp lệ."), code="invalid_choice"
        )
    return permutation[shown]


def _refuse_if_closed(attempt: Attempt, now: datetime) -> None:
    if attempt.status == Attempt.Status.FINISHED:
        raise ValidationError(_("Bài thi đã được nộp."), code="attempt_finished")
    if attempt.status == Attempt.Status.VOIDED:
        raise ValidationError(_("Bài thi đã bị hủy."), code="attempt_voided")


def attempt_save(
    *,
    attempt: Attempt,
    seq: int,
    position: int | None = None,
    shown_choice: int | None = None,
    prediction: int | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Store one answer (and/or the prediction) as it is clicked; newer seq wins."""
    return _save(
        Attempt.objects.filter(pk=attempt.pk),
        seq=seq,
        position=position,
        shown_choice=shown_choice,
        prediction=prediction,
        now=now,
    )


def attempt_save_own(
    *,
    public_id: str,
    user: User,
    seq: int,
    position: int | None = None,
    shown_choice: int | None = None,
    prediction: int | None = None,
    now: datetime | None = None,
) -> Attempt:
    """attempt_save for the user's own attempt named in the URL, in one locked read.

    Raises Attempt.DoesNotExist for an attempt that is not theirs (or none at all).
    Saving is most of the deadline rush's requests: one query less each counts.
    """
    return _save(
        Attempt.objects.filter(public_id=public_id, user=user),
        seq=seq,
        position=position,
        shown_choice=shown_choice,
        prediction=prediction,
        now=now,
    )


def _save(
    attempts: QuerySet[Attempt],
    *,
    seq: int,
    position: int | None,
    shown_choice: int | None,
    prediction: int | None,
    now: datetime | None,
) -> Attempt:
    now = now or timezone.now()
    with transaction.atomic():
        locked = attempts.select_for_update(of=("self",)).select_related("round").get()
        _refuse_if_closed(locked, now)
        expired = _expired(locked, now)
        if expired:
            _finish_at_deadline(locked, now)
        else:
            if position is not None:
                if shown_choice is None:
                    raise ValidationError(
                        _("Phương án trả lời không hợp lệ."), code="invalid_choice"
                    )
                original = _shown_to_original(locked, position, shown_choice)
                current = locked.answers[position]
                if current is None or current[1] <= seq:
                    locked.answers[position] = [original, seq]
            if prediction is not None:
                locked.prediction = prediction
            locked.save(update_fields=["answers", "prediction"])
    if expired:
        # Raised after the commit: the attempt stays finished from its saved answers.
        raise AttemptExpiredError(
            _("Đã hết giờ làm bài; bài thi được chấm theo các câu trả lời đã lưu."),
            code="deadline_passed",
        )
    return locked


def attempt_submit(
    *,
    attempt: Attempt,
    answers: Mapping[int, int],
    prediction: int | None,
    now: datetime | None = None,
) -> Attempt:
    """Finish an attempt once; a repeated submit returns the stored result unchanged.

    `answers` maps question positions to shown choice positions, as the page sent them.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(attempt)
        if locked.status == Attempt.Status.FINISHED:
            return locked
        _refuse_if_closed(locked, now)
        if _expired(locked, now):
            return _finish_at_deadline(locked, now)
        merged = list(locked.answers)
        for position, shown in answers.items():
            original = _shown_to_original(locked, position, shown)
            merged[position] = [
                original,
                merged[position][1] if merged[position] else 0,
            ]
        if prediction is None:
            prediction = locked.prediction
        if locked.round.has_prediction and prediction is None:
            raise ValidationError(
                _("Vui lòng trả lời câu hỏi dự đoán trước khi nộp bài."),
                code="prediction_required",
            )
        locked.answers = merged
        locked.prediction = prediction
        return _finish(
            locked,
            submitted_at=now,
            finished_by=Attempt.FinishedBy.CONTESTANT,
            now=now,
        )


def attempt_finish_if_expired(
    *, attempt: Attempt, now: datetime | None = None
) -> Attempt:
    """Finish an open attempt past deadline and grace from its saved answers."""
    now = now or timezone.now()
    if not _expired(attempt, now):
        return attempt
    with transaction.atomic():
        locked = _locked(attempt)
        if _expired(locked, now):
            _finish_at_deadline(locked, now)
        return locked


def attempts_finish_expired(
    *, now: datetime | None = None, round_: Round | None = None
) -> int:
    """Finish every open attempt past its deadline and grace; return how many."""
    now = now or timezone.now()
    finished = 0
    candidates = Attempt.objects.filter(
        status=Attempt.Status.OPEN, deadline__lt=now
    ).select_related("round")
    if round_ is not None:
        candidates = candidates.filter(round=round_)
    for attempt in candidates.iterator(chunk_size=500):
        if _expired(attempt, now):
            attempt_finish_if_expired(attempt=attempt, now=now)
            finished += 1
    return finished


def draw_preview(*, round_: Round, rng: random.Random) -> list:
    """What a contestant could be given in this round, for organizers, with answers."""
    drawn = _draw_for(round_, rng)
    preview = Attempt(
        round=round_, draw=drawn, answers=[None] * len(drawn), question_count=len(drawn)
    )
    return attempt_questions(attempt=preview)


@transaction.atomic
def round_rescore(*, round_: Round) -> int:
    """Rescore every finished attempt of the round (after a void); return how many changed."""
    rows = list(
        Attempt.objects.filter(round=round_, status=Attempt.Status.FINISHED).only(
            "pk", "draw", "answers", "correct_count", "round_id"
        )
    )
    revision_ids: set[int] = set()
    for attempt in rows:
        revision_ids.update(item[0] for item in attempt.draw)
    key = _answer_key(round_.pk, revision_ids)
    changed = []
    for attempt in rows:
        correct = _score(attempt, key)
        if correct != attempt.correct_count:
            attempt.correct_count = correct
            changed.append(attempt)
    Attempt.objects.bulk_update(changed, ["correct_count"], batch_size=1000)
    return len(changed)


# --- status changes: the state table and the judge's void ------------------------


def attempt_check_transition(*, attempt: Attempt, to: str) -> None:
    """Refuse a status change that rounds.states does not allow."""
    if not states.can_transition(attempt.status, to):
        raise ValidationError(
            _("Không thể chuyển bài thi từ trạng thái “%(from)s” sang “%(to)s”.")
            % {
                "from": Attempt.Status(attempt.status).label,
                "to": Attempt.Status(to).label,
            },
            code="invalid_transition",
        )


def _record_event(
    attempt: Attempt,
    *,
    kind: str,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> AttemptEvent:
    """Append the trace of one status change; the caller holds the row lock."""
    actor_id = actor.pk if actor is not None else None
    if actor is None and attempt.finished_by == Attempt.FinishedBy.CONTESTANT:
        actor_id = attempt.user_id  # the id is enough: no query for the user row
    return AttemptEvent.objects.create(
        attempt=attempt,
        kind=kind,
        at=now or timezone.now(),
        actor_id=actor_id,
        reason=reason,
        data={
            "finished_by": attempt.finished_by,
            "submitted_at": attempt.submitted_at.isoformat(),
            "duration_ms": attempt.duration_ms,
            "correct_count": attempt.correct_count,
            "answered": sum(1 for entry in attempt.answers if entry),
        },
    )


def attempt_void(
    *, attempt: Attempt, by: User, reason: str, now: datetime | None = None
) -> Attempt:
    """A judge cancels an open attempt: never ranked, its answers kept as evidence.

    Only an open attempt can be voided (rounds.states); who may do it is checked
    by the admin or view that calls this.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Vui lòng ghi rõ lý do hủy bài thi."), code="reason_required"
        )
    with transaction.atomic():
        locked = _locked(attempt)
        attempt_check_transition(attempt=locked, to=Attempt.Status.VOIDED)
        # A closed attempt must carry a result (attempt_finished_has_result): the
        # answers as they stood at the void, scored by the one scoring path.
        key = _answer_key(locked.round_id, (item[0] for item in locked.draw))
        locked.status = Attempt.Status.VOIDED
        locked.submitted_at = now
        locked.duration_ms = scoring.duration_ms(
            started_at=locked.started_at, finished_at=now
        )
        locked.correct_count = _score(locked, key)
        locked.save(
            update_fields=["status", "submitted_at", "duration_ms", "correct_count"]
        )
        _record_event(
            locked, kind=AttemptEvent.Kind.VOIDED, actor=by, reason=reason, now=now
        )
    return locked
