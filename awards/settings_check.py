"""Prize settings that could never award anyone: pure, standard library only.

Contract: `problems` returns, in a fixed order, a (code, details) pair for each
setting that can be saved but would never hand out its prize: an occupation listed
in two contestant groups (its people would be ranked in one of them only), an
individual tier without a contestant group while the contest has groups (nobody is
ranked outside the groups), a collective tier without a unit group.
"""

from collections.abc import Sequence
from dataclasses import dataclass

OCCUPATION_IN_TWO_GROUPS = "occupation_in_two_groups"
TIER_WITHOUT_GROUP = "tier_without_group"
TIER_WITHOUT_UNIT_GROUP = "tier_without_unit_group"

INDIVIDUAL = "individual"
COLLECTIVE = "collective"


@dataclass(frozen=True, slots=True)
class GroupSetting:
    name: str
    occupations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TierSetting:
    name: str
    kind: str
    has_contestant_group: bool
    has_unit_group: bool


def problems(
    *, groups: Sequence[GroupSetting], tiers: Sequence[TierSetting]
) -> list[tuple[str, dict[str, str]]]:
    """Every setting that can never award, as (code, details for the message)."""
    found: list[tuple[str, dict[str, str]]] = []
    owner: dict[str, str] = {}
    for group in groups:
        for occupation in group.occupations:
            if occupation in owner and owner[occupation] != group.name:
                found.append(
                    (
                        OCCUPATION_IN_TWO_GROUPS,
                        {
                            "occupation": occupation,
                            "first": owner[occupation],
                            "second": group.name,
                        },
                    )
                )
            owner.setdefault(occupation, group.name)
    for tier in tiers:
        if tier.kind == INDIVIDUAL and groups and not tier.has_contestant_group:
            found.append((TIER_WITHOUT_GROUP, {"tier": tier.name}))
        if tier.kind == COLLECTIVE and not tier.has_unit_group:
            found.append((TIER_WITHOUT_UNIT_GROUP, {"tier": tier.name}))
    return found
