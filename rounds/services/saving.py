"""A click saved in one round trip: one conditional `UPDATE ... RETURNING`.

Its WHERE clause holds every rule of the explained save (attempts._save): the attempt
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

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from accounts.models import User
from contest_portal.db.prepared import prepared_cursor
from rounds.models import Attempt, Round

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
        f"AND a.status = '{Attempt.Status.OPEN}' "
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
