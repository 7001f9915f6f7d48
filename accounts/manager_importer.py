"""The unit managers' spreadsheet format: read, preview (`parse`), import (`apply`).

A row names a unit by its code, a person and a phone number. A number with no
account gets a new account that manages the unit, with a one-time password the
person must change at the first login; the account of a number already registered
to the same person (the names match without accents) is given the unit to manage.
A number registered to someone else is an error, never a silent takeover. Nothing
is written unless every row is right, and then all rows in one transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import names
from accounts.import_plan import ImportPlan, RowError, RowPlan
from accounts.models import Unit, User
from accounts.normalize import fold, legacy_national_phone, normalize_phone
from accounts.profile_fields import (
    MAX_NAME_LENGTH,
    NAME_MESSAGES,
    PHONE_INVALID_MESSAGE,
)
from accounts.services import user_create_unit_manager, user_grant_unit
from accounts.spreadsheet import SheetRow, read_sheet
from accounts.workbooks import table_bytes, template_bytes

UNIT = "Mã đơn vị"
NAME = "Họ và tên"
PHONE = "Số điện thoại"
HEADERS = (UNIT, NAME, PHONE)
REQUIRED = HEADERS
# Each new account's one-time password is hashed with PBKDF2, ~0.4 s of CPU here:
# 100 rows stay inside gunicorn's 60 s timeout even when all of them are new.
MAX_ROWS = 100


@dataclass(frozen=True, slots=True)
class IssuedPassword:
    """A new account's one-time password, shown to the organizer once."""

    row: int
    unit_code: str
    unit_name: str
    full_name: str
    phone: str
    password: str


@dataclass(frozen=True, slots=True)
class ManagerImport:
    plan: ImportPlan
    created: tuple[User, ...]
    updated: tuple[User, ...]
    passwords: tuple[IssuedPassword, ...]

    @property
    def counts(self) -> dict[str, int]:
        return self.plan.counts


@dataclass(frozen=True, slots=True)
class _Draft:
    plan: RowPlan
    code: str = ""
    unit: Unit | None = None
    full_name: str = ""
    phone: str = ""
    account: User | None = None  # the existing account of this phone


def read(upload: UploadedFile) -> tuple[SheetRow, ...]:
    """Check an uploaded unit-manager file and return its data rows."""
    return read_sheet(
        upload, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS
    ).rows


def parse(*, rows: Sequence[SheetRow]) -> ImportPlan:
    """What importing these rows would do, row by row; writes nothing."""
    return ImportPlan.of([draft.plan for draft in _drafts(rows)])


@transaction.atomic
def apply(*, rows: Sequence[SheetRow]) -> ManagerImport:
    """Create or grant every row's account in one transaction, or nothing."""
    drafts = _drafts(rows, lock=True)
    plan = ImportPlan.of([draft.plan for draft in drafts])
    if not plan.is_valid:
        raise ValidationError(
            _("File còn %(n)d dòng lỗi nên chưa nhập dòng nào.")
            % {"n": plan.counts["error"]},
            code="invalid_rows",
        )
    created, updated, passwords = [], [], []
    for draft in drafts:
        action = draft.plan.action
        if action == "create":
            user, password = user_create_unit_manager(
                phone=draft.phone, full_name=draft.full_name, unit=draft.unit
            )
            created.append(user)
            passwords.append(
                IssuedPassword(
                    row=draft.plan.number,
                    unit_code=draft.unit.code,
                    unit_name=draft.unit.name,
                    full_name=user.full_name,
                    phone=user.phone,
                    password=password,
                )
            )
        elif action == "update":
            updated.append(user_grant_unit(user=draft.account, unit=draft.unit))
    return ManagerImport(
        plan=plan,
        created=tuple(created),
        updated=tuple(updated),
        passwords=tuple(passwords),
    )


def template() -> bytes:
    """The blank unit-manager file offered for download."""
    notes = [
        _(
            "Mỗi dòng của trang “Dữ liệu” là một cán bộ quản lý đơn vị; giữ nguyên dòng "
            "tiêu đề."
        ),
        _("“Mã đơn vị” là mã đã có trong danh sách đơn vị của trang quản trị."),
        _(
            "Số điện thoại chưa có tài khoản: hệ thống tạo tài khoản mới và cấp mật "
            "khẩu dùng một lần (người dùng phải đổi mật khẩu khi đăng nhập lần đầu)."
        ),
        _(
            "Số điện thoại đã có tài khoản của đúng người này: tài khoản được giao "
            "quản lý đơn vị, mật khẩu giữ nguyên."
        ),
        _("Mỗi số điện thoại chỉ ghi một lần; một đơn vị có thể có nhiều cán bộ."),
        _("Tối đa %(n)d dòng mỗi lần nhập.") % {"n": MAX_ROWS},
    ]
    return template_bytes(
        headers=HEADERS,
        example=["X-0123", "Nguyễn Văn An", "0912345678"],
        notes=notes,
    )


