"""Unit participation for a contest."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast

from accounts.models import Unit, User
from awards.models import ResultRow, RoundResult, UnitGroup, UnitResultRow
from reports import xlsx
from reports.exports.common import (
    NOT_RANKED_LABELS,
    PERCENT,
    VND,
    UnitNode,
    occupation_labels,
    subtree_headcounts,
    title_block,
    unit_tree,
)
from reports.xlsx import Column
from rounds.models import Attempt, Contest

# --- unit participation ------------------------------------------------------------

BASE_HEADCOUNT = "Biên chế (riêng đơn vị)"
SUBTREE_HEADCOUNT = "Biên chế (cả đơn vị trực thuộc)"
RATE_PEOPLE = "Số người dự thi thuộc đối tượng tính tỷ lệ"


def units_export(
    *, contest: Contest, target: xlsx.Target, by: User, now: datetime | None = None
) -> int:
    """Participation of every unit counting its sub-units' people and staff, in a
    constant number of queries; the rate counts the contest's occupations only."""
    tree = unit_tree(active_only=True)
    staff = subtree_headcounts(tree)
    occupations = contest.participation_occupations or []
    in_rate = Q(user__occupation__in=occupations) if occupations else None
    finished = Attempt.objects.filter(
        round__contest=contest, status=Attempt.Status.FINISHED, is_practice=False
    )
    people: Counter[int] = Counter()
    rate_people: Counter[int] = Counter()
    attempts: Counter[int] = Counter()
    for unit_id, n_people, n_rate_people, n_attempts in (
        finished.values("user__unit_id")
        .annotate(
            people=Count("user_id", distinct=True),
            rate_people=Count("user_id", distinct=True, filter=in_rate),
            attempts=Count("pk"),
        )
        .values_list("user__unit_id", "people", "rate_people", "attempts")
    ):
        _roll_up(tree, unit_id, people, n_people)
        _roll_up(tree, unit_id, rate_people, n_rate_people)
        _roll_up(tree, unit_id, attempts, n_attempts)
    # The counted attempt of each person and round is the ranked row.
    score_sum: defaultdict[int, float] = defaultdict(float)
    scored: Counter[int] = Counter()
    for unit_id, share, n in (
        ResultRow.objects.filter(
            result__round__contest=contest, question_count__gt=0, unit__isnull=False
        )
        .values("unit_id")
        .annotate(
            share=Sum(
                Cast("correct", FloatField()) / Cast("question_count", FloatField())
            ),
            n=Count("pk"),
        )
        .values_list("unit_id", "share", "n")
    ):
        for ancestor_id in _ancestors_in(tree, unit_id):
            score_sum[ancestor_id] += share or 0.0
            scored[ancestor_id] += n
    groups = list(UnitGroup.objects.filter(contest=contest).order_by("pk"))
    standings: dict[int, dict] = {}
    for row in (
        UnitResultRow.objects.filter(
            result__contest=contest, result__status=RoundResult.Status.APPROVED
        )
        .order_by("group_name", "rank", "pk")
        .values(
            "unit_id", "rank", "prize_name", "prize_amount_vnd", "not_ranked_because"
        )
    ):
        standings.setdefault(row["unit_id"], row)
    levels = dict(Unit.Level.choices)
    columns = [
        Column("Đơn vị", 34),
        Column("Cấp", 18),
        Column("Đơn vị cấp trên", 30),
    ]
    if groups:
        columns.append(Column("Nhóm đơn vị", 18))
    population = occupation_labels(occupations)
    columns += [
        Column(BASE_HEADCOUNT, 10, VND),
        Column(SUBTREE_HEADCOUNT, 14, VND),
        Column("Số người dự thi", 12, VND),
    ]
    if population:
        columns.append(Column(RATE_PEOPLE, 16, VND))
    columns += [
        Column("Tỷ lệ tham gia (%)", 12, PERCENT),
        Column("Số lượt thi", 12, VND),
        Column("Điểm trung bình (% câu đúng)", 14, PERCENT),
        Column("Hạng tập thể", 10),
        Column("Giải tập thể", 18),
        Column("Trị giá (đồng)", 14, VND),
        Column("Ghi chú", 26),
    ]

    def lines() -> Iterator[list]:
        for unit_id, node in sorted(tree.items(), key=lambda item: item[1].path):
            parent = tree.get(node.parent_id) if node.parent_id else None
            line = [
                node.name,
                levels.get(node.level, node.level),
                parent.name if parent else "",
            ]
            if groups:
                line.append(", ".join(g.name for g in groups if node.level in g.levels))
            standing = standings.get(unit_id, {})
            line += [node.headcount, staff[unit_id], people[unit_id]]
            if population:
                line.append(rate_people[unit_id])
            line += [
                round(100 * rate_people[unit_id] / staff[unit_id], 2)
                if staff[unit_id]
                else None,
                attempts[unit_id],
                round(100 * score_sum[unit_id] / scored[unit_id], 2)
                if scored[unit_id]
                else None,
                standing.get("rank"),
                standing.get("prize_name", ""),
                standing.get("prize_amount_vnd") or None,
                NOT_RANKED_LABELS.get(standing.get("not_ranked_because", ""), ""),
            ]
            yield line

    subject = "Tình hình tham gia theo đơn vị"
    if population:
        subject += f" (tỷ lệ tham gia tính trên đối tượng: {population})"
    title = title_block(subject=subject, by=by, now=now, contest=contest)
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Đơn vị"
    )


def _ancestors_in(tree: dict[int, UnitNode], unit_id: int | None) -> list[int]:
    """The unit and every unit above it that the tree holds."""
    node = tree.get(unit_id) if unit_id else None
    return [pk for pk in node.ancestor_ids if pk in tree] if node else []


def _roll_up(
    tree: dict[int, UnitNode], unit_id: int | None, totals: Counter[int], n: int
) -> None:
    for ancestor_id in _ancestors_in(tree, unit_id):
        totals[ancestor_id] += n
