import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awards.allocation import ALREADY_AWARDED, Award, Candidate, Tier, allocate

FIRST, SECOND, THIRD = 1, 2, 3


def candidates(*person_ids: int) -> list[Candidate]:
    return [Candidate(person_id) for person_id in person_ids]


def test_allocate_fills_the_tiers_in_order():
    tiers = [Tier(FIRST, 1), Tier(SECOND, 2), Tier(THIRD, 3)]

    awards = allocate(candidates(1, 2, 3, 4, 5, 6), tiers)

    assert [(a.person_id, a.tier_id) for a in awards] == [
        (1, FIRST),
        (2, SECOND),
        (3, SECOND),
        (4, THIRD),
        (5, THIRD),
        (6, THIRD),
    ]


def test_allocate_follows_the_given_tier_order_not_the_tier_ids():
    tiers = [Tier(THIRD, 1), Tier(FIRST, 1)]

    awards = allocate(candidates(1, 2), tiers)

    assert [a.tier_id for a in awards] == [THIRD, FIRST]


def test_allocate_skips_a_tier_without_prizes():
    tiers = [Tier(FIRST, 1), Tier(SECOND, 0), Tier(THIRD, 1)]

    awards = allocate(candidates(1, 2, 3), tiers)

    assert [a.tier_id for a in awards] == [FIRST, THIRD, None]


def test_allocate_skips_a_blocked_candidate_and_records_the_reason():
    ranking = [Candidate(1), Candidate(2, blocked_by="disqualified"), Candidate(3)]

    awards = allocate(ranking, [Tier(FIRST, 1), Tier(SECOND, 1)])

    assert awards == [
        Award(1, FIRST, None),
        Award(2, None, "disqualified"),
        Award(3, SECOND, None),
    ]


def test_allocate_refuses_a_second_prize_to_the_same_person():
    awards = allocate(candidates(1, 1, 2), [Tier(FIRST, 1), Tier(SECOND, 1)])

    assert awards == [
        Award(1, FIRST, None),
        Award(1, None, ALREADY_AWARDED),
        Award(2, SECOND, None),
    ]


def test_allocate_gives_nothing_and_no_reason_once_prizes_run_out():
    ranking = [Candidate(1), Candidate(2), Candidate(3, blocked_by="disqualified")]

    awards = allocate(ranking, [Tier(FIRST, 1)])

    assert awards == [
        Award(1, FIRST, None),
        Award(2, None, None),
        Award(3, None, None),
    ]


@pytest.mark.parametrize(
    "tiers",
    [[], [Tier(FIRST, 0)], [Tier(FIRST, 0), Tier(SECOND, 0)]],
    ids=["no-tiers", "one-empty-tier", "two-empty-tiers"],
)
def test_allocate_without_prizes_awards_nobody(tiers):
    ranking = [Candidate(1), Candidate(2, blocked_by="disqualified")]

    awards = allocate(ranking, tiers)

    assert awards == [Award(1, None, None), Award(2, None, None)]


def test_allocate_keeps_the_candidates_order():
    ranking = [Candidate(5), Candidate(3, blocked_by="x"), Candidate(9), Candidate(1)]

    awards = allocate(ranking, [Tier(FIRST, 2)])

    assert [a.person_id for a in awards] == [5, 3, 9, 1]


def test_allocate_of_nobody_is_empty():
    awards = allocate([], [Tier(FIRST, 3)])

    assert awards == []


candidate_lists = st.lists(
    st.builds(
        Candidate,
        person_id=st.integers(1, 8),
        blocked_by=st.none() | st.sampled_from(["disqualified", "excluded_unit"]),
    ),
    max_size=15,
)
tier_lists = st.lists(st.integers(0, 3), max_size=4).map(
    lambda counts: [Tier(tier_id, count) for tier_id, count in enumerate(counts, 1)]
)


@settings(max_examples=200, deadline=None)
@given(ranking=candidate_lists, tiers=tier_lists)
def test_property_awards_every_slot_or_every_eligible_person_once(ranking, tiers):
    slots = sum(tier.count for tier in tiers)
    eligible = {c.person_id for c in ranking if c.blocked_by is None}

    awards = allocate(ranking, tiers)

    awarded = [a.person_id for a in awards if a.tier_id is not None]
    assert len(awarded) == min(slots, len(eligible))
    assert len(awarded) == len(set(awarded))
    assert [a.person_id for a in awards] == [c.person_id for c in ranking]
