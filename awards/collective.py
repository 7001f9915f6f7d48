"""Ranking units for collective prizes: pure, standard library only.

Contract: each unit's figures count itself and every unit below it (a district
counts its communes' participants). Units are ranked by the contest's metric, then
by the explicit tie-break criteria, then by unit id, larger figures first. A unit
whose participation rate is below the minimum, or whose headcount is 0 when a rate
is needed, is listed but not ranked, with the reason.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

PARTICIPANTS = "participants"
RATE = "rate"
AVERAGE_SCORE = "average_score"
WINNERS = "winners"
METRICS = (PARTICIPANTS, RATE, AVERAGE_SCORE, WINNERS)
DEFAULT_TIE_BREAK = (RATE, AVERAGE_SCORE)

BELOW_MIN_RATE = "below_min_rate"
NO_HEADCOUNT = "no_headcount"
NO_PARTICIPANTS = "no_participants"


@dataclass(frozen=True, slots=True)
class UnitNode:
    unit_id: int
    parent_id: int | None
    headcount: int


@dataclass(frozen=True, slots=True)
class PersonResult:
    """One participant's contribution: the unit and their counted scores."""

    person_id: int
    unit_id: int
    score_sum: Fraction  # sum over rounds of correct / question_count
    rounds: int
    is_winner: bool


@dataclass(frozen=True, slots=True)
class UnitFigures:
    unit_id: int
    headcount: int
    participants: int
    rate: Fraction  # participants / headcount, 0 without headcount
    average_score: Fraction  # mean counted score, as a share of the questions
    winners: int


@dataclass(frozen=True, slots=True)
class UnitStanding:
    rank: int | None
    figures: UnitFigures
    not_ranked_because: str | None


def figures(
    units: Sequence[UnitNode], people: Sequence[PersonResult]
) -> dict[int, UnitFigures]:
    """Each unit's figures over itself and its descendants."""
    parent = {u.unit_id: u.parent_id for u in units}
    participants: dict[int, int] = dict.fromkeys(parent, 0)
    winners: dict[int, int] = dict.fromkeys(parent, 0)
    score_sum: dict[int, Fraction] = {u: Fraction(0) for u in parent}
    scored_rounds: dict[int, int] = dict.fromkeys(parent, 0)
    for person in people:
        unit_id: int | None = person.unit_id
        while unit_id is not None and unit_id in parent:
            participants[unit_id] += 1
            winners[unit_id] += int(person.is_winner)
            score_sum[unit_id] += person.score_sum
            scored_rounds[unit_id] += person.rounds
            unit_id = parent[unit_id]
    result = {}
    for unit in units:
        uid = unit.unit_id
        result[uid] = UnitFigures(
            unit_id=uid,
            headcount=unit.headcount,
            participants=participants[uid],
            rate=Fraction(participants[uid], unit.headcount)
            if unit.headcount
            else Fraction(0),
            average_score=score_sum[uid] / scored_rounds[uid]
            if scored_rounds[uid]
            else Fraction(0),
            winners=winners[uid],
        )
    return result


def _value(fig: UnitFigures, metric: str) -> Fraction | int:
    return {
        PARTICIPANTS: fig.participants,
        RATE: fig.rate,
        AVERAGE_SCORE: fig.average_score,
        WINNERS: fig.winners,
    }[metric]


def rank_units(
    group: Sequence[UnitFigures],
    *,
    metric: str,
    tie_break: Sequence[str],
    min_rate: Fraction | None,
) -> list[UnitStanding]:
    """Rank one group of units; the unranked follow in unit id order."""
    ranked, unranked = [], []
    for fig in group:
        reason = None
        if fig.participants == 0:
            reason = NO_PARTICIPANTS
        elif (metric == RATE or min_rate is not None) and fig.headcount == 0:
            reason = NO_HEADCOUNT
        elif min_rate is not None and fig.rate < min_rate:
            reason = BELOW_MIN_RATE
        (unranked if reason else ranked).append((fig, reason))
    keys = [metric, *[c for c in tie_break if c != metric]]
    ranked.sort(
        key=lambda pair: (*[-_value(pair[0], k) for k in keys], pair[0].unit_id)
    )
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
