"""A round's result: ranked in the database and its prizes allocated, stored as a
provisional snapshot (or previewed and rolled back). Approval: result_approval;
the ranked rows' single INSERT ... SELECT: result_rows."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards import eligibility_reasons, ranking
from awards.models import (
    PrizeTier,
    RankingRules,
    RoundResult,
)
from awards.selectors import (
    disqualified_user_ids,
    individual_tiers,
    other_weekly_winner_ids,
    ranking_rules_get,
    round_stats,
)
from awards.services.approval import refuse_if_approved
from awards.services.audit import audit
from awards.services.prizes import prizes_write, qualified_write
from awards.services.result_rows import result_rows_clear, result_rows_insert_ranked
from awards.services.settings import refuse_unawardable
from rounds import eligibility
from rounds.models import Round
from rounds.selectors import contest_eligibility_rules
from rounds.services import attempts_finish_expired


def _truth(
    round_: Round, rules: RankingRules, stats, *, preview: bool = False
) -> int | None:
    if not round_.has_prediction:
        return None
    if rules.truth_kind == ranking.TRUTH_MANUAL:
        if round_.prediction_truth_value is None and preview:
            return None  # a preview ranks without the prediction until it is entered
        if round_.prediction_truth_value is None:
            raise ValidationError(
                _("Chưa nhập đáp án câu dự đoán của tuần thi."), code="truth_missing"
            )
        return round_.prediction_truth_value
    return {
        ranking.TRUTH_PERFECT_PEOPLE: stats.perfect_people,
        ranking.TRUTH_PARTICIPANTS: stats.participants,
        ranking.TRUTH_ATTEMPTS: stats.attempts,
    }[rules.truth_kind]


def _ruleset(
    round_: Round,
    rules: RankingRules,
    truth: int | None,
    tiers: list[PrizeTier],
    elig: eligibility.Rules,
) -> dict[str, Any]:
    return {
        "order": list(rules.order),
        "counted_attempt": rules.counted_attempt,
        "truth_kind": rules.truth_kind if round_.has_prediction else None,
        "truth": truth,
        "one_weekly_prize_per_person": rules.one_weekly_prize_per_person,
        "stage": round_.stage,
        "qualify_per_unit": round_.qualify_per_unit
        if round_.stage == Round.Stage.QUALIFYING
        else None,
        "qualify_unit_levels": list(round_.qualify_unit_levels or ())
        if round_.stage == Round.Stage.QUALIFYING
        else None,
        "allowed_occupations": sorted(elig.allowed_occupations),
        "allowed_nationalities": sorted(elig.allowed_nationalities),
        "committee_ids": sorted(elig.committee_ids),
        "committee_unit_ids": sorted(elig.committee_unit_ids),
        "min_age": elig.min_age,
        "excluded_unit_ids": sorted(elig.excluded_unit_ids),
        "tiers": [
            {
                "id": t.pk,
                "name": t.name,
                "count": t.count,
                "amount_vnd": t.amount_vnd,
                "group": t.contestant_group.name if t.contestant_group else "",
            }
            for t in tiers
        ],
        "voided_question_ids": sorted(
            round_.voids.values_list("question_id", flat=True)
        ),
        "disqualified_user_ids": sorted(disqualified_user_ids(round_=round_)),
    }


def _stored_order(rules: RankingRules) -> tuple[str, ...]:
    """The ranking order as stored, refused in words if a row written outside the
    admin's choices holds something the ranking cannot use."""
    try:
        ranking.validate_order(rules.order or ())
        if rules.counted_attempt not in ranking.COUNTED_POLICIES:
            raise ValueError(rules.counted_attempt)
        if rules.truth_kind not in ranking.TRUTH_KINDS:
            raise ValueError(rules.truth_kind)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _(
                "Quy tắc xếp hạng của cuộc thi không hợp lệ: vui lòng mở trang cuộc "
                "thi, chọn lại thứ tự tiêu chí xếp hạng và lưu."
            ),
            code="invalid_rules",
        ) from error
    return tuple(rules.order)


def _refuse_unless_closed(round_: Round, now: datetime) -> None:
    if now <= round_.closes_at + timedelta(seconds=round_.grace_seconds):
        raise ValidationError(
            _(
                "Tuần thi chưa kết thúc: chỉ tính kết quả sau khi tuần thi đóng "
                "và hết thời gian gia hạn nộp bài."
            ),
            code="round_open",
        )


