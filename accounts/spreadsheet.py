"""Safe reading of uploaded .xlsx files, shared by the admin importers.

An upload is checked with zipfile before openpyxl sees it: size, zip signature,
the members' declared sizes and compression ratios (zipfile never inflates a member
past its declared size, so these bound the work). openpyxl then reads the first
sheet in read-only, data-only mode: a formula gives the value Excel last computed,
never a new evaluation; a formula with no computed value is refused. Every cell
comes back as the text a person typed, cleaned like any form input.

What an import will do lives in accounts.import_plan, the workbooks written for
download in accounts.workbooks; their names still import from here.
"""

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from accounts.import_plan import ACTION_LABELS as ACTION_LABELS
from accounts.import_plan import ImportPlan as ImportPlan
from accounts.import_plan import RowError as RowError
from accounts.import_plan import RowPlan as RowPlan
from accounts.normalize import clean_text
from accounts.workbooks import table_bytes as table_bytes
from accounts.workbooks import template_bytes as template_bytes
from contest_portal.numbers import thousands

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Small members (styles, themes) compress very well and are harmless.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_DATA_ROWS = 20_000
MAX_COLUMNS = 64
# Blank rows are skipped, but each costs a step: a file whose only rows sit at
# row 1,048,576 would keep a worker busy for seconds reading emptiness.
MAX_BLANK_ROWS = 10_000

_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_EXCEL_ERRORS = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!")
)


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # the row number Excel shows
    values: dict[str, str]  # canonical header -> cleaned text ("" when empty)
    warnings: tuple[str, ...] = ()

    def to_cache(self) -> dict:
        return {"number": self.number, "values": self.values, "warnings": self.warnings}

    @classmethod
    def from_cache(cls, data: dict) -> "SheetRow":
        return cls(
            number=data["number"],
            values=dict(data["values"]),
            warnings=tuple(data["warnings"]),
        )


@dataclass(frozen=True, slots=True)
class Sheet:
    headers: frozenset[str]  # the canonical headers present in the file
    rows: tuple[SheetRow, ...]


def header_key(value: str) -> str:
    """How headers are compared: NFC, trimmed, case-insensitive."""
    return clean_text(value).casefold()


def read_sheet(
    upload: UploadedFile,
    *,
    headers: Sequence[str],
    required: Sequence[str],
    max_rows: int = MAX_DATA_ROWS,
) -> Sheet:
    """Check an uploaded .xlsx and read its first sheet as rows of cleaned text."""
    data = _read_bounded(upload)
    archive = _open_zip(data)
    has_formulas = _check_members(archive)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
    except Exception as error:
        raise _not_xlsx() from error
    values = None
    try:
        worksheet = workbook.worksheets[0]
        # Some writers store a wrong used range; read-only mode would trust it.
        worksheet.reset_dimensions()
        if has_formulas:
            values = _refuse_uncomputed_formulas(
                data, worksheet.iter_rows(max_col=MAX_COLUMNS)
            )
        else:
            values = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        return _rows(values, headers=headers, required=required, max_rows=max_rows)
    except ValidationError:
        raise
    except Exception as error:
        raise _not_xlsx() from error
    finally:
        close = getattr(values, "close", None)
        if close is not None:
            close()
        workbook.close()


def _read_bounded(upload: UploadedFile) -> bytes:
    too_large = ValidationError(
        _("File quá lớn: tối đa %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024},
        code="file_too_large",
    )
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_large
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large
    if not data:
        raise ValidationError(_("File tải lên rỗng."), code="empty_file")
    return data


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _(
            "File không phải bảng tính Excel (.xlsx) hợp lệ. Hãy mở file bằng Excel "
            "và lưu lại dưới dạng “Excel Workbook (*.xlsx)”."
        ),
        code="not_xlsx",
    )


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if data.startswith(_OLE_SIGNATURE):
        raise ValidationError(
            _(
                "File Excel 97-2003 (.xls) hoặc file có đặt mật khẩu không được hỗ trợ. "
                "Hãy mở file bằng Excel, bỏ mật khẩu nếu có và lưu lại dưới dạng .xlsx."
            ),
            code="not_xlsx",
        )
    if not data.startswith(_ZIP_SIGNATURE):
        raise _not_xlsx()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise _not_xlsx() from error
    if "[Content_Types].xml" not in archive.namelist():
        raise _not_xlsx()
    return archive


