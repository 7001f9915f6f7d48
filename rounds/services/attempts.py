"""An attempt from start to submission: the draw and the submit (the saves are in
rounds.services.saving)."""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contest_portal.db.prepared import prepared_cursor
from contest_portal.rows import RowWriter
from rounds import draw
from rounds.models import (
    Attempt,
    Round,
    RoundQualifier,
)
from rounds.selectors import (
    attempt_questions,
    draw_pool_get,
    revisions_get,
)
from rounds.services.eligibility import attempt_check_eligibility
from rounds.services.finishing import (
    AsRead,
    _expired,
    _finish,
    _finish_at_deadline,
    _locked,
)
from rounds.services.saving import _merged_answers, _refuse_if_closed

_system_random = random.SystemRandom()
_ATTEMPTS = RowWriter(Attempt)  # the start's insert, written once (contest_portal.rows)


def _draw_random() -> random.Random:
    """A generator for one draw, seeded with 128 bits from the system's: as
    unpredictable as the system's own, without a system call per shuffle step."""
    return random.Random(_system_random.getrandbits(128))


def _lock_user_and_tally(user_id: int, round_id: int) -> tuple[int, int | None]:
    """Lock the user row (one start at a time per person), then count the user's
    attempts in the round, with the open one's id: two short statements written
    once. The count is a statement of its own, after the lock: it sees every
    attempt committed before."""
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT id FROM {quote(User._meta.db_table)} WHERE id = %s{lock}",
            [user_id],
        )
        cursor.execute(
            f"SELECT COUNT(*), MAX(CASE WHEN status = %s THEN id END) "
            # Found by person, the round tested on them (see Attempt.round).
            f"FROM {quote(Attempt._meta.db_table)} WHERE user_id = %s AND round_id + 0 = %s",
            [Attempt.Status.OPEN.value, user_id, round_id],
        )
        used, open_pk = cursor.fetchone()
    return used, open_pk


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


def _draw_for(round_: Round, rng: random.Random) -> list[list]:
    pool = draw_pool_get(round_=round_)
    try:
        revision_ids = draw.draw_questions(
            pool=pool.by_topic,
            count=round_.question_count,
            quotas=pool.quotas,
            rng=rng,
            every_id=pool.every_id,
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


def attempt_start(
    *,
    user: User,
    round_: Round,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> StartResult:
    """Resume the user's open attempt in the round, or draw a new one, under the
    person's lock (one start at a time per person). The common case takes one
    statement instead: attempt_start_first."""
    now = now or timezone.now()
    with transaction.atomic():
        return _start_locked(user, round_, now, rng)


def _start_locked(
    user: User, round_: Round, now: datetime, rng: random.Random | None
) -> StartResult:
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
    # One start at a time per person on this path: the user row is the lock. Then
    # one read: how many, and whether one is open.
    used, open_pk = _lock_user_and_tally(user.pk, round_.pk)
    open_attempt = None
    if open_pk is not None:
        # Still open once locked? A submit may have finished it meanwhile. Found by
        # its key, its status tested here (see the comment on Attempt.status).
        open_attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("round")
            .filter(pk=open_pk)
            .first()
        )
    if open_attempt is not None and open_attempt.status == Attempt.Status.OPEN:
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
    attempt = _new_attempt(
        user=user,
        round_=round_,
        now=now,
        practice=practice,
        rng=rng or _draw_random(),
        number=used + 1,
    )
    _ATTEMPTS.insert(attempt)
    return StartResult(
        attempt=attempt, resumed=False, shortened=_shortened(attempt, round_)
    )


def _new_attempt(
    *,
    user: User,
    round_: Round,
    now: datetime,
    practice: bool,
    rng: random.Random,
    number: int | None,
) -> Attempt:
    """A new attempt, drawn and checked, not yet stored; ``number`` None where the
    statement that stores it counts it."""
    drawn = _draw_for(round_, rng)
    deadline = min(now + timedelta(seconds=round_.time_limit_seconds), round_.closes_at)
    attempt = Attempt(
        user=user,
        round=round_,
        number=number,
        is_practice=practice,
        started_at=now,
        deadline=deadline,
        draw=drawn,
        answers=[None] * len(drawn),
        question_count=len(drawn),
    )
    # Uniqueness is the database's to enforce (under the person's lock, or by the
    # one statement of _insert_if_first): checking it here again would cost three
    # queries on every start.
    # The user and round were just read: no need to check that they exist either.
    # The draw and the blank answers were built just above from ids and indexes, so
    # they are JSON: checking it would encode the draw once more than the insert does.
    attempt.full_clean(
        exclude=["user", "round", "draw", "answers"]
        + (["number"] if number is None else []),
        validate_unique=False,
        validate_constraints=False,
    )
    return attempt


def _insert_if_first(attempt: Attempt, max_attempts: int) -> bool:
    """Insert the attempt as the person's next in the round, its number counted in
    the same statement, unless one of theirs is open there or the round's limit is
    used up; True if it was inserted (its key and number set).

    One statement in autocommit, no lock taken: the count reads the attempts
    committed when the statement began, and the database's unique indexes settle
    a start racing it (one open attempt per person and round, one attempt per
    number): a row conflicting with one committed or being committed meanwhile is
    not inserted (ON CONFLICT DO NOTHING waits for the other to commit)."""
    quote = connection.ops.quote_name
    tally = (
        "FROM (SELECT COUNT(*) AS used, "
        "COALESCE(MAX(CASE WHEN status = %s THEN 1 ELSE 0 END), 0) AS open "
        # Found by person, the round tested on them (see Attempt.round).
        f"FROM {quote(Attempt._meta.db_table)} WHERE user_id = %s AND round_id + 0 = %s"
        ") tally WHERE tally.open = 0 AND (%s = 0 OR tally.used < %s) "
        "ON CONFLICT DO NOTHING"
    )
    sql, params = _ATTEMPTS.insert_select_statement(
        attempt, computed={"number": "tally.used + 1"}, rest=tally, returning=["number"]
    )
    open_ = Attempt.Status.OPEN.value
    limit = [open_, attempt.user_id, attempt.round_id, max_attempts, max_attempts]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [*params, *limit])
        row = cursor.fetchone()
    if row is None:
        return False
    attempt.pk, attempt.number = row
    attempt._state.adding = False
    attempt._state.db = connection.alias
    return True


