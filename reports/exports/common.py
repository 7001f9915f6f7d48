"""Shared pieces of the exports: headers, formats, the unit tree, title blocks."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.models import Unit, User
from awards import collective
from awards.models import RoundResult
from quizzes.models import MAX_CHOICES
from reports import xlsx
from reports.xlsx import Column
from rounds.models import Contest, Round

LETTERS = "ABCDEF"[:MAX_CHOICES]
BANK_HEADERS = (
    "Chủ đề",
    "Câu hỏi",
    *(f"Phương án {letter}" for letter in LETTERS),
    "Đáp án đúng",
    "Giải thích",
    "Đang sử dụng",
)
YES, NO = "Có", "Không"
NOT_RANKED_LABELS = {
    collective.BELOW_MIN_RATE: "Dưới tỷ lệ tham gia tối thiểu",
    collective.NO_HEADCOUNT: "Chưa có số biên chế",
    collective.NO_PARTICIPANTS: "Không có người dự thi",
}
NOBODY_RIGHT = "Không ai trả lời đúng"
EVERYBODY_RIGHT = "Tất cả đều trả lời đúng"
CHUNK = 2000
ID_BATCH = 500

VND = "#,##0"
SECONDS = "0.000"
PERCENT = "0.00"


# --- shared helpers ---------------------------------------------------------------


def title_block(
    *,
    subject: str,
    by: User,
    now: datetime | None,
    contest: Contest | None = None,
    round_: Round | None = None,
) -> xlsx.Title:
    return xlsx.Title(
        subject=subject,
        generated_at=now or timezone.now(),
        generated_by=by.full_name,
        contest=contest.title if contest else "",
        round_name=round_.name if round_ else "",
    )


def result_subject(subject: str, result: RoundResult) -> str:
    return f"{subject} ({result.get_status_display()})"


@dataclass(frozen=True, slots=True)
class UnitNode:
    name: str
    level: str
    parent_id: int | None
    headcount: int  # the unit's own staff, not its sub-units'
    path: str

    @property
    def ancestor_ids(self) -> list[int]:
        """Root first, the unit itself last."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


def unit_tree(*, active_only: bool = False) -> dict[int, UnitNode]:
    """Units by id with name, level, parent, headcount and path, in one query."""
    units = Unit.objects.filter(is_active=True) if active_only else Unit.objects.all()
    return {
        pk: UnitNode(name, level, parent_id, headcount, path)
        for pk, name, level, parent_id, headcount, path in units.values_list(
            "pk", "name", "level", "parent_id", "headcount", "path"
        ).iterator(chunk_size=CHUNK)
    }


def subtree_headcounts(tree: dict[int, UnitNode]) -> dict[int, int]:
    """Each unit's own headcount plus that of every unit below it in the tree."""
    totals = dict.fromkeys(tree, 0)
    for node in tree.values():
        for ancestor_id in node.ancestor_ids:
            if ancestor_id in totals:
                totals[ancestor_id] += node.headcount
    return totals


def occupation_labels(occupations: Iterable[str]) -> str:
    """The occupations in words, for a title or a note; "" when none."""
    labels = dict(User.Occupation.choices)
    return "; ".join(str(labels.get(code, code)) for code in occupations)


def at_level(tree: dict[int, UnitNode], unit_id: int | None, level: str) -> str:
    """The name of the unit itself or its nearest ancestor at `level`."""
    node = tree.get(unit_id) if unit_id else None
    for ancestor_id in reversed(node.ancestor_ids if node else []):
        ancestor = tree.get(ancestor_id)
        if ancestor and ancestor.level == level:
            return ancestor.name
    return ""


def unit_columns() -> list[Column]:
    return [Column("Đơn vị", 30), Column("Cấp xã", 24), Column("Cấp huyện", 24)]


def unit_cells(tree: dict[int, UnitNode], unit_id: int | None, name: str) -> list:
    return [
        name,
        at_level(tree, unit_id, Unit.Level.COMMUNE),
        at_level(tree, unit_id, Unit.Level.DISTRICT),
    ]


def mm_ss(duration_ms: int) -> str:
    minutes, seconds = divmod(duration_ms // 1000, 60)
    return f"{minutes:02d}:{seconds:02d}"


def in_batches(ids: Iterable[int]) -> Iterator[list[int]]:
    """Id lists short enough for any database's parameter limit."""
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == ID_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
