"""The unit tree's spreadsheet format: read, preview (`parse`), import (`apply`).

A row is a unit keyed by its code: new codes are created, known codes updated.
Parents are named by code and may come later in the file or already exist. Every
write goes through accounts.services.unit_save, parents before children, so the
stored paths stay right. An absent optional column keeps what a unit already has.
"""

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.import_plan import ImportPlan, RowError, RowPlan
from accounts.models import Unit
from accounts.normalize import fold
from accounts.services import unit_save
from accounts.spreadsheet import SheetRow, read_sheet
from accounts.workbooks import template_bytes

CODE = "Mã đơn vị"
NAME = "Tên đơn vị"
LEVEL = "Cấp"
PARENT = "Mã đơn vị cấp trên"
HEADCOUNT = "Biên chế"
# unit_save rewrites the paths of a unit's whole subtree: updating a tree costs
# ~10 ms a row on PostgreSQL, so 2,000 rows stay inside gunicorn's 30 s timeout.
MAX_ROWS = 2000
HEADERS = (CODE, NAME, LEVEL, PARENT, HEADCOUNT)
REQUIRED = (CODE, NAME, LEVEL)

_CODE_MAX_LENGTH = Unit._meta.get_field("code").max_length
_NAME_MAX_LENGTH = Unit._meta.get_field("name").max_length
_HEADCOUNT_MAX = 2_147_483_647
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, slots=True)
class _Draft:
    plan: RowPlan
    code: str = ""
    name: str = ""
    level: str = ""
    parent_code: str | None = None  # None: the file says nothing, keep the parent
    headcount: int | None = None  # None: the file says nothing, keep the headcount
    depth: int = 0


def read(upload: UploadedFile) -> tuple[SheetRow, ...]:
    """Check an uploaded unit file and return its data rows."""
    return read_sheet(
        upload, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS
    ).rows


def parse(*, rows: Sequence[SheetRow]) -> ImportPlan:
    """What importing these rows would do, row by row; writes nothing."""
    return ImportPlan.of([draft.plan for draft in _drafts(rows)])


@transaction.atomic
def apply(*, rows: Sequence[SheetRow]) -> ImportPlan:
    """Import every row in one transaction, or nothing when any row is wrong."""
    drafts = _drafts(rows)
    plan = ImportPlan.of([draft.plan for draft in drafts])
    if not plan.is_valid:
        raise ValidationError(
            _("File còn %(n)d dòng lỗi nên chưa nhập dòng nào.")
            % {"n": plan.counts["error"]},
            code="invalid_rows",
        )
    # Shallowest first: a unit's parent is saved, with its final path, before it.
    for draft in sorted(drafts, key=lambda draft: (draft.depth, draft.plan.number)):
        if draft.plan.action != "unchanged":
            _unit_write(draft)
    return plan


def template() -> bytes:
    """The blank unit file offered for download."""
    levels = "; ".join(f"{label} ({value})" for value, label in Unit.Level.choices)
    notes = [
        _("Mỗi dòng của trang “Dữ liệu” là một đơn vị; giữ nguyên dòng tiêu đề."),
        _(
            "“Mã đơn vị” không trùng nhau; đơn vị có mã đã có sẽ được cập nhật, mã "
            "mới sẽ được thêm."
        ),
        _("“Cấp” là một trong: %(levels)s.") % {"levels": levels},
        _(
            "“Mã đơn vị cấp trên” để trống với đơn vị cao nhất; đơn vị cấp trên có "
            "thể nằm ở dòng sau hoặc đã có sẵn."
        ),
        _("“Biên chế” là số nguyên không âm; để trống là 0."),
    ]
    return template_bytes(
        headers=HEADERS,
        example=["X-0123", "UBND xã Tân Phú", str(Unit.Level.COMMUNE.label), "", "25"],
        notes=notes,
    )


def _levels() -> dict[str, str]:
    known = {}
    for value, label in Unit.Level.choices:
        known[fold(value)] = value
        known[fold(str(label))] = value
        short = fold(str(label)).removeprefix("cap ")
        known.setdefault(short, value)
    return known


def _drafts(rows: Sequence[SheetRow]) -> list[_Draft]:
    existing = {unit.code: unit for unit in Unit.objects.select_related("parent")}
    levels = _levels()
    drafts = [_read_row(row, levels) for row in rows]

    first_seen: dict[str, int] = {}
    in_file: dict[str, _Draft] = {}
    for i, draft in enumerate(drafts):
        if not draft.code:
            continue
        if draft.code in first_seen:
            drafts[i] = _error(
                draft,
                "duplicate_code",
                _("Mã đơn vị “%(code)s” trùng với dòng %(row)d của file.")
                % {"code": draft.code, "row": first_seen[draft.code]},
            )
            continue
        first_seen[draft.code] = draft.plan.number
        in_file[draft.code] = draft

    def parent_of(code: str) -> str | None:
        draft = in_file.get(code)
        if draft is not None and draft.parent_code is not None:
            return draft.parent_code or None
        unit = existing.get(code)
        return unit.parent.code if unit is not None and unit.parent else None

    result = []
    for draft in drafts:
        if draft.code and in_file.get(draft.code) is draft:
            draft = _place(draft, existing, in_file, parent_of)
        result.append(draft)
    return result


