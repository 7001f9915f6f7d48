"""What an import will do, row by row: the plan an admin previews and confirms."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True, slots=True)
class RowError:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RowPlan:
    """What importing one row will do: an action, or the reasons it cannot."""

    number: int
    label: str
    action: str = ""  # "create", "update" or "unchanged"; "" when the row has errors
    errors: tuple[RowError, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def action_display(self) -> str:
        return ACTION_LABELS.get(self.action, _("Lỗi"))

    @property
    def error_codes(self) -> list[str]:
        return [error.code for error in self.errors]


ACTION_LABELS = {
    "create": gettext_lazy("Thêm mới"),
    "update": gettext_lazy("Cập nhật"),
    "unchanged": gettext_lazy("Không thay đổi"),
}


@dataclass(frozen=True, slots=True)
class ImportPlan:
    rows: tuple[RowPlan, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Sequence[RowPlan]) -> "ImportPlan":
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for row in rows:
            counts[row.action if not row.errors else "error"] += 1
        return cls(rows=tuple(rows), counts=counts)

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.counts.get("error")