@transaction.atomic
def result_compute(
    *, round_: Round, actor: User, now: datetime | None = None
) -> RoundResult:
    """Rank the closed round, allocate its prizes and store a provisional snapshot."""
    now = now or timezone.now()
    round_ = (
        Round.objects.select_for_update().select_related("contest").get(pk=round_.pk)
    )
    _refuse_unless_closed(round_, now)
    refuse_if_approved(round_)
    return _compute(round_, actor=actor, now=now, preview=False)


@dataclass(frozen=True, slots=True)
class ResultPreview:
    truth: int | None
    participants: int
    perfect_people: int
    rows: list[dict]  # the prize zone and the qualifiers, in rank order


def result_preview(
    *, round_: Round, actor: User, now: datetime | None = None, limit: int = 200
) -> ResultPreview:
    """Who would win under the current rules if the round closed now: the very
    computation of result_compute, rolled back, so nothing is stored or published."""
    now = now or timezone.now()
    with transaction.atomic():
        round_ = Round.objects.select_related("contest").get(pk=round_.pk)
        refuse_if_approved(round_)
        result = _compute(round_, actor=actor, now=now, preview=True)
        rows = list(
            result.rows.filter(
                Q(rank__lte=limit) | ~Q(prize_name="") | Q(qualified=True)
            )
            .order_by("rank")
            .values(
                "rank",
                "group_name",
                "rank_in_group",
                "full_name",
                "unit_name",
                "correct",
                "question_count",
                "prediction",
                "prediction_gap",
                "duration_ms",
                "submitted_at",
                "prize_name",
                "prize_amount_vnd",
                "skip_reason",
                "qualified",
            )
        )
        preview = ResultPreview(
            truth=result.prediction_truth,
            participants=result.participants,
            perfect_people=result.perfect_people,
            rows=rows,
        )
        transaction.set_rollback(True)
    return preview


def _compute(
    round_: Round, *, actor: User, now: datetime, preview: bool
) -> RoundResult:
    """Rank the round, allocate its prizes and store the snapshot (rolled back by
    the caller of a preview)."""
    contest = round_.contest
    refuse_unawardable(contest=contest)
    if connection.vendor == "postgresql":
        # Ranking sorts every attempt of the round twice: in memory, not on disk.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
    # Attempts abandoned with saved answers count: finish them before ranking.
    attempts_finish_expired(now=now, round_=round_)
    rules = ranking_rules_get(contest=contest)
    order = _stored_order(rules)
    stats = round_stats(round_=round_, order=order, policy=rules.counted_attempt)
    truth = _truth(round_, rules, stats, preview=preview)
    elig = contest_eligibility_rules(contest=contest)
    groups = list(contest.contestant_groups.order_by("pk"))
    tiers = list(
        individual_tiers(contest=contest, stage=round_.stage).select_related(
            "contestant_group"
        )
    )

    result, _created = RoundResult.objects.update_or_create(
        round=round_,
        defaults={
            "status": RoundResult.Status.PROVISIONAL,
            "prediction_truth": truth,
            "ruleset": _ruleset(round_, rules, truth, tiers, elig),
            "participants": stats.participants,
            "attempts": stats.attempts,
            "perfect_people": 0,  # counted on the list itself, below
            "computed_by": actor,
            "computed_at": now,
            "approved_by": None,
            "approved_at": None,
            "checksum": "",
        },
    )
    result_rows_clear(result)
    written = result_rows_insert_ranked(
        result,
        round_=round_,
        order=order,
        policy=rules.counted_attempt,
        truth=truth,
        groups=groups,
    )
    # Published beside the list, so it counts the list's own rows: the counted
    # attempt of each person, whatever the order of the criteria.
    result.perfect_people = written.perfect
    result.save(update_fields=["perfect_people"])
    disqualified = disqualified_user_ids(round_=round_)
    others = (
        other_weekly_winner_ids(round_=round_)
        if rules.one_weekly_prize_per_person
        else set()
    )

    def blocked(row: dict) -> str | None:
        return eligibility_reasons.blocking_reason(
            row, rules=elig, disqualified=disqualified, earlier_winners=others
        )

    prizes_write(result, groups=groups, tiers=tiers, blocked=blocked)
    if round_.stage == Round.Stage.QUALIFYING:
        qualified_write(
            result,
            per_unit=round_.qualify_per_unit,
            levels=list(round_.qualify_unit_levels or ()),
            blocked=blocked,
        )
    if not preview:
        audit(
            actor=actor,
            action="result_compute",
            contest=contest,
            round_=round_,
            data={"rows": written.rows, "truth": truth},
            now=now,
        )
    return result
