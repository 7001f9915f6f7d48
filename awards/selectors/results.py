"""A computed round result: its rows as the prize walk and the pages read them."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.normalize import fold
from awards.models import (
    Disqualification,
    PrizeTier,
    ResultRow,
    RevokedRoundResult,
    RoundResult,
    UnitResult,
)
from awards.selectors.result_page import round_ranking_get
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
    return round_ranking_get(round_=round_).published


def revoked_results(*, round_: Round) -> list[RevokedRoundResult]:
    """The round's revoked lists, oldest first, without their (large) content."""
    return list(
        RevokedRoundResult.objects.filter(round=round_)
        .defer("payload")
        .order_by("version")
    )


PUBLIC_ROW_FIELDS = (
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
# A search longer than any stored name and unit cannot match; it is cut, not refused.
SEARCH_MAX_CHARS = 100


def result_search_words(text: str | None) -> str:
    """What a person typed into the public search, folded as the rows' search_text
    is ("Nguyễn  Văn A" and "nguyen van a" alike); "" searches nothing."""
    return fold((text or "")[: SEARCH_MAX_CHARS * 4])[:SEARCH_MAX_CHARS].strip()


def result_rows_public(
    *, result: RoundResult, limit: int | None = None, search: str = ""
) -> QuerySet:
    """Rows for the public page: no phone, email, ID number or date of birth. With
    `search` (folded by result_search_words), the rows whose accent-free name or
    unit has a word starting with it: "van a" finds "Nguyễn Văn An"."""
    rows = result.rows.all()
    if search:
        # One result's rows are scanned in rank order (the (result, rank) index);
        # the LIKE of a short folded column is cheap beside a trigram index's
        # cost to the 300,000-row compute.
        rows = rows.filter(
            Q(search_text__startswith=search) | Q(search_text__contains=f" {search}")
        )
    rows = rows.order_by("rank").values(*PUBLIC_ROW_FIELDS)
    return rows[:limit] if limit else rows


def result_row_of_user(*, result: RoundResult, user_id: int) -> dict | None:
    """One contestant's own line in an approved result: an index lookup."""
    return (
        result.rows.filter(user_id=user_id)
        .values(
            "rank",
            "correct",
            "question_count",
            "duration_ms",
            "prize_name",
            "attempt_id",
            "attempt_number",
            "id",
            "share_token",
        )
        .first()
    )


def result_standings_of_user(*, user_id: int, round_ids: Iterable[int]) -> dict:
    """Where the person stands in each of these rounds, in two queries whatever
    their number: {round id: their row, or None when the round's approved list
    does not rank them}; a round without an approved list is absent."""
    round_ids = set(round_ids)
    if not round_ids:
        return {}
    standings: dict[int, dict | None] = dict.fromkeys(
        RoundResult.objects.filter(
            round_id__in=round_ids, status=RoundResult.Status.APPROVED
        ).values_list("round_id", flat=True)
    )
    if not standings:
        return {}
    rows = ResultRow.objects.filter(
        result__round_id__in=list(standings),
        result__status=RoundResult.Status.APPROVED,
        user_id=user_id,
    ).values(
        "rank",
        "prize_name",
        "attempt_id",
        "attempt_number",
        "id",
        "share_token",
        "result__round_id",
        "result__participants",
    )
    for row in rows:
        standings[row["result__round_id"]] = row
    return standings


def result_row_shared(*, row_id: int, token: str) -> dict | None:
    """The public share page's row, found by its id and opened only with its token,
    in an approved list of a published contest: only what the public ranking
    already shows."""
    return (
        ResultRow.objects.filter(
            pk=row_id,
            share_token=token,
            result__status=RoundResult.Status.APPROVED,
            result__round__contest__is_published=True,
        )
        .values(
            "rank",
            "group_name",
            "prize_name",
            "full_name",
            "unit_name",
            "correct",
            "question_count",
            "duration_ms",
            "share_token",
            "result__participants",
            "result__round_id",
            "result__round__name",
            "result__round__contest__title",
            "result__round__contest__slug",
        )
        .first()
    )


def unit_result_get_published(*, contest: Contest) -> UnitResult | None:
    """The contest's approved collective result, or None."""
    return UnitResult.objects.filter(
        contest=contest, status=RoundResult.Status.APPROVED
    ).first()
