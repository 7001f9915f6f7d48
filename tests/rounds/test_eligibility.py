from dataclasses import replace
from datetime import date

import pytest

from rounds.eligibility import (
    COMMITTEE_UNIT,
    CONTEST_ROLE,
    EXCLUDED_UNIT,
    EXCLUSIONS,
    MISSING_BIRTH_DATE,
    MISSING_CITIZEN_ID,
    MISSING_UNIT,
    NATIONALITY_NOT_ALLOWED,
    OCCUPATION_NOT_ALLOWED,
    PHONE_NOT_VERIFIED,
    STAFF,
    UNDER_AGE,
    Person,
    Rules,
    age_on,
    check,
)

DAY = date(2024, 6, 15)

# Eighteen on DAY exactly, in unit 3 under 2 under 1; no contest role.
ELIGIBLE = Person(
    date_of_birth=date(2006, 6, 15),
    is_staff=False,
    unit_path_ids=(1, 2, 3),
    has_citizen_id=True,
    person_id=7,
    occupation="worker",
)
RULES = Rules(min_age=18, excluded_unit_ids=(), require_citizen_id=False)


@pytest.mark.parametrize(
    ("born", "day", "expected"),
    [
        (date(2000, 6, 15), date(2024, 6, 14), 23),
        (date(2000, 6, 15), date(2024, 6, 15), 24),
        (date(2000, 6, 15), date(2024, 6, 16), 24),
        (date(2000, 12, 31), date(2024, 1, 1), 23),
        (date(2000, 1, 1), date(2023, 12, 31), 23),
        (date(2024, 6, 15), date(2024, 6, 15), 0),
        (date(2004, 2, 29), date(2023, 2, 28), 18),
        (date(2004, 2, 29), date(2023, 3, 1), 19),
        (date(2004, 2, 29), date(2024, 2, 28), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
    ],
    ids=[
        "day-before-birthday",
        "on-birthday",
        "day-after-birthday",
        "new-year-after-late-birthday",
        "new-years-eve-before-early-birthday",
        "born-today",
        "leap-born-28-feb-common-year",
        "leap-born-1-mar-common-year",
        "leap-born-28-feb-leap-year",
        "leap-born-29-feb-leap-year",
    ],
)
def test_age_on(born, day, expected):
    age = age_on(born, day)

    assert age == expected


def test_check_eligible_person_has_no_reasons():
    reasons = check(person=ELIGIBLE, rules=RULES, day=DAY)

    assert reasons == ()


def test_check_refuses_a_person_under_age():
    person = replace(ELIGIBLE, date_of_birth=date(2006, 6, 16))

    reasons = check(person=person, rules=RULES, day=DAY)

    assert reasons == (UNDER_AGE,)


def test_check_refuses_a_missing_birth_date_when_an_age_is_required():
    person = replace(ELIGIBLE, date_of_birth=None)

    reasons = check(person=person, rules=RULES, day=DAY)

    assert reasons == (MISSING_BIRTH_DATE,)


@pytest.mark.parametrize(
    "born",
    [None, date(2020, 1, 1)],
    ids=["no-birth-date", "a-child"],
)
def test_check_has_no_age_rule_when_min_age_is_zero(born):
    person = replace(ELIGIBLE, date_of_birth=born)
    rules = replace(RULES, min_age=0)

    reasons = check(person=person, rules=rules, day=DAY)

    assert reasons == ()


def test_check_refuses_staff():
    person = replace(ELIGIBLE, is_staff=True)

    reasons = check(person=person, rules=RULES, day=DAY)

    assert reasons == (STAFF,)


def test_check_refuses_a_member_of_the_contests_committee():
    rules = replace(RULES, committee_ids=frozenset({7}))

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == (CONTEST_ROLE,)


def test_check_admits_a_member_of_another_contests_committee():
    rules = replace(RULES, committee_ids=frozenset({8}))

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == ()


def test_check_refuses_a_colleague_of_a_committee_member_when_the_contest_says_so():
    rules = replace(RULES, committee_unit_ids=frozenset({3}))

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == (COMMITTEE_UNIT,)


def test_check_admits_the_sub_units_of_a_committee_members_unit():
    rules = replace(RULES, committee_unit_ids=frozenset({2}))

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == ()


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        (frozenset(), ()),
        (frozenset({"worker"}), ()),
        (frozenset({"civil_servant"}), (OCCUPATION_NOT_ALLOWED,)),
    ],
    ids=["everyone", "own-occupation-allowed", "other-occupations-only"],
)
def test_check_limits_the_contest_to_its_occupations(allowed, expected):
    rules = replace(RULES, allowed_occupations=allowed)

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == expected


