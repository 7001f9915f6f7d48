"""Ranking units for collective prizes: pure, standard library only.

Contract:
- A unit's headcount is its own staff; the staff of its sub-units is theirs.
- Without a member set, each unit's figures count itself and every unit below it
  (a district counts its communes' people and staff). With the member set of one
  unit group, each person and each unit's own staff count for the nearest unit of
  the group at or above their unit, once: a unit and its own sub-unit in one group
  never both count the same people.
- The participation rate is the people of the rate population (all participants by
  default) over the headcount.
- Units are ranked by an ordered list of criteria (UNIT_CRITERIA_TABLE), the first
  as the metric and the rest as tie-breaks, then by unit id. A unit without
  participants, or without headcount where any criterion or the minimum needs a
  rate, or below the minimum rate, is listed but not ranked, with the reason.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from fractions import Fraction

PARTICIPANTS = "participants"
RATE = "rate"
AVERAGE_SCORE = "average_score"
TOTAL_CORRECT = "total_correct"
PERFECT_PEOPLE = "perfect_people"
WINNERS = "winners"
AVERAGE_DURATION = "average_duration"


@dataclass(frozen=True, slots=True)
class UnitCriterion:
    code: str
    field: str  # of UnitFigures
    descending: bool  # True when more is better
    needs_headcount: bool


# The one definition of the collective criteria: the ranking below sorts by it and
# the rules are stated in words from it (awards.rules_text).
UNIT_CRITERIA_TABLE: dict[str, UnitCriterion] = {
    c.code: c
    for c in (
        UnitCriterion(PARTICIPANTS, "participants", True, False),
        UnitCriterion(RATE, "rate", True, True),
        UnitCriterion(AVERAGE_SCORE, "average_score", True, False),
        UnitCriterion(TOTAL_CORRECT, "total_correct", True, False),
        UnitCriterion(PERFECT_PEOPLE, "perfect_people", True, False),
        UnitCriterion(WINNERS, "winners", True, False),
        UnitCriterion(AVERAGE_DURATION, "average_duration_ms", False, False),
    )
}
METRICS = tuple(UNIT_CRITERIA_TABLE)
DEFAULT_TIE_BREAK = (RATE, AVERAGE_SCORE)

BELOW_MIN_RATE = "below_min_rate"
NO_HEADCOUNT = "no_headcount"
NO_PARTICIPANTS = "no_participants"


@dataclass(frozen=True, slots=True)
class UnitNode:
    unit_id: int
    parent_id: int | None
    headcount: int  # the unit's own staff, not its sub-units'


@dataclass(frozen=True, slots=True)
class RoundScore:
    """One counted round of one person."""

    correct: int
    question_count: int
    duration_ms: int
    is_winner: bool = False


@dataclass(frozen=True, slots=True)
class PersonResult:
    """One participant's contribution: the unit and their counted rounds."""

    person_id: int
    unit_id: int
    scores: tuple[RoundScore, ...]
    in_rate_population: bool = True


@dataclass(frozen=True, slots=True)
class UnitFigures:
    unit_id: int
    headcount: int
    participants: int
    rate: Fraction  # rate population / headcount, 0 without headcount
    average_score: Fraction  # mean counted score, as a share of the questions
    total_correct: int
    perfect_people: int  # people with at least one counted round all correct
    winners: int
    average_duration_ms: Fraction  # mean duration of the counted rounds


@dataclass(frozen=True, slots=True)
class UnitStanding:
    rank: int | None
    figures: UnitFigures
    not_ranked_because: str | None


def validate_order(order: Sequence[str]) -> tuple[str, ...]:
    """The order as a tuple; refuses an empty order, unknown or repeated criteria."""
    if not order or len(set(order)) != len(order) or not set(order) <= set(METRICS):
        raise ValueError(f"invalid unit ranking order: {order!r}")
    return tuple(order)


def _owner(
    unit_id: int, parent: dict[int, int | None], members: Collection[int] | None
) -> list[int]:
    """The units that count something of `unit_id`: every unit at or above it
    without a member set, else the nearest member at or above it (or none)."""
    owners = []
    current: int | None = unit_id
    while current is not None and current in parent:
        if members is None:
            owners.append(current)
        elif current in members:
            return [current]
        current = parent[current]
    return owners


