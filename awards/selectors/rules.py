"""A contest's ranking rules, and the rules in words for its pages."""

from collections.abc import Sequence

from awards import collective, ranking, rules_text
from awards.models import (
    RankingRules,
    RoundResult,
    UnitGroup,
    UnitResult,
)
from contest_portal.rows import RowReader
from rounds.models import Contest, Round

_RULES = RowReader(
    [(RankingRules, "rules")], source="{rules}", where="rules.contest_id = %s"
)
_UNIT_GROUPS = RowReader([(UnitGroup, "g")], source="{g}", where="g.contest_id = %s")


def ranking_rules_get(*, contest: Contest) -> RankingRules:
    """The contest's ranking rules, with defaults when none were set: read by a
    statement written once per process (contest_portal.rows), as every contest
    page reads them."""
    row = _RULES.one([contest.pk])
    if row is None:
        return RankingRules(contest=contest)
    rules = row[0]
    rules.contest = contest
    return rules


def contest_has_unit_prizes(*, contest: Contest) -> bool:
    """Does the contest rank units for collective prizes (has it unit groups)?"""
    return bool(_UNIT_GROUPS.all([contest.pk]))


def readable_rules(policy, order) -> tuple[str, tuple[str, ...]]:
    """The counted-attempt policy and ranking order a page may show by: the stored
    ones, or the defaults while a row written outside the admin holds something the
    ranking cannot use (the compute refuses it in words until it is fixed)."""
    defaults = RankingRules()
    try:
        return (
            policy if policy in ranking.COUNTED_POLICIES else defaults.counted_attempt,
            ranking.validate_order(order if order is not None else defaults.order),
        )
    except (TypeError, ValueError):
        return defaults.counted_attempt, tuple(defaults.order)


def _readable_unit_order(rules: RankingRules) -> list[str]:
    try:
        return list(collective.validate_order(rules.unit_order))
    except (TypeError, ValueError):
        return list(RankingRules().unit_order)


def contest_rules_in_words(
    *,
    contest: Contest,
    rounds: Sequence[Round] | None = None,
    rules: RankingRules | None = None,
    unit_prizes: bool | None = None,
) -> dict[str, list[str]]:
    """The contest's current rules as Vietnamese sentences, for its page. What the
    caller has read already (its rounds, its rules, whether it gives unit prizes)
    is not read again."""
    rules = rules if rules is not None else ranking_rules_get(contest=contest)
    rounds = rounds if rounds is not None else contest.rounds.all()
    has_prediction = any(r.has_prediction for r in rounds)
    policy, order = readable_rules(rules.counted_attempt, rules.order)
    truth_kind = (
        rules.truth_kind
        if rules.truth_kind in ranking.TRUTH_KINDS
        else RankingRules().truth_kind
    )
    if unit_prizes is None:
        unit_prizes = contest_has_unit_prizes(contest=contest)
    return {
        "individual": rules_text.rules_sentences(
            counted_attempt=policy,
            order=order,
            truth_kind=truth_kind if has_prediction else None,
            one_weekly_prize_per_person=rules.one_weekly_prize_per_person,
        ),
        "collective": rules_text.unit_rules_sentences(
            order=_readable_unit_order(rules),
            min_rate_percent=rules.unit_min_rate_percent,
        )
        if unit_prizes
        else [],
    }


def result_rules_in_words(*, result: RoundResult) -> list[str]:
    """The rules a computed result was ranked by, from its frozen ruleset."""
    ruleset = result.ruleset
    return rules_text.rules_sentences(
        counted_attempt=ruleset["counted_attempt"],
        order=ruleset["order"],
        truth_kind=ruleset.get("truth_kind"),
        one_weekly_prize_per_person=ruleset.get("one_weekly_prize_per_person", False),
    )


def unit_result_rules_in_words(*, result: UnitResult) -> list[str]:
    """The collective rules a computed unit result was ranked by, from its ruleset."""
    ruleset = result.ruleset
    order = ruleset.get("order") or [
        ruleset.get("metric"),
        *[c for c in ruleset.get("tie_break") or () if c != ruleset.get("metric")],
    ]
    return rules_text.unit_rules_sentences(
        order=order, min_rate_percent=ruleset.get("min_rate_percent")
    )
