"""Ranking a round's finished attempts: pure, standard library only.

Contract:
- Each person is represented by one counted attempt: the best one by the ranking
  order ("best"), their first submitted ("first") or their last submitted ("last").
- The ranking order is a list of criteria (CRITERIA_TABLE); the earlier submission
  and then the attempt id always follow the chosen ones, so the order is total and
  the same whatever order the entries arrive in.
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
from functools import total_ordering

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
class Criterion:
    """One ranking criterion: the key it reads and which way is better."""

    code: str
    key: str  # a field of RankKey, and a column of the database ranking
    descending: bool  # True when more is better
    varies_within_person: bool  # False: the same for all of one person's attempts
    needs_truth: bool  # neutral (every value equal) until the truth is known


# The one definition of every criterion. awards.ranking sorts by it, the database
# ranking (awards.selectors) orders by it, and the rules are stated in words from it
# (awards.rules_text): none of them names a criterion's key or direction again.
CRITERIA_TABLE: dict[str, Criterion] = {
    c.code: c
    for c in (
        Criterion(CORRECT, "correct", True, True, False),
        Criterion(PREDICTION, "prediction_gap", False, True, True),
        Criterion(DURATION, "duration_ms", False, True, False),
        Criterion(SUBMITTED, "submitted_at", False, True, False),
        Criterion(ATTEMPTS, "attempts_used", False, False, False),
        Criterion(REGISTERED, "registered_at", False, False, False),
    )
}
# After the chosen criteria, always: the earlier submission, then the attempt id
# (unique), so the order is total whatever the contest chose.
LAST_RESORT = (SUBMITTED,)
FINAL_KEY = "attempt_id"


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
class RankKey:
    """What the criteria read of one counted attempt."""

    attempt_id: int
    correct: int
    prediction_gap: int
    duration_ms: int
    submitted_at: datetime
    attempts_used: int
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


def effective_order(order: Sequence[str]) -> tuple[str, ...]:
    """The chosen criteria followed by the last resort ones not chosen."""
    order = validate_order(order)
    return (*order, *[c for c in LAST_RESORT if c not in order])


def order_keys(
    order: Sequence[str], *, within_person: bool, has_truth: bool
) -> list[tuple[str, bool]]:
    """The ranking order as (RankKey field, descending) pairs, the final key last.

    Within one person's attempts (choosing the best one) a criterion constant for
    the person is left out; without a truth the prediction is left out (neutral).
    """
    keys = []
    for code in effective_order(order):
        criterion = CRITERIA_TABLE[code]
        if within_person and not criterion.varies_within_person:
            continue
        if criterion.needs_truth and not has_truth:
            continue
        keys.append((criterion.key, criterion.descending))
    keys.append((FINAL_KEY, False))
    return keys


def pick_keys(
    policy: str, *, order: Sequence[str], has_truth: bool
) -> list[tuple[str, bool]]:
    """How one person's counted attempt is chosen among theirs, as order_keys."""
    if policy == BEST:
        return order_keys(order, within_person=True, has_truth=has_truth)
    if policy == FIRST:
        return [("submitted_at", False), (FINAL_KEY, False)]
    if policy == LAST:
        return [("submitted_at", True), (FINAL_KEY, True)]
    raise ValueError(f"unknown counted-attempt policy: {policy!r}")


def prediction_gap(prediction: int | None, truth: int | None) -> int:
    if truth is None:
        return 0
    if prediction is None:
        return MISSING_PREDICTION_GAP
    return abs(prediction - truth)


def rank_key(entry: Entry, *, truth: int | None, attempts_used: int) -> RankKey:
    return RankKey(
        attempt_id=entry.attempt_id,
        correct=entry.correct,
        prediction_gap=prediction_gap(entry.prediction, truth),
        duration_ms=entry.duration_ms,
        submitted_at=entry.submitted_at,
        attempts_used=attempts_used,
        registered_at=entry.registered_at,
    )


@total_ordering
class _Reversed:
    """Wraps a value so that a plain ascending sort puts larger values first."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __lt__(self, other: "_Reversed") -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value


def key_tuple(key: RankKey, keys: Sequence[tuple[str, bool]]) -> tuple:
    """The sortable tuple of `key` under `keys` (from order_keys or pick_keys)."""
    return tuple(
        _Reversed(getattr(key, name)) if descending else getattr(key, name)
        for name, descending in keys
    )


def sort_key(
    entry: Entry, *, order: Sequence[str], truth: int | None, attempts_used: int
) -> tuple:
    """The entry's place in the ranking order, smaller first."""
    keys = order_keys(order, within_person=False, has_truth=truth is not None)
    return key_tuple(rank_key(entry, truth=truth, attempts_used=attempts_used), keys)


def _by_person(entries: Iterable[Entry]) -> dict[int, list[Entry]]:
    people: dict[int, list[Entry]] = {}
    for entry in entries:
        people.setdefault(entry.person_id, []).append(entry)
    return people


def counted_attempts(
    entries: Iterable[Entry], *, policy: str, order: Sequence[str], truth: int | None
) -> list[Entry]:
    """One entry per person, chosen by the counted-attempt policy."""
    keys = pick_keys(policy, order=order, has_truth=truth is not None)
    return [
        min(
            own,
            key=lambda e: key_tuple(rank_key(e, truth=truth, attempts_used=0), keys),
        )
        for own in _by_person(entries).values()
    ]


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
