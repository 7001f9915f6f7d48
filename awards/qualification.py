"""Who reaches the final from a qualifying round: pure, standard library only.

Contract: the ranking is walked from the top; each eligible person fills a place
of the unit they qualify through, until that unit has `per_unit` places filled.
A person qualifies through the nearest unit at or above their own whose level is
one of `levels` (its sub-units included); without levels, or when no unit above
them has such a level, through their own unit. A person without a unit never
qualifies.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ranked:
    person_id: int
    unit_path_ids: tuple[int, ...]  # from the root down to the person's own unit
    eligible: bool


def qualifying_unit(
    path_ids: Sequence[int], *, levels: Collection[str], level_of: Mapping[int, str]
) -> int | None:
    """The unit whose places the person competes for, or None without a unit."""
    if not path_ids:
        return None
    if levels:
        for unit_id in reversed(path_ids):
            if level_of.get(unit_id) in levels:
                return unit_id
    return path_ids[-1]


def qualifiers(
    ranked: Iterable[Ranked],
    *,
    per_unit: int,
    levels: Collection[str],
    level_of: Mapping[int, str],
) -> list[int]:
    """The people who qualify, in ranking order."""
    filled: dict[int, int] = {}
    chosen = []
    for row in ranked:
        unit = qualifying_unit(row.unit_path_ids, levels=levels, level_of=level_of)
        if not row.eligible or unit is None or filled.get(unit, 0) >= per_unit:
            continue
        filled[unit] = filled.get(unit, 0) + 1
        chosen.append(row.person_id)
    return chosen