def _check_members(archive: zipfile.ZipFile) -> bool:
    """Refuse zip bombs by the declared sizes; say whether any sheet has formulas."""
    members = archive.infolist()
    too_big = ValidationError(
        _(
            "File có cấu trúc bất thường (dung lượng sau giải nén quá lớn) nên không "
            "được xử lý."
        ),
        code="zip_bomb",
    )
    if len(members) > MAX_ZIP_MEMBERS:
        raise too_big
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise too_big
    for member in members:
        if (
            member.file_size > RATIO_CHECK_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise too_big
    try:
        return any(
            _has_formula(archive, member)
            for member in members
            if member.filename.startswith("xl/worksheets/")
            and member.filename.endswith(".xml")
        )
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise _not_xlsx() from error


def _has_formula(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1024 * 1024):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _refuse_uncomputed_formulas(data: bytes, cached_rows: Iterator[tuple]) -> Iterator:
    """Yield the cached values; refuse formulas Excel never computed.

    Files written by programs (not saved by Excel) hold formulas without a computed
    value: reading them as empty would silently lose data, so they are refused. A
    formula Excel computed to "" is marked as a string result ("str") and passes.
    """
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        worksheet = workbook.worksheets[0]
        worksheet.reset_dimensions()
        formula_rows = worksheet.iter_rows(max_col=MAX_COLUMNS)
        for number, (cached, cells) in enumerate(
            zip(cached_rows, formula_rows, strict=False), start=1
        ):
            for column, (cached_cell, cell) in enumerate(
                zip(cached, cells, strict=False)
            ):
                if (
                    cached_cell.value is None
                    and cached_cell.data_type != "str"
                    and getattr(cell, "data_type", None) == "f"
                ):
                    raise ValidationError(
                        _(
                            "Ô %(cell)s chứa công thức chưa được tính giá trị. Hãy mở "
                            "file bằng Excel và lưu lại, hoặc sao chép rồi dán dưới "
                            "dạng giá trị (Paste Values)."
                        )
                        % {"cell": f"{get_column_letter(column + 1)}{number}"},
                        code="uncomputed_formula",
                    )
            yield tuple(cell.value for cell in cached)
    finally:
        workbook.close()


def _rows(
    values, *, headers: Sequence[str], required: Sequence[str], max_rows: int
) -> Sheet:
    canonical = {header_key(header): header for header in headers}
    columns: dict[int, str] | None = None
    rows: list[SheetRow] = []
    for number, raw in enumerate(values, start=1):
        if number > max_rows + MAX_BLANK_ROWS:
            raise _too_many_rows(max_rows)
        if columns is None:
            texts = [_cell_text(value)[0] for value in raw]
            if any(texts):
                columns = _header_columns(texts, canonical, required)
            continue
        cells: dict[str, str] = {}
        warnings: list[str] = []
        for index, header in columns.items():
            value = raw[index] if index < len(raw) else None
            coordinate = f"{get_column_letter(index + 1)}{number}"
            if isinstance(value, str) and value in _EXCEL_ERRORS:
                raise ValidationError(
                    _(
                        "Ô %(cell)s đang báo lỗi %(error)s của Excel; hãy sửa ô này "
                        "rồi tải file lên lại."
                    )
                    % {"cell": coordinate, "error": value},
                    code="excel_error",
                )
            text, warning = _cell_text(value)
            cells[header] = text
            if warning:
                warnings.append(
                    _("Ô %(cell)s: %(warning)s")
                    % {"cell": coordinate, "warning": warning}
                )
        if not any(cells.values()):
            continue
        if len(rows) >= max_rows:
            raise _too_many_rows(max_rows)
        rows.append(SheetRow(number=number, values=cells, warnings=tuple(warnings)))
    if columns is None:
        raise ValidationError(
            _("Trang tính đầu tiên của file không có dữ liệu."), code="empty_file"
        )
    if not rows:
        raise ValidationError(
            _("File chỉ có dòng tiêu đề, không có dòng dữ liệu nào."), code="no_rows"
        )
    return Sheet(headers=frozenset(columns.values()), rows=tuple(rows))


def _too_many_rows(max_rows: int) -> ValidationError:
    return ValidationError(
        _(
            "File có quá nhiều dòng: tối đa %(n)s dòng dữ liệu mỗi lần nhập; "
            "hãy chia thành nhiều file và xóa các dòng trống thừa ở cuối trang tính."
        )
        % {"n": thousands(max_rows)},
        code="too_many_rows",
    )


def _header_columns(
    texts: Sequence[str], canonical: dict[str, str], required: Sequence[str]
) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, text in enumerate(texts):
        header = canonical.get(header_key(text))
        if header is None:
            continue
        if header in columns.values():
            raise ValidationError(
                _("Cột “%(header)s” xuất hiện hai lần trong dòng tiêu đề.")
                % {"header": header},
                code="duplicate_header",
            )
        columns[index] = header
    missing = [header for header in required if header not in columns.values()]
    if missing:
        raise ValidationError(
            _(
                "Thiếu cột: %(missing)s. Dòng đầu tiên có dữ liệu phải là dòng tiêu đề "
                "như file mẫu."
            )
            % {"missing": ", ".join(f"“{header}”" for header in missing)},
            code="missing_headers",
        )
    return columns


def _cell_text(value: object) -> tuple[str, str]:
    """The text a person typed into the cell, and a warning when it is a guess."""
    if value is None:
        return "", ""
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), ""
    if isinstance(value, int):
        return str(value), ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), ""
        return repr(value), ""
    if isinstance(value, date):
        # Excel turns "1/2" typed into a general cell into a date; read it back as
        # day/month, the Vietnamese way, and say so because it may be wrong.
        text = f"{value.day}/{value.month}"
        return text, _(
            "Excel đã tự đổi nội dung thành ngày %(date)s; đã đọc là “%(text)s”. Nếu "
            "không đúng, hãy định dạng ô là Văn bản (Text) và nhập lại."
        ) % {"date": value.strftime("%d/%m/%Y"), "text": text}
    if isinstance(value, time):
        text = f"{value.hour}:{value.minute:02d}"
        return text, _("Excel đã tự đổi nội dung thành giờ; đã đọc là “%(text)s”.") % {
            "text": text
        }
    if isinstance(value, timedelta):
        return str(value), ""
    return clean_text(str(value)), ""