def attempt_start_first(
    *, user: User, round_: Round, now: datetime | None = None
) -> StartResult | None:
    """The common start, a person's next attempt with none of theirs open in the
    round, in one statement outside a transaction (_insert_if_first). None when
    it does not apply: one of theirs is open, the limit is used up, a start raced
    this one, or a final round's qualifiers are to be read; attempt_start then
    decides under the person's lock, as it always has. Refusals (closed round,
    ineligible person) are raised as there."""
    if round_.stage == Round.Stage.FINAL and round_.qualifying_round_id:
        return None
    now = now or timezone.now()
    _refuse_unless_open(round_, now)
    attempt = _new_attempt(
        user=user,
        round_=round_,
        now=now,
        practice=attempt_check_eligibility(user=user, round_=round_, now=now),
        rng=_draw_random(),
        number=None,
    )
    if not _insert_if_first(attempt, round_.max_attempts):
        return None
    return StartResult(
        attempt=attempt, resumed=False, shortened=_shortened(attempt, round_)
    )


def _shortened(attempt: Attempt, round_: Round) -> bool:
    full = timedelta(seconds=round_.time_limit_seconds)
    return attempt.deadline - attempt.started_at < full


def attempt_is_shortened(*, attempt: Attempt) -> bool:
    """Does the round's close leave this attempt less than the full time limit?"""
    return _shortened(attempt, attempt.round)


def attempt_submit(
    *,
    attempt: Attempt,
    answers: Mapping[int, int],
    prediction: int | None,
    now: datetime | None = None,
    as_read: bool = False,
) -> Attempt:
    """Finish an attempt once; a repeated submit returns the stored result unchanged.

    `answers` maps question positions to shown choice positions, as the page sent them.
    `as_read`: the caller read `attempt` with its round and the round's voided
    questions (rounds.attempt_reads.attempt_get_own_as_read) without a lock,
    outside a transaction. An open attempt is then finished by one statement if
    nothing changed it since (_submit_as_read); every other case is decided under
    the attempt's lock, as always.
    """
    now = now or timezone.now()
    if as_read:
        finished = _submit_as_read(attempt, answers, prediction, now)
        if finished is not None:
            return finished
    with transaction.atomic():
        return _submit_locked(_locked(attempt), answers, prediction, now)


def _submit_as_read(
    attempt: Attempt,
    answers: Mapping[int, int],
    prediction: int | None,
    now: datetime,
) -> Attempt | None:
    """The common submit, an open attempt within its time, finished without a lock:
    its result and event are written by one statement only if the row is still
    open with the answers and prediction it was read with. None where the locked
    path decides: an attempt no longer open or past its time, a refusal, or a row
    changed since it was read (a save, another submit, the deadline's sweep)."""
    if attempt.status != Attempt.Status.OPEN or _expired(attempt, now):
        return None
    read = AsRead(answers=list(attempt.answers), prediction_seq=attempt.prediction_seq)
    try:
        return _submit_open(attempt, answers, prediction, now, as_read=read)
    except ValidationError:
        return None


def _submit_locked(
    locked: Attempt,
    answers: Mapping[int, int],
    prediction: int | None,
    now: datetime,
) -> Attempt:
    if locked.status == Attempt.Status.FINISHED:
        return locked
    _refuse_if_closed(locked, now)
    if _expired(locked, now):
        return _finish_at_deadline(locked, now)
    return _submit_open(locked, answers, prediction, now)


def _submit_open(
    attempt: Attempt,
    answers: Mapping[int, int],
    prediction: int | None,
    now: datetime,
    *,
    as_read: AsRead | None = None,
) -> Attempt | None:
    """Score and finish an open attempt with the posted answers laid over the
    saved ones (see _finish for ``as_read``)."""
    merged = _merged_answers(attempt, answers)
    if prediction is None:
        prediction = attempt.prediction
    if attempt.round.has_prediction and prediction is None:
        raise ValidationError(
            _("Vui lòng trả lời câu hỏi dự đoán trước khi nộp bài."),
            code="prediction_required",
        )
    attempt.answers = merged
    attempt.prediction = prediction
    return _finish(
        attempt,
        submitted_at=now,
        finished_by=Attempt.FinishedBy.CONTESTANT,
        now=now,
        as_read=as_read,
    )


def draw_preview(*, round_: Round, rng: random.Random) -> list:
    """What a contestant could be given in this round, for organizers, with answers."""
    drawn = _draw_for(round_, rng)
    preview = Attempt(
        round=round_, draw=drawn, answers=[None] * len(drawn), question_count=len(drawn)
    )
    return attempt_questions(attempt=preview)