def figures(
    units: Sequence[UnitNode],
    people: Sequence[PersonResult],
    *,
    members: Collection[int] | None = None,
) -> dict[int, UnitFigures]:
    """Each unit's figures (each member's, with a member set), as the contract says."""
    parent = {u.unit_id: u.parent_id for u in units}
    counted = list(parent) if members is None else [u for u in parent if u in members]
    headcount = dict.fromkeys(counted, 0)
    for unit in units:
        for owner in _owner(unit.unit_id, parent, members):
            headcount[owner] += unit.headcount
    zero = {
        "participants": 0,
        "population": 0,
        "rounds": 0,
        "score": Fraction(0),
        "correct": 0,
        "perfect": 0,
        "winners": 0,
        "duration": 0,
    }
    totals = {uid: dict(zero) for uid in counted}
    for person in people:
        for owner in _owner(person.unit_id, parent, members):
            total = totals[owner]
            total["participants"] += 1
            total["population"] += int(person.in_rate_population)
            total["rounds"] += len(person.scores)
            total["score"] += sum(
                (
                    Fraction(s.correct, s.question_count)
                    for s in person.scores
                    if s.question_count
                ),
                Fraction(0),
            )
            total["correct"] += sum(s.correct for s in person.scores)
            total["perfect"] += int(
                any(s.correct == s.question_count for s in person.scores)
            )
            total["winners"] += int(any(s.is_winner for s in person.scores))
            total["duration"] += sum(s.duration_ms for s in person.scores)
    result = {}
    for uid in counted:
        total, staff = totals[uid], headcount[uid]
        rounds = total["rounds"]
        result[uid] = UnitFigures(
            unit_id=uid,
            headcount=staff,
            participants=total["participants"],
            rate=Fraction(total["population"], staff) if staff else Fraction(0),
            average_score=total["score"] / rounds if rounds else Fraction(0),
            total_correct=total["correct"],
            perfect_people=total["perfect"],
            winners=total["winners"],
            average_duration_ms=Fraction(total["duration"], rounds)
            if rounds
            else Fraction(0),
        )
    return result


def sort_key(fig: UnitFigures, order: Sequence[str]) -> tuple:
    """The unit's place among ranked units under `order`, smaller first."""
    parts = []
    for code in order:
        criterion = UNIT_CRITERIA_TABLE[code]
        value = getattr(fig, criterion.field)
        parts.append(-value if criterion.descending else value)
    return (*parts, fig.unit_id)


def not_ranked_because(
    fig: UnitFigures, *, order: Sequence[str], min_rate: Fraction | None
) -> str | None:
    """Why the unit cannot be ranked, or None."""
    needs_headcount = min_rate is not None or any(
        UNIT_CRITERIA_TABLE[c].needs_headcount for c in order
    )
    if fig.participants == 0:
        return NO_PARTICIPANTS
    if needs_headcount and fig.headcount == 0:
        return NO_HEADCOUNT
    if min_rate is not None and fig.rate < min_rate:
        return BELOW_MIN_RATE
    return None


def rank_units(
    group: Sequence[UnitFigures],
    *,
    order: Sequence[str],
    min_rate: Fraction | None,
) -> list[UnitStanding]:
    """Rank one group of units; the unranked follow in unit id order."""
    order = validate_order(order)
    ranked, unranked = [], []
    for fig in group:
        reason = not_ranked_because(fig, order=order, min_rate=min_rate)
        (unranked if reason else ranked).append((fig, reason))
    ranked.sort(key=lambda pair: sort_key(pair[0], order))
    unranked.sort(key=lambda pair: pair[0].unit_id)
    standings = [
        UnitStanding(rank=i, figures=fig, not_ranked_because=None)
        for i, (fig, _) in enumerate(ranked, start=1)
    ]
    standings += [
        UnitStanding(rank=None, figures=fig, not_ranked_because=reason)
        for fig, reason in unranked
    ]
    return standings
