"""Who may take part in a contest: pure, standard library only.

Contract: `check` returns the reasons a person may not rank in a contest, in a fixed
order; an empty tuple means eligible. Age counts whole years on the given day, so a
person born on 29 February turns a year older on 1 March in common years.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

UNDER_AGE = "under_age"
MISSING_BIRTH_DATE = "missing_birth_date"
STAFF = "staff"
CONTEST_ROLE = "contest_role"
EXCLUDED_UNIT = "excluded_unit"
MISSING_UNIT = "missing_unit"
MISSING_CITIZEN_ID = "missing_citizen_id"

# Reasons that a practice attempt may waive; age and missing data never are.
EXCLUSIONS = frozenset({STAFF, CONTEST_ROLE, EXCLUDED_UNIT})


@dataclass(frozen=True, slots=True)
class Person:
    date_of_birth: date | None
    is_staff: bool
    contest_role: str
    unit_path_ids: tuple[int, ...]
    has_citizen_id: bool


@dataclass(frozen=True, slots=True)
class Rules:
    min_age: int
    excluded_unit_ids: Collection[int]
    require_citizen_id: bool


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def check(*, person: Person, rules: Rules, day: date) -> tuple[str, ...]:
    """Reasons, as codes, why the person may not rank in the contest on `day`."""
    reasons: list[str] = []
    if rules.min_age:
        if person.date_of_birth is None:
            reasons.append(MISSING_BIRTH_DATE)
        elif age_on(person.date_of_birth, day) < rules.min_age:
            reasons.append(UNDER_AGE)
    if not person.unit_path_ids:
        reasons.append(MISSING_UNIT)
    if rules.require_citizen_id and not person.has_citizen_id:
        reasons.append(MISSING_CITIZEN_ID)
    if person.is_staff:
        reasons.append(STAFF)
    if person.contest_role:
        reasons.append(CONTEST_ROLE)
    if set(person.unit_path_ids) & set(rules.excluded_unit_ids):
        reasons.append(EXCLUDED_UNIT)
    return tuple(reasons)
