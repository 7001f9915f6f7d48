"""A click saved in one round trip: one conditional `UPDATE ... RETURNING`.

Its WHERE clause holds every rule of the explained save (_save, below): the attempt
is the user's and open; the server's clock is within its deadline plus the round's
grace; the question is in the attempt's draw and the choice is one it showed; the
sequence number is not older than the stored answer's (or prediction's); and the
user is still who the session says (active, not held at the password change form,
the password unchanged since the session was verified: accounts.middleware). Run in
autocommit, it is acknowledged only once committed.

When it matches no row the caller takes the explained path (attempt_save_own), which
reads the attempt under lock and answers as it always has: stale, finished, voided,
past the deadline (finishing the attempt), not theirs. That is the rare path.

PostgreSQL (jsonb) and SQLite (JSON1, text) spell the same statement differently:
the two spellings are below, side by side, and each is tested on its database.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contest_portal.db.prepared import prepared_cursor
from rounds.models import Attempt, Round
from rounds.services.finishing import (
    AttemptExpiredError,
    _expired,
    _finish_at_deadline,
    _locked,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Per vendor: the stored original choice behind the shown one (NULL when the
# position or the shown index is out of the draw), whether the answer's slot is
# empty, its stored sequence number, the answers with the new one set, the time rule,
# and the credential check.
_SPELLING = {
    "postgresql": {
        "original": "(a.draw -> %(position)s -> 1 -> %(shown)s)",
        "answer_empty": "jsonb_typeof(a.answers -> %(position)s) = 'null'",
        "answer_seq": "(a.answers -> %(position)s ->> 1)::bigint",
        "answers_set": (
            "jsonb_set(a.answers, ARRAY[%(position)s::text], "
            "jsonb_build_array({original}, %(seq)s))"
        ),
        "in_time": "%(now)s <= a.deadline + r.grace_seconds * interval '1 second'",
        "credential": "md5(u.password) = %(credential)s",
        # Checked on the row its public id finds; as `=`, PostgreSQL might use it
        # to find rows instead (see the comment on Attempt.status).
        "is_open": f"a.status IS NOT DISTINCT FROM '{Attempt.Status.OPEN}'",
        "returning": "a.id",
    },
    "sqlite": {
        "original": "json_extract(a.draw, %(choice_path)s)",
        "answer_empty": "json_type(a.answers, %(answer_path)s) = 'null'",
        "answer_seq": "json_extract(a.answers, %(answer_seq_path)s)",
        "answers_set": (
            "json_set(a.answers, %(answer_path)s, json_array({original}, %(seq)s))"
        ),
        # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: compared in whole
        # microseconds, as exactly as PostgreSQL compares timestamps.
        "in_time": (
            "%(now_us)s <= CAST(strftime('%%s', a.deadline) AS INTEGER) * 1000000"
            " + CAST(substr(a.deadline || '.000000', 21, 6) AS INTEGER)"
            " + r.grace_seconds * 1000000"
        ),
        "credential": "MD5(u.password) = %(credential)s",
        # SQLite's planner takes the unique public id first on its own.
        "is_open": f"a.status = '{Attempt.Status.OPEN}'",
        # SQLite's RETURNING names the updated table's columns without its alias.
        "returning": "id",
    },
}


def _statement(vendor: str, *, answer: bool, prediction: bool) -> str:
    spell = _SPELLING[vendor]
    original = spell["original"]
    sets, applies, where = [], [], []
    if answer:
        answer_applies = (
            f"({spell['answer_empty']} OR {spell['answer_seq']} <= %(seq)s)"
        )
        answers_set = spell["answers_set"].format(original=original)
        sets.append(
            f"answers = CASE WHEN {answer_applies} THEN {answers_set} "
            "ELSE a.answers END"
        )
        applies.append(answer_applies)
        where.append(f"{original} IS NOT NULL")
    if prediction:
        prediction_applies = "a.prediction_seq <= %(seq)s"
        sets.append(
            f"prediction = CASE WHEN {prediction_applies} THEN %(prediction)s "
            "ELSE a.prediction END"
        )
        sets.append(
            f"prediction_seq = CASE WHEN {prediction_applies} THEN %(seq)s "
            "ELSE a.prediction_seq END"
        )
        applies.append(prediction_applies)
    where.append("(" + " OR ".join(applies) + ")")
    return (
        f"UPDATE {Attempt._meta.db_table} AS a SET {', '.join(sets)} "
        f"FROM {Round._meta.db_table} AS r, {User._meta.db_table} AS u "
        "WHERE a.public_id = %(public_id)s AND a.user_id = %(user_id)s "
        f"AND {spell['is_open']} "
        f"AND r.id = a.round_id AND {spell['in_time']} "
        "AND u.id = a.user_id AND u.is_active AND NOT u.must_change_password "
        f"AND {spell['credential']} AND "
        + " AND ".join(where)
        + f" RETURNING {spell['returning']}"
    )


# Built once per worker: three shapes (an answer, the prediction, both) per vendor.
_STATEMENTS = {
    (vendor, answer, prediction): _statement(
        vendor, answer=answer, prediction=prediction
    )
    for vendor in _SPELLING
    for answer, prediction in ((True, False), (False, True), (True, True))
}


def attempt_save_direct(
    *,
    public_id: str,
    user_id: int,
    credential: str,
    seq: int,
    position: int | None = None,
    shown_choice: int | None = None,
    prediction: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Store one click in one statement if every rule allows it; False when it does
    not (or cannot tell), for the caller to take attempt_save_own, which explains."""
    answer = position is not None
    if (
        (answer and (shown_choice is None or position < 0 or shown_choice < 0))
        or (not answer and prediction is None)
        or connection.vendor not in _SPELLING
    ):
        return False
    now = now or timezone.now()
    params = {
        "public_id": public_id,
        "user_id": user_id,
        "credential": credential,
        "seq": seq,
        "prediction": prediction,
        "now": now,
        "now_us": (now - _EPOCH) // timedelta(microseconds=1),
    }
    if answer:
        params.update(
            position=position,
            shown=shown_choice,
            choice_path=f"$[{position}][1][{shown_choice}]",
            answer_path=f"$[{position}]",
            answer_seq_path=f"$[{position}][1]",
        )
    sql = _STATEMENTS[(connection.vendor, answer, prediction is not None)]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


