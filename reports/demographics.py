"""Who took part, by occupation and by age band: pure, standard library only.

Contract: `tally` counts each participant once in the total and once in every
unit on the path from the root down to their own unit (a unit's figures include
its sub-units' people, like the participation rate). A participant whose unit is
outside the given tree counts in the total only. Every count splits two ways: by
occupation (the caller's columns, then one for anything undeclared or unknown)
and by age band (AGE_BANDS, then one for an unknown age). Age is whole years on
the day of the person's first attempt in the contest, counted like
rounds.eligibility.age_on: a person born on 29 February turns a year older on
1 March in common years, and a 14-year-old is one from their 14th birthday on.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

UNDECLARED = ""  # the occupation column for a blank or unknown occupation
UNKNOWN_AGE = "unknown"


@dataclass(frozen=True, slots=True)
class AgeBand:
    key: str
    label: str  # what the dashboard prints in the column header
    lowest: int  # whole years, inclusive


# The one list of age bands. Plan 003 counts pupils "từ đủ 14 tuổi", so 14 opens a
# band; 18 is legal adulthood; 60 is where the oldest band begins ("trên 60").
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand(key="under_14", label="Dưới 14 tuổi", lowest=0),
    AgeBand(key="14_17", label="14–17 tuổi", lowest=14),
    AgeBand(key="18_30", label="18–30 tuổi", lowest=18),
    AgeBand(key="31_45", label="31–45 tuổi", lowest=31),
    AgeBand(key="46_60", label="46–60 tuổi", lowest=46),
    AgeBand(key="over_60", label="Trên 60 tuổi", lowest=61),
)
UNKNOWN_AGE_LABEL = "Chưa rõ ngày sinh"
AGE_KEYS: tuple[str, ...] = (*(band.key for band in AGE_BANDS), UNKNOWN_AGE)


@dataclass(frozen=True, slots=True)
class Participant:
    unit_id: int | None
    occupation: str
    born: date | None
    first_day: date  # local date of the person's first attempt in the contest


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    by_occupation: tuple[int, ...]  # in Tally.occupations order
    by_age: tuple[int, ...]  # in AGE_KEYS order


@dataclass(frozen=True, slots=True)
class Tally:
    occupations: tuple[str, ...]  # the columns: the caller's, then UNDECLARED
    per_unit: Mapping[int, Counts]  # every unit of the tree, sub-units included
    total: Counts  # each participant once, with or without a unit in the tree


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day` (as rounds.eligibility.age_on)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def age_band(born: date | None, day: date) -> str:
    """The key of the band holding the person's age on `day`; UNKNOWN_AGE without
    a birth date or with one after `day`."""
    if born is None or born > day:
        return UNKNOWN_AGE
    age = age_on(born, day)
    key = UNKNOWN_AGE
    for band in AGE_BANDS:
        if age >= band.lowest:
            key = band.key
    return key


def tally(
    participants: Iterable[Participant],
    *,
    occupations: Sequence[str],
    ancestors: Mapping[int, Sequence[int]],
) -> Tally:
    """Count participants per unit (`ancestors`: unit id -> ids from the root down
    to the unit itself) and in total, by occupation and by age band."""
    columns = tuple(dict.fromkeys((*occupations, UNDECLARED)))
    occupation_index = {key: i for i, key in enumerate(columns)}
    age_index = {key: i for i, key in enumerate(AGE_KEYS)}
    undeclared = occupation_index[UNDECLARED]
    in_tree = set(ancestors)
    per_unit = {unit_id: _Cells(len(columns)) for unit_id in ancestors}
    total = _Cells(len(columns))
    for person in participants:
        occupation = occupation_index.get(person.occupation, undeclared)
        age = age_index[age_band(person.born, person.first_day)]
        total.add(occupation, age)
        if person.unit_id not in in_tree:
            continue
        for unit_id in ancestors[person.unit_id]:
            if unit_id in in_tree:
                per_unit[unit_id].add(occupation, age)
    return Tally(
        occupations=columns,
        per_unit={unit_id: cells.frozen() for unit_id, cells in per_unit.items()},
        total=total.frozen(),
    )


class _Cells:
    """Mutable counters while tallying; frozen into Counts at the end."""

    __slots__ = ("by_age", "by_occupation", "total")

    def __init__(self, occupations: int) -> None:
        self.total = 0
        self.by_occupation = [0] * occupations
        self.by_age = [0] * len(AGE_KEYS)

    def add(self, occupation: int, age: int) -> None:
        self.total += 1
        self.by_occupation[occupation] += 1
        self.by_age[age] += 1

    def frozen(self) -> Counts:
        return Counts(
            total=self.total,
            by_occupation=tuple(self.by_occupation),
            by_age=tuple(self.by_age),
        )
