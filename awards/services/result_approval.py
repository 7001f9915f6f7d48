"""A round's computed result approved: frozen with its checksum, its qualifiers
admitted to the final, and no second weekly prize for anyone."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import (
    ResultRow,
    RoundResult,
)
from awards.selectors import (
    other_weekly_winner_ids,
    ranking_rules_get,
)
from awards.services.approval import canonical, digest, freeze
from awards.services.audit import audit
from rounds.models import Contest, Round, RoundQualifier


def result_checksum(*, result: RoundResult) -> str:
    """SHA-256 over the ruleset and every row's keys and prize, in rank order."""
    return digest(result_payload(result=result))


def result_payload(*, result: RoundResult) -> dict:
    """What the checksum covers, as JSON-ready values: the ruleset, the truth and
    every row's keys and prize in rank order."""
    rows = result.rows.order_by("rank").values_list(
        "rank",
        "user_id",
        "attempt_id",
        "correct",
        "question_count",
        "prediction",
        "prediction_gap",
        "duration_ms",
        "submitted_at",
        "attempts_used",
        "registered_at",
        "prize_name",
        "prize_amount_vnd",
        "skip_reason",
        "qualified",
    )
    return {
        "round": result.round_id,
        "truth": result.prediction_truth,
        "ruleset": result.ruleset,
        "rows": [[canonical(value) for value in row] for row in rows],
    }


@transaction.atomic
def result_approve(
    *, result: RoundResult, actor: User, now: datetime | None = None
) -> RoundResult:
    """Freeze a provisional result with its checksum; qualifiers may enter finals."""
    now = now or timezone.now()
    result = RoundResult.objects.select_for_update().get(pk=result.pk)
    _refuse_a_second_weekly_prize(result)
    freeze(result, actor=actor, now=now, checksum=result_checksum)
    for final in Round.objects.filter(qualifying_round_id=result.round_id):
        final_sync_qualifiers(final=final)
    round_ = result.round
    audit(
        actor=actor,
        action="result_approve",
        contest=round_.contest,
        round_=round_,
        data={"checksum": result.checksum, "version": result.version},
        now=now,
    )
    return result


def _refuse_a_second_weekly_prize(result: RoundResult) -> None:
    """With one weekly prize per person, refuse a list computed before another
    week's list gave one of its winners a prize: whatever the order of work."""
    round_ = result.round
    if not ranking_rules_get(contest=round_.contest).one_weekly_prize_per_person:
        return
    # One approval at a time per contest, so two weeks cannot both pass the check.
    Contest.objects.select_for_update().filter(pk=round_.contest_id).first()
    holders = set(
        result.rows.filter(prize_tier__isnull=False).values_list("user_id", flat=True)
    )
    twice = holders & other_weekly_winner_ids(round_=round_)
    if twice:
        raise ValidationError(
            _(
                "Không thể phê duyệt: %(count)d người trong danh sách này đã đạt giải "
                "ở một tuần thi khác vừa được phê duyệt, mà cuộc thi chỉ cho mỗi người "
                "một giải tuần. Vui lòng tính lại kết quả tuần này rồi phê duyệt."
            )
            % {"count": len(twice)},
            code="second_weekly_prize",
        )


@transaction.atomic
def final_sync_qualifiers(*, final: Round) -> int:
    """Admit to a final the qualifiers of its approved qualifying round; return how many.

    Called when a qualifying list is approved and when a final is saved, so a final
    created or linked after the approval still admits the right people.
    """
    if final.stage != Round.Stage.FINAL or final.qualifying_round_id is None:
        return 0
    qualified = set(
        ResultRow.objects.filter(
            result__round_id=final.qualifying_round_id,
            result__status=RoundResult.Status.APPROVED,
            qualified=True,
        ).values_list("user_id", flat=True)
    )
    RoundQualifier.objects.filter(round=final).exclude(user_id__in=qualified).delete()
    RoundQualifier.objects.bulk_create(
        [RoundQualifier(round=final, user_id=pk) for pk in qualified],
        ignore_conflicts=True,
    )
    return len(qualified)
