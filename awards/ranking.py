"""Ranking a round's finished attempts: pure, standard library only.

Contract:
- Each person is represented by one counted attempt: the best one by the ranking
  order ("best"), their first submitted ("first") or their last submitted ("last").
- The ranking order is a list of criteria; the attempt id is always the final key,
  so the order is total and the same whatever order the entries arrive in.
- The prediction gap is |prediction - truth|; a missing prediction ranks after every
  given one; without a truth every gap is 0 (the criterion is neutral).
- "perfect_people" counts persons whose counted attempt, chosen with the prediction
  criterion neutral (the truth is not known yet), has every answer correct.
The database implementation (awards.selectors.round_ranking_rows) must agree with
this module; a test compares them on generated data.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

CORRECT = "correct"
PREDICTION = "prediction"
DURATION = "duration"
SUBMITTED = "submitted"
ATTEMPTS = "attempts"
REGISTERED = "registered"
CRITERIA = (CORRECT, PREDICTION, DURATION, SUBMITTED, ATTEMPTS, REGISTERED)
DEFAULT_ORDER = (CORRECT, PREDICTION, DURATION, SUBMITTED)

BEST = "best"
FIRST = "first"
LAST = "last"
COUNTED_POLICIES = (BEST, FIRST, LAST)

TRUTH_PERFECT_PEOPLE = "perfect_people"
TRUTH_PARTICIPANTS = "participants"
TRUTH_ATTEMPTS = "attempts"
TRUTH_MANUAL = "manual"
TRUTH_KINDS = (TRUTH_PERFECT_PEOPLE, TRUTH_PARTICIPANTS, TRUTH_ATTEMPTS, TRUTH_MANUAL)

# Larger than any real gap: a person who gave no prediction is never "closer".
MISSING_PREDICTION_GAP = 2**62


@dataclass(frozen=True, slots=True)
class Entry:
    """One finished, ranked (not practice) attempt."""

    attempt_id: int
    person_id: int
    correct: int
    question_count: int
    prediction: int | None
    duration_ms: int
    submitted_at: datetime
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    entry: Entry
    prediction_gap: int
    attempts_used: int


def validate_order(order: Sequence[str]) -> tuple[str, ...]:
    """The order as a tuple; refuses unknown or repeated criteria."""
    if len(set(order)) != len(order) or not set(order) <= set(CRITERIA):
        raise ValueError(f"invalid ranking order: {order!r}")
    return tuple(order)


def prediction_gap(prediction: int | None, truth: int | None) -> int:
    if truth is None:
        return 0
    if prediction is None:
        return MISSING_PREDICTION_GAP
    return abs(prediction - truth)


def sort_key(
    entry: Entry, *, order: Sequence[str], truth: int | None, attempts_used: int
) -> tuple:
    """The entry's place in the ranking order, smaller first."""
    parts: list = []
    for criterion in order:
        if criterion == CORRECT:
            parts.append(-entry.correct)
        elif criterion == PREDICTION:
            parts.append(prediction_gap(entry.prediction, truth))
        elif criterion == DURATION:
            parts.append(entry.duration_ms)
        elif criterion == SUBMITTED:
            parts.append(entry.submitted_at)
        elif criterion == ATTEMPTS:
            parts.append(attempts_used)
        elif criterion == REGISTERED:
            parts.append(entry.registered_at)
    parts.append(entry.attempt_id)
    return tuple(parts)


def _by_person(entries: Iterable[Entry]) -> dict[int, list[Entry]]:
    people: dict[int, list[Entry]] = {}
    for entry in entries:
        people.setdefault(entry.person_id, []).append(entry)
    return people


def counted_attempts(
    entries: Iterable[Entry], *, policy: str, order: Sequence[str], truth: int | None
) -> list[Entry]:
    """One entry per person, chosen by the counted-attempt policy."""
    chosen = []
    for own in _by_person(entries).values():
        if policy == BEST:
            pick = min(
                own,
                key=lambda e: sort_key(e, order=order, truth=truth, attempts_used=0),
            )
        elif policy == FIRST:
            pick = min(own, key=lambda e: (e.submitted_at, e.attempt_id))
        elif policy == LAST:
            pick = max(own, key=lambda e: (e.submitted_at, e.attempt_id))
        else:
            raise ValueError(f"unknown counted-attempt policy: {policy!r}")
        chosen.append(pick)
    return chosen


def rank(
    entries: Iterable[Entry], *, policy: str, order: Sequence[str], truth: int | None
) -> list[Standing]:
    """The full ranking: one standing per person, rank 1 first."""
    entries = list(entries)
    used = {pid: len(own) for pid, own in _by_person(entries).items()}
    counted = counted_attempts(entries, policy=policy, order=order, truth=truth)
    counted.sort(
        key=lambda e: sort_key(
            e, order=order, truth=truth, attempts_used=used[e.person_id]
        )
    )
    return [
        Standing(
            rank=position,
            entry=entry,
            prediction_gap=prediction_gap(entry.prediction, truth),
            attempts_used=used[entry.person_id],
        )
        for position, entry in enumerate(counted, start=1)
    ]


def prediction_truth(
    entries: Iterable[Entry],
    *,
    kind: str,
    policy: str,
    order: Sequence[str],
    manual: int | None = None,
) -> int | None:
    """The true value of the round's prediction question, by the contest's rule."""
    entries = list(entries)
    if kind == TRUTH_MANUAL:
        return manual
    if kind == TRUTH_ATTEMPTS:
        return len(entries)
    if kind == TRUTH_PARTICIPANTS:
        return len({e.person_id for e in entries})
    if kind == TRUTH_PERFECT_PEOPLE:
        counted = counted_attempts(entries, policy=policy, order=order, truth=None)
        return sum(1 for e in counted if e.correct == e.question_count)
    raise ValueError(f"unknown truth kind: {kind!r}")


def rank_within_groups(
    standings: Sequence[Standing], group_of: Mapping[int, object]
) -> dict[int, int]:
    """Each person's position among the standings of the same group (1 first)."""
    seen: dict[object, int] = {}
    positions: dict[int, int] = {}
    for standing in standings:
        group = group_of.get(standing.entry.person_id)
        seen[group] = seen.get(group, 0) + 1
        positions[standing.entry.person_id] = seen[group]
    return positions