def _place(
    draft: _Draft,
    existing: dict[str, Unit],
    in_file: dict[str, _Draft],
    parent_of: Callable[[str], str | None],
) -> _Draft:
    if (
        draft.parent_code
        and draft.parent_code not in in_file
        and draft.parent_code not in existing
    ):
        return _error(
            draft,
            "unknown_parent",
            _(
                "Mã đơn vị cấp trên “%(code)s” không có trong file và chưa có trong "
                "danh sách đơn vị."
            )
            % {"code": draft.parent_code},
        )
    chain = [draft.code]
    code = parent_of(draft.code)
    while code is not None:
        if code in chain:
            return _error(
                draft,
                "cycle",
                _("Quan hệ cấp trên tạo thành vòng lặp: %(chain)s.")
                % {"chain": " → ".join([*chain, code])},
            )
        chain.append(code)
        code = parent_of(code)
    if draft.plan.errors:
        return replace(draft, depth=len(chain))
    unit = existing.get(draft.code)
    if unit is None:
        action = "create"
    else:
        unchanged = (
            unit.name == draft.name
            and unit.level == draft.level
            and (draft.headcount is None or unit.headcount == draft.headcount)
            and (
                draft.parent_code is None
                or (unit.parent.code if unit.parent else "") == draft.parent_code
            )
        )
        action = "unchanged" if unchanged else "update"
    return replace(draft, plan=replace(draft.plan, action=action), depth=len(chain))


def _error(draft: _Draft, code: str, message: str) -> _Draft:
    errors = (*draft.plan.errors, RowError(code, message))
    return replace(draft, plan=replace(draft.plan, action="", errors=errors))


def _read_row(row: SheetRow, levels: dict[str, str]) -> _Draft:
    values = row.values
    errors: list[RowError] = []
    code = values.get(CODE, "").upper()
    if not code:
        errors.append(RowError("missing_code", _("Chưa nhập mã đơn vị.")))
    elif len(code) > _CODE_MAX_LENGTH:
        errors.append(
            RowError(
                "code_too_long",
                _("Mã đơn vị dài quá %(max)d ký tự.") % {"max": _CODE_MAX_LENGTH},
            )
        )
    name = values.get(NAME, "")
    if not name:
        errors.append(RowError("missing_name", _("Chưa nhập tên đơn vị.")))
    elif len(name) > _NAME_MAX_LENGTH:
        errors.append(
            RowError(
                "name_too_long",
                _("Tên đơn vị dài quá %(max)d ký tự.") % {"max": _NAME_MAX_LENGTH},
            )
        )
    level = levels.get(fold(values.get(LEVEL, "")), "")
    if not level:
        errors.append(
            RowError(
                "unknown_level",
                _("Cấp “%(value)s” không hợp lệ; hãy ghi một trong: %(known)s.")
                % {
                    "value": values.get(LEVEL, ""),
                    "known": "; ".join(str(label) for label in Unit.Level.labels),
                },
            )
        )
    parent_code = values[PARENT].upper() if PARENT in values else None
    headcount = _read_headcount(values, errors)
    return _Draft(
        plan=RowPlan(
            number=row.number,
            label=f"{code} — {name}",
            errors=tuple(errors),
            warnings=row.warnings,
        ),
        code=code,
        name=name,
        level=level,
        parent_code=parent_code,
        headcount=headcount,
    )


def _read_headcount(values: dict[str, str], errors: list[RowError]) -> int | None:
    if HEADCOUNT not in values:
        return None
    # NFKC turns full-width digits into ASCII; spaces group thousands.
    text = unicodedata.normalize("NFKC", values[HEADCOUNT]).replace(" ", "")
    if not text:
        return 0
    if not _INTEGER.fullmatch(text) or not text.isascii():
        errors.append(
            RowError(
                "invalid_headcount",
                _("Biên chế “%(value)s” không phải là số nguyên.")
                % {"value": values[HEADCOUNT]},
            )
        )
        return None
    number = int(text)
    if number < 0:
        errors.append(
            RowError("negative_headcount", _("Biên chế không được là số âm."))
        )
        return None
    if number > _HEADCOUNT_MAX:
        errors.append(RowError("invalid_headcount", _("Biên chế quá lớn.")))
        return None
    return number


def _unit_write(draft: _Draft) -> None:
    unit = Unit.objects.filter(code=draft.code).first() or Unit(code=draft.code)
    unit.name = draft.name
    unit.level = draft.level
    if draft.headcount is not None:
        unit.headcount = draft.headcount
    if draft.parent_code is not None:
        # Read afresh: saving an ancestor earlier in this import rewrote its path.
        unit.parent = (
            Unit.objects.get(code=draft.parent_code) if draft.parent_code else None
        )
    elif unit.parent_id:
        unit.parent = Unit.objects.get(pk=unit.parent_id)
    try:
        unit_save(unit=unit)
    except ValueError as error:
        raise ValidationError(
            _("Quan hệ cấp trên của đơn vị “%(code)s” tạo thành vòng lặp.")
            % {"code": draft.code},
            code="cycle",
        ) from error
