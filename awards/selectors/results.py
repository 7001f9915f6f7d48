"""A computed round result: its rows as the prize walk and the pages read them."""

from django.db.models import (
    QuerySet,
)

from awards.models import (
    Disqualification,
    PrizeTier,
    ResultRow,
    RevokedRoundResult,
    RoundResult,
    UnitResult,
)
from rounds.models import Contest, Round

PRIZE_WALK_FIELDS = (
    "pk",
    "user_id",
    "unit_id",
    "submitted_at",
    "user__date_of_birth",
    "user__is_staff",
    "user__is_superuser",
    "user__occupation",
    "user__nationality",
    "user__unit__path",
)


def result_rows_walk(*, result: RoundResult, group_name: str | None = None):
    """A computed result's rows in rank order with what the eligibility rules read,
    streamed in chunks: a walk that stops early never reads the rest."""
    rows = ResultRow.objects.filter(result=result)
    if group_name is not None:
        rows = rows.filter(group_name=group_name)
    return rows.order_by("rank").values(*PRIZE_WALK_FIELDS).iterator(chunk_size=500)


def individual_tiers(
    *, contest: Contest, stage: str | None = None
) -> QuerySet[PrizeTier]:
    """The contest's individual tiers; with a stage, those that stage awards: a tier
    set for "the weekly rounds and the final" is awarded by both, never by a
    qualifying round."""
    tiers = PrizeTier.objects.filter(contest=contest, kind=PrizeTier.Kind.INDIVIDUAL)
    if stage is not None:
        stages = [stage]
        if stage in (Round.Stage.REGULAR, Round.Stage.FINAL):
            stages.append(PrizeTier.Stage.WEEKLY_AND_FINAL)
        tiers = tiers.filter(stage__in=stages)
    return tiers.order_by("order", "pk")


def disqualified_user_ids(*, round_: Round) -> set[int]:
    return set(
        Disqualification.objects.filter(round=round_).values_list("user_id", flat=True)
    )


def other_weekly_winner_ids(*, round_: Round) -> set[int]:
    """People holding an approved prize from another weekly round of the contest, in
    whatever order the weeks were computed or approved; none outside weekly rounds
    (a final's prize is not a weekly prize)."""
    if round_.stage != Round.Stage.REGULAR:
        return set()
    return set(
        ResultRow.objects.filter(
            result__round__contest_id=round_.contest_id,
            result__round__stage=Round.Stage.REGULAR,
            result__status=RoundResult.Status.APPROVED,
            prize_tier__isnull=False,
        )
        .exclude(result__round_id=round_.pk)
        .values_list("user_id", flat=True)
    )


def result_get_published(*, round_: Round) -> RoundResult | None:
    """The round's approved result, or None while it is not approved."""
    return RoundResult.objects.filter(
        round=round_, status=RoundResult.Status.APPROVED
    ).first()


def revoked_results(*, round_: Round) -> list[RevokedRoundResult]:
    """The round's revoked lists, oldest first, without their (large) content."""
    return list(
        RevokedRoundResult.objects.filter(round=round_)
        .defer("payload")
        .order_by("version")
    )


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


def unit_result_get_published(*, contest: Contest) -> UnitResult | None:
    """The contest's approved collective result, or None."""
    return UnitResult.objects.filter(
        contest=contest, status=RoundResult.Status.APPROVED
    ).first()
