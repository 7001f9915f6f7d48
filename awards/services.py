import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from awards import allocation, collective, eligibility_reasons, ranking
from awards.eligibility_reasons import NO_GROUP
from awards.models import (
    AuditEntry,
    Disqualification,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from awards.selectors import (
    disqualified_user_ids,
    earlier_winner_ids,
    individual_tiers,
    ranking_order_sql,
    ranking_rules_get,
    result_rows_walk,
    round_counted_attempts,
    round_stats,
)
from quizzes.models import Question
from rounds import eligibility
from rounds.models import Contest, Round, RoundQualifier, RoundVoidedQuestion
from rounds.selectors import contest_eligibility_rules
from rounds.services import attempts_finish_expired, round_rescore


def audit(
    *,
    actor: User,
    action: str,
    contest: Contest,
    round_: Round | None = None,
    reason: str = "",
    data: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one decision to the audit log."""
    return AuditEntry.objects.create(
        actor=actor,
        at=now or timezone.now(),
        action=action,
        contest=contest,
        round=round_,
        reason=reason,
        data=data or {},
    )


def _refuse_if_approved(round_: Round) -> None:
    if RoundResult.objects.filter(
        round=round_, status=RoundResult.Status.APPROVED
    ).exists():
        raise ValidationError(
            _("Kết quả tuần thi đã được phê duyệt, không thể thay đổi."),
            code="already_approved",
        )


def _truth(round_: Round, rules: RankingRules, stats) -> int | None:
    if not round_.has_prediction:
        return None
    if rules.truth_kind == ranking.TRUTH_MANUAL:
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


@transaction.atomic
def result_compute(
    *, round_: Round, actor: User, now: datetime | None = None
) -> RoundResult:
    """Rank the closed round, allocate its prizes and store a provisional snapshot."""
    now = now or timezone.now()
    round_ = (
        Round.objects.select_for_update().select_related("contest").get(pk=round_.pk)
    )
    if now <= round_.closes_at + timedelta(seconds=round_.grace_seconds):
        raise ValidationError(
            _(
                "Tuần thi chưa kết thúc: chỉ tính kết quả sau khi tuần thi đóng "
                "và hết thời gian gia hạn nộp bài."
            ),
            code="round_open",
        )
    _refuse_if_approved(round_)
    if connection.vendor == "postgresql":
        # Ranking sorts every attempt of the round twice: in memory, not on disk.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
    # Attempts abandoned with saved answers count: finish them before ranking.
    attempts_finish_expired(now=now, round_=round_)
    contest = round_.contest
    rules = ranking_rules_get(contest=contest)
    order = ranking.validate_order(rules.order)
    stats = round_stats(round_=round_, order=order, policy=rules.counted_attempt)
    truth = _truth(round_, rules, stats)
    elig = contest_eligibility_rules(contest=contest)
    groups = list(contest.contestant_groups.order_by("pk"))
    tiers = list(individual_tiers(contest=contest).select_related("contestant_group"))

    result, _created = RoundResult.objects.update_or_create(
        round=round_,
        defaults={
            "status": RoundResult.Status.PROVISIONAL,
            "prediction_truth": truth,
            "ruleset": _ruleset(round_, rules, truth, tiers, elig),
            "participants": stats.participants,
            "attempts": stats.attempts,
            "perfect_people": stats.perfect_people,
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
    disqualified = disqualified_user_ids(round_=round_)
    earlier = (
        earlier_winner_ids(round_=round_)
        if rules.one_weekly_prize_per_person
        else set()
    )

    def blocked(row: dict) -> str | None:
        return eligibility_reasons.blocking_reason(
            row, rules=elig, disqualified=disqualified, earlier_winners=earlier
        )

    _prizes_write(result, groups=groups, tiers=tiers, blocked=blocked)
    if round_.stage == Round.Stage.QUALIFYING:
        _qualified_write(result, per_unit=round_.qualify_per_unit, blocked=blocked)
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
    ]
    quote = connection.ops.quote_name
    user, unit = User._meta, Unit._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    # The people are joined to the ~300,000 picked attempts, not to all of them.
    people = f"""
        SELECT c.*,
            u.{column(user, "date_joined")} AS "user__date_joined",
            u.{column(user, "full_name")} AS "user__full_name",
            u.{column(user, "occupation")} AS "user__occupation",
            u.{column(user, "unit")} AS "user__unit_id",
            n.{column(unit, "name")} AS "user__unit__name"
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
            NULL, '', 0, '', %s
        FROM ({people}) r
    """
    params = [result.pk, *name_params, *key_params, False, *source_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _walk_until_given(rows, *, prizes: int, blocked) -> list[tuple[dict, str | None]]:
    """The top of a ranking as far as its prizes reach: every row up to and
    including the one that takes the last prize, with its blocking reason. Past it,
    allocation gives nothing and records no reason, as the rows already say."""
    walked: list[tuple[dict, str | None]] = []
    given = 0
    try:
        for row in rows:
            if given >= prizes:
                break
            reason = blocked(row)
            walked.append((row, reason))
            if reason is None:
                given += 1  # one row per person: nobody can take two prizes here
    finally:
        rows.close()
    return walked


def _prizes_write(result: RoundResult, *, groups, tiers, blocked) -> None:
    """Hand out each contestant group's tiers (or everyone's, without groups) down
    the stored ranking, and record why the people passed over were skipped."""
    changed: list[ResultRow] = []
    if groups:
        pools = [
            (group.name, [t for t in tiers if t.contestant_group_id == group.pk])
            for group in groups
        ]
    else:
        pools = [(None, [t for t in tiers if t.contestant_group_id is None])]
    tier_by_id = {t.pk: t for t in tiers}
    for group_name, pool_tiers in pools:
        prizes = sum(t.count for t in pool_tiers)
        if not prizes:
            continue
        walked = _walk_until_given(
            result_rows_walk(result=result, group_name=group_name),
            prizes=prizes,
            blocked=blocked,
        )
        awards = allocation.allocate(
            [allocation.Candidate(row["user_id"], reason) for row, reason in walked],
            [allocation.Tier(tier_id=t.pk, count=t.count) for t in pool_tiers],
        )
        for (row, _reason), award in zip(walked, awards, strict=True):
            tier = tier_by_id.get(award.tier_id) if award.tier_id else None
            if tier or award.skipped_because:
                changed.append(_row_award(row["pk"], tier, award.skipped_because))
    if groups:
        # Outside every contestant group: ranked, never awarded, and said why.
        rows = result_rows_walk(result=result, group_name="")
        changed += [
            _row_award(row["pk"], None, blocked(row) or NO_GROUP) for row in rows
        ]
    ResultRow.objects.bulk_update(
        changed,
        ["prize_tier", "prize_name", "prize_amount_vnd", "skip_reason"],
        batch_size=1000,
    )


def _row_award(pk: int, tier: PrizeTier | None, reason: str | None) -> ResultRow:
    return ResultRow(
        pk=pk,
        prize_tier=tier,
        prize_name=tier.name if tier else "",
        prize_amount_vnd=tier.amount_vnd if tier else 0,
        skip_reason=reason or "",
    )


def _qualified_write(result: RoundResult, *, per_unit: int, blocked) -> None:
    """Mark the top `per_unit` eligible people of each unit of a qualifying round."""
    taken: dict[int | None, int] = defaultdict(int)
    chosen = []
    for row in result_rows_walk(result=result):
        if blocked(row) or taken[row["unit_id"]] >= per_unit:
            continue
        taken[row["unit_id"]] += 1
        chosen.append(row["pk"])
    for start in range(0, len(chosen), 1000):
        ResultRow.objects.filter(pk__in=chosen[start : start + 1000]).update(
            qualified=True
        )


def result_checksum(*, result: RoundResult) -> str:
    """SHA-256 over the ruleset and every row's keys and prize, in rank order."""
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
    payload = {
        "round": result.round_id,
        "truth": result.prediction_truth,
        "ruleset": result.ruleset,
        "rows": [[_canonical(value) for value in row] for row in rows],
    }
    return _digest(payload)


def _digest(payload: dict[str, Any]) -> str:
    """SHA-256 of a canonical JSON encoding: the same content always gives the same sum."""
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _freeze(
    result: RoundResult | UnitResult, *, actor: User, now: datetime, checksum
) -> None:
    """Approve a locked provisional result: who, when, and the checksum of its rows."""
    if result.status == RoundResult.Status.APPROVED:
        raise ValidationError(
            _("Kết quả này đã được phê duyệt."), code="already_approved"
        )
    result.status = RoundResult.Status.APPROVED
    result.approved_by = actor
    result.approved_at = now
    result.checksum = checksum(result=result)
    result.save(update_fields=["status", "approved_by", "approved_at", "checksum"])


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


@transaction.atomic
def result_approve(
    *, result: RoundResult, actor: User, now: datetime | None = None
) -> RoundResult:
    """Freeze a provisional result with its checksum; qualifiers may enter finals."""
    now = now or timezone.now()
    result = RoundResult.objects.select_for_update().get(pk=result.pk)
    _freeze(result, actor=actor, now=now, checksum=result_checksum)
    for final in Round.objects.filter(qualifying_round_id=result.round_id):
        final_sync_qualifiers(final=final)
    round_ = result.round
    audit(
        actor=actor,
        action="result_approve",
        contest=round_.contest,
        round_=round_,
        data={"checksum": result.checksum},
        now=now,
    )
    return result


def contestant_disqualify_check(*, round_: Round, user: User, reason: str) -> None:
    """Refuse a disqualification without a reason, twice, or after approval."""
    if not (reason or "").strip():
        raise ValidationError(
            _("Vui lòng ghi rõ lý do loại thí sinh."), code="reason_required"
        )
    _refuse_if_approved(round_)
    if Disqualification.objects.filter(round=round_, user=user).exists():
        raise ValidationError(
            _("Thí sinh này đã bị loại khỏi xét giải tuần thi."), code="duplicate"
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


@transaction.atomic
def contestant_disqualify(
    *,
    round_: Round,
    user: User,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> Disqualification:
    """Exclude a contestant from the round's prizes, then recompute the result."""
    now = now or timezone.now()
    contestant_disqualify_check(round_=round_, user=user, reason=reason)
    reason = reason.strip()
    decision = Disqualification.objects.create(
        round=round_, user=user, reason=reason, decided_by=actor, decided_at=now
    )
    audit(
        actor=actor,
        action="disqualify",
        contest=round_.contest,
        round_=round_,
        reason=reason,
        data={"user_id": user.pk},
        now=now,
    )
    if RoundResult.objects.filter(round=round_).exists():
        result_compute(round_=round_, actor=actor, now=now)
    return decision


def question_void_check(*, round_: Round, question: Question, reason: str) -> None:
    """Refuse a void without a reason, twice, or after approval."""
    if not (reason or "").strip():
        raise ValidationError(
            _("Vui lòng ghi rõ lý do hủy câu hỏi."), code="reason_required"
        )
    _refuse_if_approved(round_)
    if RoundVoidedQuestion.objects.filter(round=round_, question=question).exists():
        raise ValidationError(_("Câu hỏi này đã bị hủy."), code="duplicate")


@transaction.atomic
def question_void(
    *,
    round_: Round,
    question: Question,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> RoundVoidedQuestion:
    """Count a wrong question as correct for everyone: rescore, then recompute."""
    now = now or timezone.now()
    question_void_check(round_=round_, question=question, reason=reason)
    reason = reason.strip()
    void = RoundVoidedQuestion.objects.create(
        round=round_, question=question, reason=reason, voided_by=actor, voided_at=now
    )
    changed = round_rescore(round_=round_)
    audit(
        actor=actor,
        action="question_void",
        contest=round_.contest,
        round_=round_,
        reason=reason,
        data={"question_id": question.pk, "attempts_rescored": changed},
        now=now,
    )
    if RoundResult.objects.filter(round=round_).exists():
        result_compute(round_=round_, actor=actor, now=now)
    return void


# --- collective (unit) results ------------------------------------------------


@transaction.atomic
def unit_result_compute(
    *, contest: Contest, actor: User, now: datetime | None = None
) -> UnitResult:
    """Rank units per unit group from the approved weekly results; store a snapshot."""
    now = now or timezone.now()
    closed = Round.objects.filter(contest=contest, closes_at__lte=now)
    approved = RoundResult.objects.filter(
        round__in=closed, status=RoundResult.Status.APPROVED
    )
    if not closed.exists() or approved.count() != closed.count():
        raise ValidationError(
            _(
                "Cần phê duyệt kết quả tất cả các tuần thi đã kết thúc trước khi xếp giải tập thể."
            ),
            code="rounds_not_approved",
        )
    existing = UnitResult.objects.filter(contest=contest).first()
    if existing and existing.status == RoundResult.Status.APPROVED:
        raise ValidationError(
            _("Kết quả tập thể đã được phê duyệt, không thể thay đổi."),
            code="already_approved",
        )
    rules = ranking_rules_get(contest=contest)
    people = _people_results(approved)
    units = list(
        Unit.objects.filter(is_active=True).values(
            "pk", "parent_id", "headcount", "name", "level"
        )
    )
    figures = collective.figures(
        [collective.UnitNode(u["pk"], u["parent_id"], u["headcount"]) for u in units],
        people,
    )
    min_rate = (
        Fraction(rules.unit_min_rate_percent, 100)
        if rules.unit_min_rate_percent is not None
        else None
    )
    tiers = list(
        PrizeTier.objects.filter(contest=contest, kind=PrizeTier.Kind.COLLECTIVE)
        .select_related("unit_group")
        .order_by("order", "pk")
    )
    result, _created = UnitResult.objects.update_or_create(
        contest=contest,
        defaults={
            "status": RoundResult.Status.PROVISIONAL,
            "ruleset": {
                "metric": rules.unit_metric,
                "tie_break": list(rules.unit_tie_break),
                "min_rate_percent": rules.unit_min_rate_percent,
                "rounds": sorted(approved.values_list("round_id", flat=True)),
                "tiers": [
                    {
                        "id": t.pk,
                        "name": t.name,
                        "count": t.count,
                        "amount_vnd": t.amount_vnd,
                        "group": t.unit_group.name if t.unit_group else "",
                    }
                    for t in tiers
                ],
            },
            "computed_by": actor,
            "computed_at": now,
            "approved_by": None,
            "approved_at": None,
            "checksum": "",
        },
    )
    result.rows.all().delete()
    names = {u["pk"]: u["name"] for u in units}
    rows = []
    for group in contest.unit_groups.all():
        members = [figures[u["pk"]] for u in units if u["level"] in group.levels]
        standings = collective.rank_units(
            members,
            metric=rules.unit_metric,
            tie_break=rules.unit_tie_break,
            min_rate=min_rate,
        )
        group_tiers = [t for t in tiers if t.unit_group_id == group.pk]
        awards = {
            a.person_id: a
            for a in allocation.allocate(
                [
                    allocation.Candidate(s.figures.unit_id)
                    for s in standings
                    if s.rank is not None
                ],
                [allocation.Tier(t.pk, t.count) for t in group_tiers],
            )
        }
        tier_by_id = {t.pk: t for t in group_tiers}
        for standing in standings:
            fig = standing.figures
            award = awards.get(fig.unit_id)
            tier = tier_by_id.get(award.tier_id) if award and award.tier_id else None
            rows.append(
                UnitResultRow(
                    result=result,
                    group_name=group.name,
                    rank=standing.rank,
                    unit_id=fig.unit_id,
                    unit_name=names[fig.unit_id],
                    headcount=fig.headcount,
                    participants=fig.participants,
                    rate_percent=_percent(fig.rate),
                    average_score_percent=_percent(fig.average_score),
                    winners=fig.winners,
                    prize_tier=tier,
                    prize_name=tier.name if tier else "",
                    prize_amount_vnd=tier.amount_vnd if tier else 0,
                    not_ranked_because=standing.not_ranked_because or "",
                )
            )
    UnitResultRow.objects.bulk_create(rows, batch_size=2000)
    audit(
        actor=actor,
        action="unit_result_compute",
        contest=contest,
        data={"rows": len(rows)},
        now=now,
    )
    return result


def _percent(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(
        Decimal("0.01")
    )


def _people_results(approved) -> list[collective.PersonResult]:
    totals: dict[int, dict[str, Any]] = {}
    for user_id, unit_id, correct, count, prize in ResultRow.objects.filter(
        result__in=approved
    ).values_list("user_id", "unit_id", "correct", "question_count", "prize_tier_id"):
        person = totals.setdefault(
            user_id,
            {"unit": unit_id, "score": Fraction(0), "rounds": 0, "winner": False},
        )
        person["score"] += Fraction(correct, count) if count else Fraction(0)
        person["rounds"] += 1
        person["winner"] = person["winner"] or prize is not None
    return [
        collective.PersonResult(
            person_id=user_id,
            unit_id=data["unit"],
            score_sum=data["score"],
            rounds=data["rounds"],
            is_winner=data["winner"],
        )
        for user_id, data in totals.items()
        if data["unit"] is not None
    ]


def unit_result_checksum(*, result: UnitResult) -> str:
    rows = result.rows.order_by("group_name", "rank", "unit_id").values_list(
        "group_name",
        "rank",
        "unit_id",
        "participants",
        "headcount",
        "rate_percent",
        "average_score_percent",
        "winners",
        "prize_name",
        "prize_amount_vnd",
        "not_ranked_because",
    )
    payload = {
        "contest": result.contest_id,
        "ruleset": result.ruleset,
        "rows": [
            [str(v) if isinstance(v, Decimal) else v for v in row] for row in rows
        ],
    }
    return _digest(payload)


@transaction.atomic
def unit_result_approve(
    *, result: UnitResult, actor: User, now: datetime | None = None
) -> UnitResult:
    """Freeze the collective result with its checksum."""
    now = now or timezone.now()
    result = UnitResult.objects.select_for_update().get(pk=result.pk)
    _freeze(result, actor=actor, now=now, checksum=unit_result_checksum)
    audit(
        actor=actor,
        action="unit_result_approve",
        contest=result.contest,
        data={"checksum": result.checksum},
        now=now,
    )
    return result