# --- the explained path: the attempt read under lock, every refusal in words ---


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
    """Store one answer (and/or the prediction) as it is clicked; newer seq wins, and
    a save older than everything it carries is refused as stale, changing nothing."""
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
    applied = False
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
                    applied = True
            if prediction is not None and locked.prediction_seq <= seq:
                locked.prediction = prediction
                locked.prediction_seq = seq
                applied = True
            if not applied:
                raise ValidationError(
                    _("Đã có câu trả lời mới hơn được lưu; lần lưu cũ này bị bỏ qua."),
                    code="stale_save",
                )
            locked.save(update_fields=["answers", "prediction", "prediction_seq"])
    if expired:
        # Raised after the commit: the attempt stays finished from its saved answers.
        raise AttemptExpiredError(
            _("Đã hết giờ làm bài; bài thi được chấm theo các câu trả lời đã lưu."),
            code="deadline_passed",
        )
    return locked


def _merged_answers(locked: Attempt, answers: Mapping[int, int]) -> list:
    """The stored answers with a posted form's laid over them: shown choices mapped
    back to the original ones, each keeping the sequence number already stored."""
    merged = list(locked.answers)
    for position, shown in answers.items():
        original = _shown_to_original(locked, position, shown)
        merged[position] = [original, merged[position][1] if merged[position] else 0]
    return merged


def attempt_save_posted(
    *,
    attempt: Attempt,
    answers: Mapping[int, int],
    prediction: int | None,
    now: datetime | None = None,
) -> Attempt:
    """Store the answers a page posted as one form (no script saved them one by one).

    `answers` maps positions to shown choices, as attempt_submit takes them. Each keeps
    the sequence number already stored, as a submit does, so a later click saved by a
    script still wins. Past the deadline and grace the attempt is finished from what
    was saved before, exactly as for a late click, and AttemptExpiredError is raised.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(attempt)
        _refuse_if_closed(locked, now)
        expired = _expired(locked, now)
        if expired:
            _finish_at_deadline(locked, now)
        else:
            locked.answers = _merged_answers(locked, answers)
            if prediction is not None:
                locked.prediction = prediction
            locked.save(update_fields=["answers", "prediction"])
    if expired:
        raise AttemptExpiredError(
            _("Đã hết giờ làm bài; bài thi được chấm theo các câu trả lời đã lưu."),
            code="deadline_passed",
        )
    return locked
