"""Who may take part in a contest: pure, standard library only.

Contract: `check` returns the reasons a person may not rank in a contest, in a fixed
order; an empty tuple means eligible. Committee membership is per contest: a member
of one contest's committee is excluded from that contest only. Age counts whole years on the given day, so a
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
OCCUPATION_NOT_ALLOWED = "occupation_not_allowed"
NATIONALITY_NOT_ALLOWED = "nationality_not_allowed"
COMMITTEE_UNIT = "committee_unit"
PHONE_NOT_VERIFIED = "phone_not_verified"

# Reasons that a practice attempt may waive; age and missing data never are.
EXCLUSIONS = frozenset(
    {
        STAFF,
        CONTEST_ROLE,
        EXCLUDED_UNIT,
        OCCUPATION_NOT_ALLOWED,
        NATIONALITY_NOT_ALLOWED,
        COMMITTEE_UNIT,
    }
)


@dataclass(frozen=True, slots=True)
class Person:
    date_of_birth: date | None
    is_staff: bool
    unit_path_ids: tuple[int, ...]  # from the root down to the person's own unit
    has_citizen_id: bool
    person_id: int | None = None  # None for an account not yet registered
    occupation: str = ""
    nationality: str = "VN"
    phone_verified: bool = False  # a code sent by SMS to the number was typed in


@dataclass(frozen=True, slots=True)
class Rules:
    min_age: int
    excluded_unit_ids: Collection[int]
    require_citizen_id: bool
    # Members of this contest's committees, and the units (own unit only) whose
    # people the contest also excludes because a member works there.
    committee_ids: Collection[int] = frozenset()
    committee_unit_ids: Collection[int] = frozenset()
    allowed_occupations: Collection[str] = frozenset()  # empty: everyone
    allowed_nationalities: Collection[str] = frozenset()  # empty: everyone
    require_phone_verification: bool = False


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
    if rules.require_phone_verification and not person.phone_verified:
        reasons.append(PHONE_NOT_VERIFIED)
    if person.is_staff:
        reasons.append(STAFF)
    if person.person_id is not None and person.person_id in rules.committee_ids:
        reasons.append(CONTEST_ROLE)
    if set(person.unit_path_ids) & set(rules.excluded_unit_ids):
        reasons.append(EXCLUDED_UNIT)
    if person.unit_path_ids and person.unit_path_ids[-1] in rules.committee_unit_ids:
        reasons.append(COMMITTEE_UNIT)
    if rules.allowed_occupations and person.occupation not in rules.allowed_occupations:
        reasons.append(OCCUPATION_NOT_ALLOWED)
    if (
        rules.allowed_nationalities
        and person.nationality not in rules.allowed_nationalities
    ):
        reasons.append(NATIONALITY_NOT_ALLOWED)
    return tuple(reasons)
