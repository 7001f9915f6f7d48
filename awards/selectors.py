from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    OrderBy,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Abs, RowNumber

from awards import ranking
from awards.models import (
    Disqualification,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
    UnitResult,
)
from rounds.models import Attempt, Contest, Round

RANKING_FIELDS = (
    "pk",
    "user_id",
    "number",
    "correct_count",
    "question_count",
    "prediction",
    "duration_ms",
    "submitted_at",
    "gap",
    "attempts_used",
    "user__date_joined",
    "user__full_name",
    "user__date_of_birth",
    "user__is_staff",
    "user__is_superuser",
    "user__contest_role",
    "user__occupation",
    "user__unit_id",
    "user__unit__name",
    "user__unit__path",
)


def ranking_rules_get(*, contest: Contest) -> RankingRules:
    """The contest's ranking rules, with defaults when none were set."""
    rules = RankingRules.objects.filter(contest=contest).first()
    return rules or RankingRules(contest=contest)


def _order_by(
    order: Sequence[str], *, within_person: bool, has_truth: bool
) -> list[OrderBy]:
    exprs = []
    for criterion in order:
        if criterion == ranking.CORRECT:
            exprs.append(F("correct_count").desc())
        elif criterion == ranking.PREDICTION and has_truth:
            # Without a truth every gap is 0: the criterion is neutral.
            exprs.append(F("gap").asc())
        elif criterion == ranking.DURATION:
            exprs.append(F("duration_ms").asc())
        elif criterion == ranking.SUBMITTED:
            exprs.append(F("submitted_at").asc())
        elif criterion == ranking.ATTEMPTS and not within_person:
            # Constant within one person, so it only matters between people.
            exprs.append(F("attempts_used").asc())
        elif criterion == ranking.REGISTERED:
            exprs.append(F("user__date_joined").asc())
    exprs.append(F("pk").asc())
    return exprs


def _gap(truth: int | None):
    if truth is None:
        return Value(0, output_field=BigIntegerField())
    return Case(
        When(
            prediction__isnull=True,
            then=Value(ranking.MISSING_PREDICTION_GAP, output_field=BigIntegerField()),
        ),
        default=Abs(F("prediction") - Value(truth)),
        output_field=BigIntegerField(),
    )


def round_ranking_rows(
    *, round_: Round, order: Sequence[str], policy: str, truth: int | None
) -> QuerySet:
    """The full ranking in one query: each person's counted attempt, best first.

    Implements awards.ranking in SQL with window functions (PostgreSQL and SQLite).
    """
    order = ranking.validate_order(order)
    if policy == ranking.BEST:
        pick_order = _order_by(order, within_person=True, has_truth=truth is not None)
    elif policy == ranking.FIRST:
        pick_order = [F("submitted_at").asc(), F("pk").asc()]
    elif policy == ranking.LAST:
        pick_order = [F("submitted_at").desc(), F("pk").desc()]
    else:
        raise ValueError(f"unknown counted-attempt policy: {policy!r}")
    return (
        Attempt.objects.filter(
            round=round_, status=Attempt.Status.FINISHED, is_practice=False
        )
        .annotate(
            gap=_gap(truth),
            attempts_used=Window(Count("pk"), partition_by=[F("user_id")]),
            pick=Window(RowNumber(), partition_by=[F("user_id")], order_by=pick_order),
        )
        .filter(pick=1)
        .order_by(*_order_by(order, within_person=False, has_truth=truth is not None))
        .values(*RANKING_FIELDS)
    )


@dataclass(frozen=True, slots=True)
class RoundStats:
    participants: int
    attempts: int
    perfect_people: int


def round_stats(*, round_: Round, order: Sequence[str], policy: str) -> RoundStats:
    """Participants, finished attempts and people with every answer correct."""
    attempts = Attempt.objects.filter(
        round=round_, status=Attempt.Status.FINISHED, is_practice=False
    )
    totals = attempts.aggregate(
        attempts=Count("pk"), participants=Count("user_id", distinct=True)
    )
    counted = round_ranking_rows(round_=round_, order=order, policy=policy, truth=None)
    perfect = sum(
        1
        for row in counted.values("correct_count", "question_count")
        if row["correct_count"] == row["question_count"]
    )
    return RoundStats(
        participants=totals["participants"],
        attempts=totals["attempts"],
        perfect_people=perfect,
    )


def individual_tiers(*, contest: Contest) -> QuerySet[PrizeTier]:
    return PrizeTier.objects.filter(
        contest=contest, kind=PrizeTier.Kind.INDIVIDUAL
    ).order_by("order", "pk")


def disqualified_user_ids(*, round_: Round) -> set[int]:
    return set(
        Disqualification.objects.filter(round=round_).values_list("user_id", flat=True)
    )


def earlier_winner_ids(*, round_: Round) -> set[int]:
    """People holding an approved prize from a round of the contest that closed earlier."""
    return set(
        ResultRow.objects.filter(
            result__round__contest_id=round_.contest_id,
            result__round__closes_at__lt=round_.closes_at,
            result__status=RoundResult.Status.APPROVED,
            prize_tier__isnull=False,
        ).values_list("user_id", flat=True)
    )


def result_get_published(*, round_: Round) -> RoundResult | None:
    """The round's approved result, or None while it is not approved."""
    return RoundResult.objects.filter(
        round=round_, status=RoundResult.Status.APPROVED
    ).first()


def result_rows_public(*, result: RoundResult, limit: int | None = None) -> QuerySet:
    """Rows for the public page: no phone, email, ID number or date of birth."""
    rows = result.rows.order_by("rank").values(
        "rank",
        "group_name",
        "prize_name",
        "full_name",
        "unit_name",
        "correct",
        "question_count",
        "prediction",
        "duration_ms",
    )
    return rows[:limit] if limit else rows


def result_row_of_user(*, result: RoundResult, user_id: int) -> dict | None:
    """One contestant's own line in an approved result: an index lookup."""
    return (
        result.rows.filter(user_id=user_id)
        .values("rank", "correct", "question_count", "duration_ms", "prize_name")
        .first()
    )


LEADERBOARD_SECONDS = 60
LEADERBOARD_SIZE = 20


def leaderboard_top(*, round_: Round) -> list[dict]:
    """The live top of an open round, recomputed at most once a minute (cached)."""
    key = f"leaderboard:{round_.pk}"
    rows = cache.get(key)
    if rows is None:
        rules = ranking_rules_get(contest=round_.contest)
        rows = [
            {
                "rank": position,
                "full_name": row["user__full_name"],
                "unit_name": row["user__unit__name"] or "",
                "correct": row["correct_count"],
                "question_count": row["question_count"],
                "duration_ms": row["duration_ms"],
            }
            for position, row in enumerate(
                round_ranking_rows(
                    round_=round_,
                    order=rules.order,
                    policy=rules.counted_attempt,
                    truth=None,
                )[:LEADERBOARD_SIZE],
                start=1,
            )
        ]
        cache.set(key, rows, LEADERBOARD_SECONDS)
    return rows


def unit_result_get_published(*, contest: Contest) -> UnitResult | None:
    """The contest's approved collective result, or None."""
    return UnitResult.objects.filter(
        contest=contest, status=RoundResult.Status.APPROVED
    ).first()
