"""reports.demographics: the age bands and the per-unit tally, without a database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import demographics
from reports.demographics import AGE_KEYS, Participant, age_band, tally

DAY = date(2024, 9, 10)
OCCUPATIONS = ("civil_servant", "student", "other")


@pytest.mark.parametrize(
    ("born", "band"),
    [
        pytest.param(date(2010, 9, 11), "under_14", id="14-tomorrow"),
        pytest.param(date(2010, 9, 10), "14_17", id="14th-birthday"),
        pytest.param(date(2006, 9, 11), "14_17", id="18-tomorrow"),
        pytest.param(date(2006, 9, 10), "18_30", id="18th-birthday"),
        pytest.param(date(1993, 9, 11), "18_30", id="31-tomorrow"),
        pytest.param(date(1993, 9, 10), "31_45", id="31st-birthday"),
        pytest.param(date(1978, 9, 10), "46_60", id="46th-birthday"),
        pytest.param(date(1963, 9, 11), "46_60", id="61-tomorrow"),
        pytest.param(date(1963, 9, 10), "over_60", id="61st-birthday"),
        pytest.param(date(2024, 9, 10), "under_14", id="born-that-day"),
        pytest.param(date(2024, 9, 11), "unknown", id="born-after-the-day"),
        pytest.param(None, "unknown", id="no-birth-date"),
    ],
)
def test_the_age_band_on_the_day(born, band):
    assert age_band(born, DAY) == band


@pytest.mark.parametrize(
    ("day", "band"),
    [
        pytest.param(date(2022, 2, 28), "under_14", id="28-february"),
        pytest.param(date(2022, 3, 1), "14_17", id="1-march"),
    ],
)
def test_a_leap_day_birth_turns_14_on_1_march_in_a_common_year(day, band):
    assert age_band(date(2008, 2, 29), day) == band


def test_the_bands_cover_every_age_once_in_order():
    lowest = [band.lowest for band in demographics.AGE_BANDS]

    assert lowest[0] == 0
    assert lowest == sorted(set(lowest))
    assert [age_band(date(2000, 1, 1), date(2000 + n, 1, 1)) for n in lowest] == [
        band.key for band in demographics.AGE_BANDS
    ]


def person(unit_id, occupation="civil_servant", born=date(1990, 1, 1)) -> Participant:
    return Participant(unit_id=unit_id, occupation=occupation, born=born, first_day=DAY)


def test_a_unit_counts_its_sub_units_and_the_total_counts_everyone_once():
    ancestors = {1: (1,), 2: (1, 2), 3: (1, 3)}
    people = [
        person(2, "student", date(2010, 9, 10)),
        person(3, "civil_servant"),
        person(1, "other", None),
        person(None, "civil_servant"),  # no unit: in the total only
        person(99, "civil_servant"),  # a unit outside the tree: the same
    ]

    result = tally(people, occupations=OCCUPATIONS, ancestors=ancestors)

    assert result.occupations == (*OCCUPATIONS, "")
    assert result.per_unit[1].by_occupation == (1, 1, 1, 0)
    assert result.per_unit[2].by_occupation == (0, 1, 0, 0)
    assert result.per_unit[3].total == 1
    assert result.per_unit[1].by_age == (0, 1, 0, 1, 0, 0, 1)
    assert result.total.total == 5
    assert result.total.by_occupation == (3, 1, 1, 0)


def test_an_ancestor_outside_the_tree_is_not_counted():
    """A unit manager's tree starts at their unit; the path above it is not theirs."""
    ancestors = {5: (1, 5), 6: (1, 5, 6)}

    result = tally([person(6)], occupations=OCCUPATIONS, ancestors=ancestors)

    assert set(result.per_unit) == {5, 6}
    assert result.per_unit[5].total == result.per_unit[6].total == 1


@pytest.mark.parametrize("occupation", ["", "retired"], ids=["blank", "unknown"])
def test_a_blank_or_unknown_occupation_counts_as_undeclared(occupation):
    result = tally(
        [person(1, occupation)], occupations=OCCUPATIONS, ancestors={1: (1,)}
    )

    assert result.per_unit[1].by_occupation == (0, 0, 0, 1)


def test_a_unit_nobody_from_has_zeros():
    result = tally([], occupations=OCCUPATIONS, ancestors={1: (1,)})

    assert result.per_unit[1] == demographics.Counts(
        total=0, by_occupation=(0, 0, 0, 0), by_age=(0,) * len(AGE_KEYS)
    )


people_lists = st.lists(
    st.builds(
        Participant,
        unit_id=st.sampled_from([None, 1, 2, 3, 4]),
        occupation=st.sampled_from([*OCCUPATIONS, "", "x"]),
        born=st.none() | st.dates(date(1900, 1, 1), date(2030, 1, 1)),
        first_day=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    ),
    max_size=40,
)
TREE = {1: (1,), 2: (1, 2), 3: (1, 2, 3), 4: (4,)}


@given(people=people_lists, seed=st.randoms())
def test_the_tally_does_not_depend_on_the_order(people, seed):
    shuffled = list(people)
    seed.shuffle(shuffled)

    first = tally(people, occupations=OCCUPATIONS, ancestors=TREE)
    second = tally(shuffled, occupations=OCCUPATIONS, ancestors=TREE)

    assert first == second


@given(people=people_lists)
def test_every_split_adds_up_to_the_total(people):
    result = tally(people, occupations=OCCUPATIONS, ancestors=TREE)

    for counts in (result.total, *result.per_unit.values()):
        assert sum(counts.by_occupation) == sum(counts.by_age) == counts.total
    assert result.total.total == len(people)
    assert result.per_unit[1].total == sum(p.unit_id in (1, 2, 3) for p in people)