def passwords_file(passwords: Sequence[IssuedPassword]) -> bytes:
    """The new accounts and their one-time passwords, for the organizer to hand out."""
    return table_bytes(
        headers=(
            _("Dòng"),
            UNIT,
            _("Tên đơn vị"),
            NAME,
            PHONE,
            _("Mật khẩu dùng một lần"),
        ),
        rows=[
            (
                str(issued.row),
                issued.unit_code,
                issued.unit_name,
                issued.full_name,
                issued.phone,
                issued.password,
            )
            for issued in passwords
        ],
        title=_("Mật khẩu"),
    )


def _drafts(rows: Sequence[SheetRow], *, lock: bool = False) -> list[_Draft]:
    drafts = [_read_row(row) for row in rows]
    codes = {draft.code for draft in drafts if draft.code}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    phones = {draft.phone for draft in drafts if draft.phone}
    accounts = User.objects.filter(phone__in=phones).select_related("managed_unit")
    if lock:
        accounts = accounts.select_for_update(of=("self",))
    by_phone = {user.phone: user for user in accounts}

    first_seen: dict[str, int] = {}
    result = []
    for draft in drafts:
        code = draft.code
        if code and code not in units:
            draft = _error(
                draft,
                "unknown_unit",
                _("Mã đơn vị “%(code)s” không có trong danh sách đơn vị.")
                % {"code": code},
            )
        if draft.phone in first_seen:
            draft = _error(
                draft,
                "duplicate_phone",
                _("Số điện thoại %(phone)s trùng với dòng %(row)d của file.")
                % {"phone": draft.phone, "row": first_seen[draft.phone]},
            )
        elif draft.phone:
            first_seen[draft.phone] = draft.plan.number
        result.append(_place(draft, units.get(code), by_phone.get(draft.phone)))
    return result


def _place(draft: _Draft, unit: Unit | None, account: User | None) -> _Draft:
    if (
        account is not None
        and draft.full_name
        and fold(account.full_name) != fold(draft.full_name)
    ):
        draft = _error(
            draft,
            "phone_taken",
            _(
                "Số điện thoại %(phone)s đã là tài khoản của “%(name)s”, khác họ tên "
                "trong file."
            )
            % {"phone": draft.phone, "name": account.full_name},
        )
    if draft.plan.errors:
        return draft
    warnings = list(draft.plan.warnings)
    if not unit.is_active:
        warnings.append(_("Đơn vị “%(name)s” đang ngừng hoạt động.") % {"name": unit})
    if account is None:
        action = "create"
    elif account.managed_unit_id == unit.pk:
        action = "unchanged"
    else:
        action = "update"
        if account.managed_unit_id is not None:
            warnings.append(
                _("Tài khoản đang quản lý “%(old)s”, sẽ chuyển sang “%(new)s”.")
                % {"old": account.managed_unit, "new": unit}
            )
        if not account.is_active:
            warnings.append(_("Tài khoản này đang bị khóa."))
    plan = replace(draft.plan, action=action, warnings=tuple(warnings))
    return replace(draft, plan=plan, unit=unit, account=account)


def _error(draft: _Draft, code: str, message: str) -> _Draft:
    errors = (*draft.plan.errors, RowError(code, message))
    return replace(draft, plan=replace(draft.plan, action="", errors=errors))


def _read_row(row: SheetRow) -> _Draft:
    values = row.values
    errors: list[RowError] = []
    code = values.get(UNIT, "").upper()
    if not code:
        errors.append(RowError("missing_unit", _("Chưa nhập mã đơn vị.")))
    name = values.get(NAME, "")
    if not name:
        errors.append(RowError("missing_name", _("Chưa nhập họ và tên.")))
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(
            RowError(
                "name_too_long",
                _("Họ và tên không quá %(n)d ký tự.") % {"n": MAX_NAME_LENGTH},
            )
        )
    elif problem := names.name_problem(name):
        errors.append(RowError(problem, str(NAME_MESSAGES[problem])))
    typed = values.get(PHONE, "")
    phone = normalize_phone(typed) or ""
    if not typed:
        errors.append(RowError("missing_phone", _("Chưa nhập số điện thoại.")))
    elif not phone:
        # An old account's number the numbering plans now refuse is still its login.
        legacy = legacy_national_phone(typed)
        if legacy and User.objects.filter(phone=legacy).exists():
            phone = legacy
        else:
            errors.append(
                RowError(
                    "invalid_phone",
                    _("Số điện thoại “%(phone)s” không hợp lệ. %(hint)s")
                    % {"phone": typed, "hint": PHONE_INVALID_MESSAGE},
                )
            )
    return _Draft(
        plan=RowPlan(
            number=row.number,
            label=" — ".join(part for part in (code, name, phone or typed) if part),
            errors=tuple(errors),
            warnings=row.warnings,
        ),
        code=code,
        full_name=name,
        phone=phone,
    )