@pytest.mark.parametrize(
    "excluded",
    [(1,), (2,), (3,), (9, 2)],
    ids=["top-of-path", "middle-of-path", "own-unit", "one-of-several"],
)
def test_check_refuses_an_excluded_unit_anywhere_on_the_path(excluded):
    rules = replace(RULES, excluded_unit_ids=excluded)

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == (EXCLUDED_UNIT,)


def test_check_ignores_an_excluded_unit_off_the_path():
    rules = replace(RULES, excluded_unit_ids=(4, 5))

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == ()


def test_check_refuses_a_missing_unit():
    person = replace(ELIGIBLE, unit_path_ids=())

    reasons = check(person=person, rules=RULES, day=DAY)

    assert reasons == (MISSING_UNIT,)


def test_check_refuses_a_missing_citizen_id_when_required():
    person = replace(ELIGIBLE, has_citizen_id=False)
    rules = replace(RULES, require_citizen_id=True)

    reasons = check(person=person, rules=rules, day=DAY)

    assert reasons == (MISSING_CITIZEN_ID,)


@pytest.mark.parametrize(
    ("required", "verified", "expected"),
    [
        pytest.param(True, False, (PHONE_NOT_VERIFIED,), id="required-unverified"),
        pytest.param(True, True, (), id="required-verified"),
        pytest.param(False, False, (), id="not-required"),
    ],
)
def test_check_asks_for_a_verified_phone_only_where_required(
    required, verified, expected
):
    person = replace(ELIGIBLE, phone_verified=verified)
    rules = replace(RULES, require_phone_verification=required)

    assert check(person=person, rules=rules, day=DAY) == expected


def test_practice_never_waives_an_unverified_phone():
    assert PHONE_NOT_VERIFIED not in EXCLUSIONS


def test_check_accepts_a_missing_citizen_id_when_not_required():
    person = replace(ELIGIBLE, has_citizen_id=False)

    reasons = check(person=person, rules=RULES, day=DAY)

    assert reasons == ()


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        (frozenset(), ()),
        (frozenset({"VN"}), ()),
        (frozenset({"LA"}), (NATIONALITY_NOT_ALLOWED,)),
    ],
    ids=["everyone", "own-nationality", "other-nationality-only"],
)
def test_check_limits_the_contest_to_its_nationalities(allowed, expected):
    rules = replace(RULES, allowed_nationalities=allowed)

    reasons = check(person=ELIGIBLE, rules=rules, day=DAY)

    assert reasons == expected


def test_check_lists_every_reason_in_a_fixed_order():
    person = Person(
        date_of_birth=None,
        is_staff=True,
        unit_path_ids=(),
        has_citizen_id=False,
        person_id=7,
    )
    rules = Rules(
        min_age=18,
        excluded_unit_ids=(1,),
        require_citizen_id=True,
        committee_ids=frozenset({7}),
        allowed_occupations=frozenset({"civil_servant"}),
    )

    reasons = check(person=person, rules=rules, day=DAY)

    assert reasons == (
        MISSING_BIRTH_DATE,
        MISSING_UNIT,
        MISSING_CITIZEN_ID,
        STAFF,
        CONTEST_ROLE,
        OCCUPATION_NOT_ALLOWED,
    )


def test_exclusions_are_exactly_staff_role_units_and_occupation():
    assert (
        frozenset(
            {
                "staff",
                "contest_role",
                "excluded_unit",
                "committee_unit",
                "occupation_not_allowed",
                "nationality_not_allowed",
            }
        )
        == EXCLUSIONS
    )
