"""What a contestant's result page reads of the round's ranking: the contest's
ranking rules and the round's computed result, in one statement written once per
process (contest_portal.rows): alone, or joined to the attempt the page reads
anyway (attempt_get_own_ranked)."""

from dataclasses import dataclass

from awards.models import RankingRules, RoundResult
from contest_portal.rows import RowReader
from rounds import attempt_reads
from rounds.models import Attempt, Round

_RULES_AND_RESULT = RowReader(
    [(RoundResult, "res"), (RankingRules, "rules")],
    source=(
        "(SELECT 1 AS one) one LEFT JOIN {res} ON res.round_id = %s "
        "LEFT JOIN {rules} ON rules.contest_id = %s"
    ),
    where="1 = 1",
)


@dataclass(frozen=True, slots=True)
class RoundRanking:
    """The round's ranking settings as stored: None where nothing is stored."""

    counted_attempt: str | None
    order: list[str] | None
    result: RoundResult | None  # computed, provisional or approved

    @property
    def truth(self) -> int | None:
        return self.result.prediction_truth if self.result is not None else None

    @property
    def published(self) -> RoundResult | None:
        """The approved result, or None while it is not approved."""
        if self.result is None or self.result.status != RoundResult.Status.APPROVED:
            return None
        return self.result


def _ranking(result: RoundResult, rules: RankingRules, round_: Round) -> RoundRanking:
    """What the statement read, where a missing row's instance has no key."""
    if result.pk is not None:
        result.round = round_
    return RoundRanking(
        counted_attempt=rules.counted_attempt if rules.pk is not None else None,
        order=rules.order if rules.pk is not None else None,
        result=result if result.pk is not None else None,
    )


def round_ranking_get(*, round_: Round) -> RoundRanking:
    result, rules = _RULES_AND_RESULT.one([round_.pk, round_.contest_id])
    return _ranking(result, rules, round_)


_OWN_RANKED = attempt_reads.own_summary_reader(
    [(RoundResult, "res"), (RankingRules, "rules")],
    "LEFT JOIN {res} ON res.round_id = a.round_id "
    "LEFT JOIN {rules} ON rules.contest_id = r.contest_id",
)


def attempt_get_own_ranked(
    *, public_id: str, user_id: int
) -> tuple[Attempt, RoundRanking, list[Attempt]] | None:
    """The contestant's own attempt with its round, contest and user, without its
    draw and answers (rounds.attempt_reads.attempt_with_answers reads them),
    round_ranking_get of its round, and the person's attempts in the round (as
    rounds.attempt_reads.attempts_of_user_in_round), in one statement (the
    result page)."""
    rows = _OWN_RANKED.all([public_id, user_id])
    if not rows:
        return None
    attempt, (result, rules) = attempt_reads.own_summary_joined(rows[0])
    return (
        attempt,
        _ranking(result, rules, attempt.round),
        attempt_reads.attempts_in_round_of_rows(attempt, rows),
    )
