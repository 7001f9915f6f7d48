import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rounds.draw import DrawError, draw_questions, pool_ids, shuffle_choices

# Topic 1 holds ids 100..109, topic 2 holds 200..209, topic 3 holds 300..302.
POOL = {
    1: list(range(100, 110)),
    2: list(range(200, 210)),
    3: list(range(300, 303)),
}


def topic_of(question_id: int) -> int:
    return question_id // 100


def test_draw_honours_every_quota():
    quotas = {1: 4, 3: 3}

    drawn = draw_questions(pool=POOL, count=8, quotas=quotas, rng=random.Random(1))

    per_topic = Counter(topic_of(q) for q in drawn)
    assert all(per_topic[topic] >= wanted for topic, wanted in quotas.items())


def test_draw_never_repeats_a_question():
    drawn = draw_questions(pool=POOL, count=23, quotas={1: 10}, rng=random.Random(2))

    assert len(set(drawn)) == len(drawn)


def test_draw_returns_exactly_count_questions():
    drawn = draw_questions(pool=POOL, count=7, quotas={2: 2}, rng=random.Random(3))

    assert len(drawn) == 7


def test_draw_treats_a_question_listed_twice_as_one():
    pool = {1: [100, 100, 101]}

    drawn = draw_questions(pool=pool, count=2, quotas={1: 2}, rng=random.Random(4))

    assert sorted(drawn) == [100, 101]


def test_draw_with_the_same_seed_is_the_same_draw():
    first = draw_questions(pool=POOL, count=9, quotas={1: 3}, rng=random.Random(42))

    second = draw_questions(pool=POOL, count=9, quotas={1: 3}, rng=random.Random(42))

    assert first == second


def test_draw_refuses_a_quota_larger_than_its_topic():
    with pytest.raises(DrawError) as caught:
        draw_questions(pool=POOL, count=5, quotas={3: 4}, rng=random.Random(5))

    assert caught.value.topic_id == 3


def test_draw_refuses_a_quota_for_a_topic_with_no_questions():
    with pytest.raises(DrawError) as caught:
        draw_questions(pool=POOL, count=5, quotas={9: 1}, rng=random.Random(6))

    assert caught.value.topic_id == 9


def test_draw_refuses_a_bank_smaller_than_count():
    with pytest.raises(DrawError) as caught:
        draw_questions(pool=POOL, count=24, quotas={}, rng=random.Random(7))

    assert caught.value.topic_id is None


def test_draw_refuses_quotas_summing_above_count():
    with pytest.raises(DrawError):
        draw_questions(pool=POOL, count=5, quotas={1: 3, 2: 3}, rng=random.Random(8))


@pytest.mark.parametrize("count", [0, -1], ids=["zero", "negative"])
def test_draw_refuses_a_count_below_one(count):
    with pytest.raises(DrawError):
        draw_questions(pool=POOL, count=count, quotas={}, rng=random.Random(9))


@pytest.mark.parametrize("choice_count", [1, 2, 4, 6], ids=["1", "2", "4", "6"])
def test_shuffle_choices_is_a_permutation(choice_count):
    order = shuffle_choices(choice_count=choice_count, rng=random.Random(10))

    assert sorted(order) == list(range(choice_count))


@st.composite
def satisfiable_draws(draw):
    """A pool of distinct ids by topic, quotas it can meet and a count it can fill."""
    sizes = draw(
        st.lists(st.integers(0, 8), min_size=1, max_size=5).filter(lambda s: sum(s))
    )
    pool = {}
    next_id = 1
    for topic_id, size in enumerate(sizes, start=1):
        pool[topic_id] = list(range(next_id, next_id + size))
        next_id += size
    total = next_id - 1
    quotas = {}
    for topic_id, ids in pool.items():
        if draw(st.booleans()):
            quotas[topic_id] = draw(st.integers(0, len(ids)))
    low = max(1, sum(quotas.values()))
    count = draw(st.integers(low, total))
    seed = draw(st.integers(0, 2**32 - 1))
    return pool, quotas, count, seed


@given(satisfiable_draws())
def test_draw_property_distinct_ids_from_the_pool_honouring_quotas(case):
    pool, quotas, count, seed = case

    drawn = draw_questions(
        pool=pool, count=count, quotas=quotas, rng=random.Random(seed)
    )

    owner = {q: topic for topic, ids in pool.items() for q in ids}
    assert len(drawn) == count
    assert len(set(drawn)) == len(drawn)
    assert set(drawn) <= set(owner)
    per_topic = Counter(owner[q] for q in drawn)
    assert all(per_topic[topic] >= wanted for topic, wanted in quotas.items())


@given(satisfiable_draws())
def test_draw_property_same_seed_same_draw(case):
    pool, quotas, count, seed = case

    first = draw_questions(
        pool=pool, count=count, quotas=quotas, rng=random.Random(seed)
    )
    second = draw_questions(
        pool=pool, count=count, quotas=quotas, rng=random.Random(seed)
    )

    assert first == second


@given(satisfiable_draws())
def test_draw_property_the_kept_ids_of_the_pool_give_the_same_draw(case):
    pool, quotas, count, seed = case

    kept = draw_questions(
        pool=pool,
        count=count,
        quotas=quotas,
        rng=random.Random(seed),
        every_id=pool_ids(pool),
    )

    assert kept == draw_questions(
        pool=pool, count=count, quotas=quotas, rng=random.Random(seed)
    )
