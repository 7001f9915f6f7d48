"""How an attempt ends: scored and finished once (by its contestant or at its
deadline), rescored after a void, voided by a judge; each change traced."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contest_portal.rows import RowReader, RowWriter, update_and_insert
from rounds import scoring, states
from rounds.models import (
    Attempt,
    AttemptEvent,
    Round,
    RoundVoidedQuestion,
)
from rounds.selectors import (
    revisions_get,
)


@dataclass(frozen=True, slots=True)
class _AnswerKey:
    correct_index: dict[int, int]  # revision id -> correct original choice index
    voided_revisions: frozenset[int]


# Every submit and deadline finish reads the round's voided questions and writes the
# attempt's result and its event: statements written once (contest_portal.rows).
_VOIDED = RowReader([(RoundVoidedQuestion, "v")], source="{v}", where="v.round_id = %s")
_ATTEMPTS = RowWriter(Attempt)
_EVENTS = RowWriter(AttemptEvent)
_RESULT_FIELDS = (
    "answers_fingerprint",
    "status",
    "submitted_at",
    "duration_ms",
    "correct_count",
    "finished_by",
    "prediction",
    "answers",
)


def _answer_key(
    round_id: int,
    revision_ids: Iterable[int],
    voided_questions: frozenset[int] | None = None,
) -> _AnswerKey:
    """The correct choices of the revisions and which are voided in the round;
    ``voided_questions`` where the caller read them in the attempt's own statement
    (rounds.attempt_reads.attempt_get_own_as_read)."""
    if voided_questions is None:
        voided_questions = {row[0].question_id for row in _VOIDED.all([round_id])}
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


@dataclass(frozen=True, slots=True)
class AsRead:
    """What a finish read of an open attempt without its lock: its answers (a copy)
    and its prediction's sequence number."""

    answers: list
    prediction_seq: int


def _unchanged(attempt: Attempt, read: AsRead) -> tuple[str, list]:
    """SQL on the attempt's row: still open, with the answers and the prediction's
    sequence number ``read`` gives (every save that changes an answer or the
    prediction changes one of them)."""
    connection = connections[attempt._state.db or "default"]
    quote = connection.ops.quote_name
    answers = Attempt._meta.get_field("answers")
    stored = quote(answers.column)
    same = (
        f"{stored} = %s"
        if connection.vendor == "postgresql"
        # SQLite keeps the text as it was written: compared in one spelling.
        else f"json({stored}) = json(%s)"
    )
    return (
        f"{quote('status')} = %s AND {same} AND {quote('prediction_seq')} = %s",
        [
            Attempt.Status.OPEN.value,
            answers.get_db_prep_save(read.answers, connection),
            read.prediction_seq,
        ],
    )


def _finish(
    attempt: Attempt,
    *,
    submitted_at: datetime,
    finished_by: str,
    now: datetime,
    as_read: AsRead | None = None,
) -> Attempt | None:
    """The one writer of an attempt's result fields; the caller holds the row lock,
    or gives ``as_read`` what it read without it: the result is then written only
    if the row, still open, holds the same (one statement: no lock is held), and
    None is returned if it did not (nothing written).
    `now` is when the finish is recorded (after the deadline, for a late sweep)."""
    attempt_check_transition(attempt=attempt, to=Attempt.Status.FINISHED)
    key = _answer_key(
        attempt.round_id,
        (item[0] for item in attempt.draw),
        # Read with the locked attempt where the submit's read brought them.
        getattr(attempt.round, "voided_question_ids", None),
    )
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
    # The result and its trace, written by one statement where the database can.
    written = update_and_insert(
        (_ATTEMPTS, attempt, _RESULT_FIELDS),
        (_EVENTS, _event(attempt, kind=AttemptEvent.Kind.FINISHED, now=now)),
        only_if=None if as_read is None else _unchanged(attempt, as_read),
    )
    return attempt if written else None


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


class AttemptExpiredError(ValidationError):
    """The attempt was finished at its deadline because a request came too late."""


def _locked(attempt: Attempt) -> Attempt:
    # of=("self",): lock the attempt only, never the round row every contestant shares.
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=attempt.pk)
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


def _event(
    attempt: Attempt,
    *,
    kind: str,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> AttemptEvent:
    """The trace of one status change, to be written by the caller with the change
    itself (under the row lock, or by _finish's one conditional statement)."""
    actor_id = actor.pk if actor is not None else None
    if actor is None and attempt.finished_by == Attempt.FinishedBy.CONTESTANT:
        actor_id = attempt.user_id  # the id is enough: no query for the user row
    return AttemptEvent(
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
        _EVENTS.insert(
            _event(
                locked, kind=AttemptEvent.Kind.VOIDED, actor=by, reason=reason, now=now
            )
        )
    return locked
