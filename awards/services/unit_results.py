"""The contest's collective (unit) result: units ranked per unit group, then approved."""

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from awards import allocation, collective, eligibility_reasons
from awards.models import (
    Disqualification,
    PrizeTier,
    ResultRow,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from awards.selectors import ranking_rules_get
from awards.services.approval import digest, freeze
from awards.services.audit import audit
from awards.services.settings import refuse_unawardable
from rounds.models import Contest, Round
from rounds.selectors import contest_eligibility_rules


def _counted_rounds(contest: Contest, rules, now: datetime):
    """The rounds the collective ranking is over, each closed and approved."""
    chosen = rules.unit_rounds.filter(contest=contest) if rules.pk else None
    rounds = (
        chosen
        if chosen is not None and chosen.exists()
        else Round.objects.filter(contest=contest, closes_at__lte=now)
    )
    approved = RoundResult.objects.filter(
        round__in=rounds, status=RoundResult.Status.APPROVED
    )
    if not rounds.exists() or approved.count() != rounds.count():
        raise ValidationError(
            _(
                "Cần phê duyệt kết quả tất cả các vòng thi tính giải tập thể (mặc định: "
                "mọi tuần thi đã kết thúc) trước khi xếp giải tập thể."
            ),
            code="rounds_not_approved",
        )
    return approved


@transaction.atomic
def unit_result_compute(
    *, contest: Contest, actor: User, now: datetime | None = None
) -> UnitResult:
    """Rank units per unit group from the approved results; store a snapshot."""
    now = now or timezone.now()
    refuse_unawardable(contest=contest)
    rules = ranking_rules_get(contest=contest)
    approved = _counted_rounds(contest, rules, now)
    existing = UnitResult.objects.filter(contest=contest).first()
    if existing and existing.status == RoundResult.Status.APPROVED:
        raise ValidationError(
            _("Kết quả tập thể đã được phê duyệt, không thể thay đổi."),
            code="already_approved",
        )
    try:
        order = collective.validate_order(rules.unit_order)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _(
                "Tiêu chí xếp hạng tập thể không hợp lệ: vui lòng chọn lại trên trang "
                "cuộc thi và lưu."
            ),
            code="invalid_rules",
        ) from error
    people = _people_results(approved, contest=contest)
    # The whole tree, so people under a unit no longer active still count for the
    # units above it; only active units are ranked.
    units = list(
        Unit.objects.values(
            "pk", "parent_id", "headcount", "name", "level", "is_active"
        )
    )
    nodes = [
        collective.UnitNode(u["pk"], u["parent_id"], u["headcount"]) for u in units
    ]
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
                "order": order,
                "min_rate_percent": rules.unit_min_rate_percent,
                "rate_occupations": sorted(contest.participation_occupations or ()),
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
    for group in contest.unit_groups.order_by("pk"):
        members = {
            u["pk"] for u in units if u["is_active"] and u["level"] in group.levels
        }
        figures = collective.figures(nodes, people, members=members)
        standings = collective.rank_units(
            list(figures.values()), order=order, min_rate=min_rate
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
                    total_correct=fig.total_correct,
                    perfect_people=fig.perfect_people,
                    average_duration_ms=round(fig.average_duration_ms),
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


UNIT_PEOPLE_FIELDS = (
    "user_id",
    "unit_id",
    "correct",
    "question_count",
    "duration_ms",
    "prize_tier_id",
    "group_name",
    "submitted_at",
    "result__round_id",
    "user__date_of_birth",
    "user__is_staff",
    "user__is_superuser",
    "user__occupation",
    "user__nationality",
    "user__unit__path",
)


def _people_results(approved, *, contest: Contest) -> list[collective.PersonResult]:
    """Each eligible person's counted rounds: who the contest and its contestant
    groups admit, not disqualified in that round; their unit is the one of their
    latest counted round."""
    rules = contest_eligibility_rules(contest=contest)
    has_groups = contest.contestant_groups.exists()
    disqualified = set(
        Disqualification.objects.filter(
            round_id__in=approved.values("round_id")
        ).values_list("round_id", "user_id")
    )
    population = set(contest.participation_occupations or ())
    people: dict[int, dict[str, Any]] = {}
    rows = (
        ResultRow.objects.filter(result__in=approved)
        .order_by("-result__round__closes_at", "rank")
        .values(*UNIT_PEOPLE_FIELDS)
    )
    for row in rows.iterator(chunk_size=2000):
        if has_groups and not row["group_name"]:
            continue
        reason = eligibility_reasons.blocking_reason(
            row,
            rules=rules,
            disqualified=set()
            if (row["result__round_id"], row["user_id"]) not in disqualified
            else {row["user_id"]},
            earlier_winners=set(),
        )
        if reason is not None or row["unit_id"] is None:
            continue
        person = people.setdefault(
            row["user_id"],
            {
                "unit": row["unit_id"],
                "occupation": row["user__occupation"],
                "scores": [],
            },
        )
        person["scores"].append(
            collective.RoundScore(
                correct=row["correct"],
                question_count=row["question_count"],
                duration_ms=row["duration_ms"],
                is_winner=row["prize_tier_id"] is not None,
            )
        )
    return [
        collective.PersonResult(
            person_id=user_id,
            unit_id=data["unit"],
            scores=tuple(data["scores"]),
            in_rate_population=not population or data["occupation"] in population,
        )
        for user_id, data in people.items()
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
        "total_correct",
        "perfect_people",
        "average_duration_ms",
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
    return digest(payload)


@transaction.atomic
def unit_result_approve(
    *, result: UnitResult, actor: User, now: datetime | None = None
) -> UnitResult:
    """Freeze the collective result with its checksum."""
    now = now or timezone.now()
    result = UnitResult.objects.select_for_update().get(pk=result.pk)
    freeze(result, actor=actor, now=now, checksum=unit_result_checksum)
    audit(
        actor=actor,
        action="unit_result_approve",
        contest=result.contest,
        data={"checksum": result.checksum},
        now=now,
    )
    return result
