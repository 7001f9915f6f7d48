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
from awards import allocation, collective
from awards.models import PrizeTier, ResultRow, RoundResult, UnitResult, UnitResultRow
from awards.selectors import ranking_rules_get
from awards.services.approval import digest, freeze
from awards.services.audit import audit
from rounds.models import Contest, Round


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
