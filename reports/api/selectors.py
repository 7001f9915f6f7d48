"""Reads of the JSON API beyond what awards' and reports' selectors already give:
which rows are public, and a token's view of units and personal columns."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Unit
from awards import selectors as awards_selectors
from awards.models import RoundResult, UnitResult
from reports.dashboard import Dashboard, dashboard_get
from rounds.models import Contest, Round

PERSONAL_ROW_FIELDS = (
    *awards_selectors.PUBLIC_ROW_FIELDS,
    "rank_in_group",
    "prize_amount_vnd",
    "user_id",
    "unit_id",
    "submitted_at",
    "attempt_number",
)
# Read through the row's user; renamed for the answer.
PERSONAL_USER_FIELDS = {
    "user__date_of_birth": "date_of_birth",
    "user__phone": "phone",
    "user__email": "email",
    "user__citizen_id": "citizen_id",
}


def contest_list_public() -> QuerySet[Contest]:
    """Published contests, newest first as the portal lists them."""
    return Contest.objects.filter(is_published=True).order_by("-created_at", "-pk")


def contest_get(*, contest_id: int, published_only: bool = True) -> Contest:
    """One contest; Http404 when unknown (or unpublished, for the public)."""
    contests = Contest.objects.all()
    if published_only:
        contests = contests.filter(is_published=True)
    found = contests.filter(pk=contest_id).first()
    if found is None:
        raise Http404
    return found


def round_list_of(*, contest: Contest) -> list[Round]:
    """A contest's rounds by opening time, each with its result (or None) attached."""
    return list(
        Round.objects.filter(contest=contest)
        .select_related("result")
        .order_by("opens_at", "pk")
    )


def round_get(*, round_id: int, published_only: bool = True) -> Round:
    """One round with its contest; Http404 when unknown (or not public)."""
    rounds = Round.objects.select_related("contest", "result")
    if published_only:
        rounds = rounds.filter(contest__is_published=True)
    found = rounds.filter(pk=round_id).first()
    if found is None:
        raise Http404
    return found


def result_approved(round_: Round) -> bool:
    """Whether the round's (already fetched) result is approved and public."""
    result = getattr(round_, "result", None)
    return result is not None and result.status == RoundResult.Status.APPROVED


def unit_list_active() -> QuerySet[Unit]:
    """Units a contestant can pick, in tree order."""
    return Unit.objects.filter(is_active=True).order_by("path", "pk")


def unit_results_public(*, result: UnitResult) -> QuerySet:
    """The ranked rows of an approved collective result, as its public page lists
    them: no unranked unit."""
    return (
        result.rows.filter(rank__isnull=False)
        .order_by("group_name", "rank", "unit_name", "pk")
        .values(
            "group_name",
            "rank",
            "unit_id",
            "unit_name",
            "participants",
            "headcount",
            "rate_percent",
            "prize_name",
        )
    )


def _in_subtrees(roots: list[Unit] | None, field: str) -> Q:
    if roots is None:
        return Q()
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for root in roots:
        condition |= Q(**{f"{field}__startswith": root.path})
    return condition


def result_rows_personal(*, result: RoundResult, roots: list[Unit] | None) -> QuerySet:
    """Rows of an approved result with the contestants' personal columns, only
    those whose unit lies in one of the subtrees (every row when roots is None)."""
    return (
        result.rows.filter(_in_subtrees(roots, "unit__path"))
        .order_by("rank")
        .values(*PERSONAL_ROW_FIELDS, *PERSONAL_USER_FIELDS)
    )


def personal_row(row: dict) -> dict:
    """A personal row with its user's columns under their answer names."""
    for field, name in PERSONAL_USER_FIELDS.items():
        row[name] = row.pop(field)
    return row


@dataclass(frozen=True, slots=True)
class Participation:
    participants: int
    attempts: int
    boards: list[Dashboard]


def participation_get(
    *, contest: Contest, round_: Round | None, roots: list[Unit] | None
) -> Participation:
    """The dashboard's per-unit participation for each subtree (the whole tree when
    roots is None); subtrees do not overlap, so their totals add up."""
    scopes: list[Unit | None] = [None] if roots is None else list(roots)
    boards = [
        dashboard_get(contest=contest, round_=round_, scope=scope) for scope in scopes
    ]
    return Participation(
        participants=sum(board.participants for board in boards),
        attempts=sum(board.attempts for board in boards),
        boards=boards,
    )
