"""Whether a topic's correct answers give themselves away by being the longest.

Contract: `length_bias` takes one topic's questions as (choice texts, index of the
correct choice) pairs; `length_bias_of_lengths` takes the same with the choices'
lengths in characters, for callers that let the database count them. Both return a
frozen `LengthBias`: how many questions have a correct choice strictly longer than
every other choice, how many of those plain chance would give (1/choices for each
question), the mean ratio of the correct choice's length to the mean length of the
others, and whether to warn the question authors.

It warns when all of these hold:

- the topic has at least MIN_QUESTIONS questions: fewer say nothing either way;
- the correct choice is uniquely the longest in more than CHANCE_FACTOR times as
  many questions as chance gives (with four choices: more than 37.5% against 25%);
- that many would come by chance with a probability below MAX_CHANCE_PROBABILITY
  (a binomial tail), so a small honest topic is not flagged for bad luck: ten
  four-choice questions need six, twenty need nine, a hundred need thirty-eight.

Questions with fewer than two choices cannot give anything away and are left out.
Standard library only.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_QUESTIONS = 10
CHANCE_FACTOR = 1.5
MAX_CHANCE_PROBABILITY = 0.05


@dataclass(frozen=True, slots=True)
class LengthBias:
    questions: int
    longest: int  # questions whose correct choice is strictly the longest
    expected: float  # what "pick the longest" scores by chance: the sum of 1/choices
    length_ratio: float  # mean of len(correct) / mean len(others); 1.0 when unknown
    warns: bool

    @property
    def share(self) -> float:
        return self.longest / self.questions if self.questions else 0.0


def length_bias(questions: Iterable[tuple[Sequence[str], int]]) -> LengthBias:
    """Measure a topic whose questions are (choice texts, correct index) pairs."""
    return length_bias_of_lengths(
        (tuple(len(text) for text in texts), correct) for texts, correct in questions
    )


def length_bias_of_lengths(
    questions: Iterable[tuple[Sequence[int], int]],
) -> LengthBias:
    """Measure a topic whose questions are (choice lengths, correct index) pairs."""
    counted = longest = 0
    chances: list[float] = []
    ratios: list[float] = []
    for lengths, correct in questions:
        if len(lengths) < 2:
            continue
        if not 0 <= correct < len(lengths):
            raise ValueError(f"correct index {correct} outside {len(lengths)} choices")
        others = [n for i, n in enumerate(lengths) if i != correct]
        counted += 1
        chances.append(1 / len(lengths))
        longest += lengths[correct] > max(others)
        mean_other = sum(others) / len(others)
        if mean_other:
            ratios.append(lengths[correct] / mean_other)
    # fsum rounds once, so the same questions in any order give the same answer.
    expected = math.fsum(chances)
    warns = (
        counted >= MIN_QUESTIONS
        and longest > CHANCE_FACTOR * expected
        and _binomial_tail(counted, expected / counted, longest)
        < MAX_CHANCE_PROBABILITY
    )
    return LengthBias(
        questions=counted,
        longest=longest,
        expected=expected,
        length_ratio=math.fsum(ratios) / len(ratios) if ratios else 1.0,
        warns=warns,
    )


def _binomial_tail(n: int, p: float, k: int) -> float:
    # P(X >= k) for X ~ Binomial(n, p), 0 < p <= 1/2. One mean p stands for the
    # questions' different choice counts: its spread is the wider, so it warns less.
    if k <= 0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n = math.lgamma(n + 1)
    total = sum(
        math.exp(
            log_n
            - math.lgamma(i + 1)
            - math.lgamma(n - i + 1)
            + i * log_p
            + (n - i) * log_q
        )
        for i in range(k, n + 1)
    )
    return min(1.0, total)
