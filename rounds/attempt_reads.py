"""The contestant's own attempt, read for the attempt page, the submit and the result.

One statement written once per process (contest_portal.rows) brings the attempt, its
round, the round's contest and the attempt's user: the user row is the one the
session names, so the caller can verify the session against it
(accounts.middleware.adopt_session_user) instead of reading it again.
"""

import json
from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.models import Unit, User
from contest_portal.rows import Part, RowReader
from rounds.models import Attempt, Contest, Round, RoundVoidedQuestion

_PARTS = [(Attempt, "a"), (Round, "r"), (Contest, "c"), (User, "u")]
_SOURCE = (
    "{a} JOIN {r} ON r.id = a.round_id JOIN {c} ON c.id = r.contest_id "
    "JOIN {u} ON u.id = a.user_id"
)
_WHERE = "a.public_id = %s AND a.user_id = %s"

_OWN = RowReader(_PARTS, source=_SOURCE, where=_WHERE)
# The result page shows the answers only where the contest publishes them: it reads
# the attempt without its draw and answers (two JSON columns decoded on every read).
_ANSWERS = ("draw", "answers")
_SUMMARY_PARTS = [(Attempt, "a", _ANSWERS), *_PARTS[1:]]


def own_summary_reader(parts: Sequence[Part], joins: str) -> RowReader:
    """A reader of the attempt with its round, contest and user, without its draw
    and answers (attempt_with_answers reads them), with more rows joined to it in
    the same statement: ``parts`` of models this module does not
    know, in ``joins`` (the FROM clause continued: ``a`` is the attempt, ``r`` its
    round), and last the person's attempts in the round, one row each (see
    attempts_in_round_of_rows). Its rows go to own_summary_joined."""
    return RowReader(
        [*_SUMMARY_PARTS, *parts, _IN_ROUND_PART],
        source=f"{_SOURCE} {joins} {_IN_ROUND_JOIN}",
        where=_WHERE,
        order_by=_IN_ROUND_ORDER,
    )


# The person's attempts in the attempt's round, joined to it as ``o``: found by
# person, the round tested on them (see the comment on Attempt.round), latest first
# as the model orders them.
_IN_ROUND_PART = (Attempt, "o", _ANSWERS)
_IN_ROUND_JOIN = "JOIN {o} ON o.user_id = a.user_id AND o.round_id + 0 = a.round_id"
_IN_ROUND_ORDER = "o.started_at DESC, o.id DESC"


def attempts_in_round_of_rows(attempt: Attempt, rows: Sequence[tuple]) -> list[Attempt]:
    """The person's attempts in the round, from an own_summary_reader's rows (its
    last part), each pointing at ``attempt``'s round. The attempt itself is among
    them as read: a caller that changed it puts its own in its place."""
    attempts = [row[-1] for row in rows]
    for each in attempts:
        each.round = attempt.round
    return attempts


def own_summary_joined(row: tuple) -> tuple[Attempt, tuple]:
    """A row of an own_summary_reader: the attempt with its round, contest and
    user, and the instances of the joined parts (the attempt in the round left
    out: attempts_in_round_of_rows)."""
    return _joined(row[: len(_PARTS)]), row[len(_PARTS) : -1]


def _voided_questions(connection: BaseDatabaseWrapper) -> str:
    """SQL: the ids of the questions voided in the attempt's round."""
    table = connection.ops.quote_name(RoundVoidedQuestion._meta.db_table)
    ids = f"SELECT v.question_id FROM {table} v WHERE v.round_id = a.round_id"
    if connection.vendor == "postgresql":
        return f"ARRAY({ids})"
    return f"(SELECT json_group_array(question_id) FROM ({ids}))"


# The submit's read: the attempt, and its round's voided questions, the part of the
# answer key that changes while a round runs (rounds.services.finishing).
_OWN_AS_READ = RowReader(_PARTS, source=_SOURCE, where=_WHERE, extra=_voided_questions)

_IN_ROUND = RowReader(
    [(Attempt, "a", ("draw", "answers"))],
    source="{a}",
    # Found by person, the round tested on them (see the comment on Attempt.round).
    where="a.user_id = %s AND a.round_id + 0 = %s",
    order_by="a.started_at DESC",  # as the model orders them
)


_ROUND_PUBLISHED = RowReader(
    [(Round, "r"), (Contest, "c")],
    source="{r} JOIN {c} ON c.id = r.contest_id",
    where="r.id = %s AND c.is_published = %s",
)


# The start's first read: the round with its contest (published) and the user with
# their unit.
_ROUND_AND_USER = RowReader(
    [(Round, "r"), (Contest, "c"), (User, "u"), (Unit, "n")],
    source=(
        "{r} JOIN {c} ON c.id = r.contest_id CROSS JOIN {u} "
        "LEFT JOIN {n} ON n.id = u.unit_id"
    ),
    where="r.id = %s AND c.is_published = %s AND u.id = %s",
)


def round_and_user(*, round_id: int, user_id: int) -> tuple[Round, User] | None:
    """The published round with its contest and the user with their unit, in one
    statement; None when either is missing."""
    row = _ROUND_AND_USER.one([round_id, True, user_id])
    if row is None:
        return None
    round_, contest, user, unit = row
    round_.contest = contest
    if user.unit_id is not None:
        user.unit = unit
    return round_, user


def round_get_published(round_id: int) -> Round | None:
    """The round with its contest, if the contest is published (the start)."""
    row = _ROUND_PUBLISHED.one([round_id, True])
    if row is None:
        return None
    round_, contest = row
    round_.contest = contest
    return round_


def _joined(row: tuple | None) -> Attempt | None:
    if row is None:
        return None
    attempt, round_, contest, user = row
    round_.contest = contest
    attempt.round = round_
    attempt.user = user
    return attempt


def attempt_get_own(*, public_id: str, user_id: int) -> Attempt | None:
    """The attempt named in the URL if it is this user's, with round, contest and user."""
    return _joined(_OWN.one([public_id, user_id]))


def attempt_with_answers(attempt: Attempt) -> Attempt:
    """The draw and the answers a summary read left out, read in one statement."""
    unread = sorted(attempt.get_deferred_fields() & set(_ANSWERS))
    if unread:
        attempt.refresh_from_db(fields=unread)
    return attempt


def attempt_get_own_as_read(*, public_id: str, user_id: int) -> Attempt | None:
    """The same, with the round's voided questions read in the same statement:
    ``attempt.round.voided_question_ids``, a frozenset of question ids, which the
    submit's scoring takes instead of reading them again (the submit writes only
    if the attempt is unchanged since: rounds.services.attempt_submit)."""
    row = _OWN_AS_READ.one([public_id, user_id])
    if row is None:
        return None
    *parts, voided = row
    attempt = _joined(tuple(parts))
    if isinstance(voided, str):  # SQLite's JSON array
        voided = json.loads(voided)
    attempt.round.voided_question_ids = frozenset(voided)
    return attempt


def attempts_of_user_in_round(*, user_id: int, round_: Round) -> list[Attempt]:
    """The user's attempts in the round without their draw and answers, latest first
    (as the model orders them), each pointing at ``round_``."""
    attempts = [row[0] for row in _IN_ROUND.all([user_id, round_.pk])]
    for attempt in attempts:
        attempt.round = round_
    return attempts
