"""Scoring a finished attempt: pure, standard library only.

Contract: the score is the number of drawn questions whose stored answer is the
question's correct original choice index, out of the number of questions drawn.
Unanswered questions count as wrong; a voided question counts as correct for
everyone, answered or not. Nothing the browser sent except the stored
choice indexes takes part, so a score is reproducible from the stored draw alone.
Durations are whole milliseconds between the server's start and the server's receipt.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ScoreCard:
    correct: int
    total: int
    answered: int


def score(
    *,
    correct_indexes: Sequence[int],
    answers: Sequence[int | None],
    voided: Sequence[bool] = (),
) -> ScoreCard:
    """Correct answers out of the questions drawn; answers align with positions."""
    if len(answers) != len(correct_indexes):
        raise ValueError("answers must align with the drawn questions")
    if voided and len(voided) != len(correct_indexes):
        raise ValueError("voided flags must align with the drawn questions")
    flags = voided or [False] * len(correct_indexes)
    correct = sum(
        1
        for key, given, void in zip(correct_indexes, answers, flags, strict=True)
        if void or (given is not None and given == key)
    )
    answered = sum(1 for given in answers if given is not None)
    return ScoreCard(correct=correct, total=len(correct_indexes), answered=answered)


def duration_ms(*, started_at: datetime, finished_at: datetime) -> int:
    """Whole milliseconds from start to finish, never negative."""
    delta = finished_at - started_at
    millis = delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000
    return max(millis, 0)


def format_duration(millis: int) -> str:
    """mm:ss for a person to read (hours fold into minutes)."""
    seconds = millis // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def answers_fingerprint(
    *, revision_ids: Sequence[int], chosen: Sequence[int | None]
) -> str:
    """The chosen answers keyed by question revision, hashed; "" when none was given.

    Two attempts with the same fingerprint chose the same answers to the same
    questions, whatever order they were shown in (awards.suspicion compares them).
    """
    if all(choice is None for choice in chosen):
        return ""
    pairs = sorted(zip(revision_ids, chosen, strict=True))
    return hashlib.blake2b(repr(pairs).encode(), digest_size=16).hexdigest()
