"""Drawing an attempt's questions: pure, standard library only.

Contract: `draw_questions` picks `count` distinct question ids from a pool grouped by
topic, first honouring each topic's quota, then filling the rest at random from every
question not yet drawn; the result is shuffled so quota topics are not clustered.
`shuffle_choices` returns, for each shown position, the original choice index, so a
question's choices are all kept, each exactly once. Randomness comes only from the
`rng` argument, so a seeded generator reproduces a draw exactly.
"""

import random
from collections.abc import Mapping, Sequence


class DrawError(ValueError):
    """The bank cannot satisfy the round's question count or quotas."""

    def __init__(self, message: str, *, topic_id: int | None = None) -> None:
        super().__init__(message)
        self.topic_id = topic_id


def pool_ids(pool: Mapping[int, Sequence[int]]) -> tuple[int, ...]:
    """Every question id of the pool, once each, in order."""
    return tuple(sorted({q for ids in pool.values() for q in ids}))


def draw_questions(
    *,
    pool: Mapping[int, Sequence[int]],
    count: int,
    quotas: Mapping[int, int],
    rng: random.Random,
    every_id: Sequence[int] | None = None,
) -> list[int]:
    """`count` distinct question ids from `pool` (topic id -> question ids).

    `every_id`: pool_ids(pool), where the caller keeps it for many draws from one
    pool (it costs more than the draw on a bank of thousands); the same draw."""
    if count < 1:
        raise DrawError("count must be positive")
    if sum(quotas.values()) > count:
        raise DrawError("quotas exceed the question count")
    drawn: list[int] = []
    taken: set[int] = set()
    for topic_id in sorted(quotas):
        wanted = quotas[topic_id]
        candidates = sorted(set(pool.get(topic_id, ())))
        if len(candidates) < wanted:
            raise DrawError("not enough questions in a quota topic", topic_id=topic_id)
        for question_id in rng.sample(candidates, wanted):
            drawn.append(question_id)
            taken.add(question_id)
    everything = pool_ids(pool) if every_id is None else every_id
    rest = [q for q in everything if q not in taken] if taken else everything
    missing = count - len(drawn)
    if len(rest) < missing:
        raise DrawError("not enough questions in the bank")
    drawn.extend(rng.sample(rest, missing))
    rng.shuffle(drawn)
    return drawn


def shuffle_choices(*, choice_count: int, rng: random.Random) -> list[int]:
    """A permutation: position shown -> original choice index."""
    order = list(range(choice_count))
    rng.shuffle(order)
    return order
