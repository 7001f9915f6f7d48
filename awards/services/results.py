"""A round's result: ranked in the database and its prizes allocated, stored as a
provisional snapshot (or previewed and rolled back). Approval: result_approval."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from awards import eligibility_reasons, ranking
from awards.models import (
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
)
from awards.selectors import (
    disqualified_user_ids,
    individual_tiers,
    other_weekly_winner_ids,
    ranking_order_sql,
    ranking_rules_get,
    round_counted_attempts,
    round_stats,
)
from awards.services.approval import refuse_if_approved
from awards.services.audit import audit
from awards.services.prizes import prizes_write, qualified_write
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
    _rows_clear(result)
    count = _rows_insert_ranked(
        result,
        round_=round_,
        order=order,
        policy=rules.counted_attempt,
        truth=truth,
        groups=groups,
    )
    # Published beside the list, so it counts the list's own rows: the counted
    # attempt of each person, whatever the order of the criteria.
    result.perfect_people = result.rows.filter(correct=F("question_count")).count()
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
            data={"rows": count, "truth": truth},
            now=now,
        )
    return result


def _rows_clear(result: RoundResult) -> None:
    """Delete a provisional result's rows in one statement. A row with a certificate
    (approved results only) is still refused by the database's foreign key."""
    table = connection.ops.quote_name(ResultRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE result_id = %s", [result.pk])


def _group_case(groups: list, values: list, default) -> tuple[str, list]:
    """SQL choosing, from the ranked row's occupation, the value of the first group
    that lists it (the order of `groups`), else `default`."""
    parts, params = [], []
    for group, value in zip(groups, values, strict=True):
        occupations = list(group.occupations or [])
        if not occupations:
            continue
        marks = ", ".join(["%s"] * len(occupations))
        parts.append(f'WHEN r."user__occupation" IN ({marks}) THEN %s')
        params += [*occupations, value]
    if not parts:
        return "%s", [default]
    return f"CASE {' '.join(parts)} ELSE %s END", [*params, default]


def _rows_insert_ranked(
    result: RoundResult,
    *,
    round_: Round,
    order: tuple[str, ...],
    policy: str,
    truth: int | None,
    groups: list,
) -> int:
    """Write one row per ranked person with a single INSERT ... SELECT: the database
    picks each person's counted attempt, numbers the ranking overall and within each
    contestant group, and copies the keys. Prizes, reasons and qualification are
    written afterwards by the walks below. Returns the number of rows."""
    source = round_counted_attempts(
        round_=round_, order=order, policy=policy, truth=truth
    )
    source_sql, source_params = source.query.sql_with_params()
    ranked = ranking_order_sql(order, has_truth=truth is not None, alias="r")
    group_name, name_params = _group_case(groups, [g.name for g in groups], "")
    if groups:
        group_key, key_params = _group_case(groups, list(range(len(groups))), -1)
        rank_in_group = (
            f"ROW_NUMBER() OVER (PARTITION BY {group_key} ORDER BY {ranked})"
        )
    else:
        # The same window as the rank: the database numbers the rows once.
        rank_in_group, key_params = f"ROW_NUMBER() OVER (ORDER BY {ranked})", []
    columns = [
        "result_id",
        "rank",
        "group_name",
        "rank_in_group",
        "user_id",
        "attempt_id",
        "attempt_number",
        "full_name",
        "unit_id",
        "unit_name",
        "correct",
        "question_count",
        "prediction",
        "prediction_gap",
        "duration_ms",
        "submitted_at",
        "attempts_used",
        "registered_at",
        "prize_tier_id",
        "prize_name",
        "prize_amount_vnd",
        "skip_reason",
        "qualified",
        "search_text",
        "share_token",
    ]
    quote = connection.ops.quote_name
    user, unit = User._meta, Unit._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    # The folded names are copied, not folded here: accounts.services keeps them.
    # 128 random bits per row for its share page, as awards.models.new_share_token.
    share_token = {
        "postgresql": "replace(gen_random_uuid()::text, '-', '')",
        "sqlite": "lower(hex(randomblob(16)))",
    }[connection.vendor]
    # The people are joined to the ~300,000 picked attempts, not to all of them.
    people = f"""
        SELECT c.*,
            u.{column(user, "date_joined")} AS "user__date_joined",
            u.{column(user, "full_name")} AS "user__full_name",
            u.{column(user, "occupation")} AS "user__occupation",
            u.{column(user, "unit")} AS "user__unit_id",
            n.{column(unit, "name")} AS "user__unit__name",
            u.{column(user, "search_name")} AS "user__search_name",
            n.{column(unit, "search_name")} AS "user__unit__search_name"
        FROM ({source_sql}) c
        INNER JOIN {quote(user.db_table)} u ON u.{column(user, "id")} = c."user_id"
        LEFT OUTER JOIN {quote(unit.db_table)} n
            ON n.{column(unit, "id")} = u.{column(user, "unit")}
    """
    sql = f"""
        INSERT INTO {quote(ResultRow._meta.db_table)}
            ({", ".join(quote(c) for c in columns)})
        SELECT %s,
            ROW_NUMBER() OVER (ORDER BY {ranked}),
            {group_name},
            {rank_in_group},
            r."user_id", r."pk", r."number", r."user__full_name", r."user__unit_id",
            COALESCE(r."user__unit__name", ''), r."correct_count", r."question_count",
            r."prediction", r."gap", r."duration_ms", r."submitted_at",
            r."attempts_used", r."user__date_joined",
            NULL, '', 0, '', %s,
            TRIM(r."user__search_name" || ' ' || COALESCE(r."user__unit__search_name", '')),
            {share_token}
        FROM ({people}) r
    """
    params = [result.pk, *name_params, *key_params, False, *source_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
