"""Allocating prizes down a ranking: pure, standard library only.

Contract: tiers are filled in their given order, each with `count` prizes. The
ranking is walked from the top; a candidate with a blocking reason is skipped and
the reason recorded, and so is a person who already holds a prize from this
allocation; everyone else takes the next free prize. Once every prize is given the
rest receive nothing and no reason. The result has one Award per candidate, in the
candidates' order, so the same input always gives the same list.
"""

from collections.abc import Sequence
from dataclasses import dataclass

ALREADY_AWARDED = "already_awarded"


@dataclass(frozen=True, slots=True)
class Tier:
    tier_id: int
    count: int


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    blocked_by: str | None = None  # a reason code, or None when eligible


@dataclass(frozen=True, slots=True)
class Award:
    person_id: int
    tier_id: int | None
    skipped_because: str | None


def allocate(candidates: Sequence[Candidate], tiers: Sequence[Tier]) -> list[Award]:
    """Walk the ranking and hand out the tiers' prizes to the eligible."""
    slots = [tier.tier_id for tier in tiers for _ in range(tier.count)]
    awarded: set[int] = set()
    result: list[Award] = []
    for candidate in candidates:
        if len(awarded) >= len(slots):
            result.append(Award(candidate.person_id, None, None))
        elif candidate.blocked_by is not None:
            result.append(Award(candidate.person_id, None, candidate.blocked_by))
        elif candidate.person_id in awarded:
            result.append(Award(candidate.person_id, None, ALREADY_AWARDED))
        else:
            result.append(Award(candidate.person_id, slots[len(awarded)], None))
            awarded.add(candidate.person_id)
    return result
