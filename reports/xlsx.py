"""Streaming .xlsx writer for the committee's lists: constant memory, safe text.

Contract: `write_workbook` writes openpyxl write-only sheets, each an optional title
block (contest, round, what the list is, when and by whom it was made), a bold
header row frozen in place under an auto filter, then one row per item of its
`rows` iterable, consumed lazily. Values are typed by their Python type: datetimes
become naive Vietnam local time and dates real Excel dates; int, float and Decimal
stay numbers; every other value is text, NFC, stripped of the control characters a
workbook cannot hold, and never a formula, whatever it starts with.
"""

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from os import PathLike
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss.000"
MAX_TEXT = 32767

# Spreadsheet programs read a cell typed in starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)

Target = str | PathLike | IO[bytes]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float = 14
    number_format: str | None = None  # for numbers, e.g. "#,##0"


@dataclass(frozen=True, slots=True)
class Title:
    subject: str
    generated_at: datetime
    generated_by: str
    contest: str = ""
    round_name: str = ""


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]] = ()
    title: Title | None = None


def text(value: object) -> str:
    """The text as a workbook can hold it: NFC, no control characters, not too long."""
    cleaned = unicodedata.normalize("NFC", str(value))
    # XML reads a bare CR back as LF: write the line feed it will become.
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", cleaned)[:MAX_TEXT]


def looks_like_formula(value: str) -> bool:
    stripped = value.lstrip()
    return stripped.startswith(_FORMULA_START) or value in ERROR_CODES


def local_naive(value: datetime) -> datetime:
    """Excel has no time zones: aware instants are written as Vietnam wall time."""
    if value.tzinfo is None:
        return value
    return value.astimezone(VIETNAM).replace(tzinfo=None)


def _cell(ws: WriteOnlyWorksheet, value: Any, number_format: str | None) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, local_naive(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float | Decimal):
        number = float(value) if isinstance(value, Decimal) else value
        if number_format is None:
            return number
        cell = WriteOnlyCell(ws, number)
        cell.number_format = number_format
        return cell
    return _text_cell(ws, text(value))


def _text_cell(ws: WriteOnlyWorksheet, value: str, font: Font | None = None) -> Any:
    if not looks_like_formula(value) and font is None:
        return value
    cell = WriteOnlyCell(ws)
    cell.value = value
    # Assigning the value guessed a type ("=..." is a formula): force plain text, and
    # the quote prefix keeps it text when someone edits the cell in Excel.
    cell.data_type = "s"
    if looks_like_formula(value):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def _title_lines(title: Title) -> list[tuple[str, Font | None]]:
    lines: list[tuple[str, Font | None]] = []
    if title.contest:
        lines.append((title.contest, _TITLE))
    if title.round_name:
        lines.append((title.round_name, _BOLD))
    lines.append((title.subject, _BOLD))
    at = local_naive(title.generated_at)
    lines.append((f"Thời điểm xuất: {at:%d/%m/%Y %H:%M} (giờ Việt Nam)", None))
    lines.append((f"Người xuất: {title.generated_by}", None))
    return lines


def sheet_name(value: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\ and at most 31 characters."""
    return _SHEET_NAME_ILLEGAL.sub("-", text(value)).strip()[:31] or "Sheet"


def _write_sheet(ws: WriteOnlyWorksheet, sheet: Sheet) -> int:
    columns = list(sheet.columns)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header_row = 1
    if sheet.title is not None:
        lines = _title_lines(sheet.title)
        header_row = len(lines) + 2  # a blank line between the title and the table
    if columns:
        # Write-only sheets emit the view before any row: freeze first.
        ws.freeze_panes = f"A{header_row + 1}"
    if sheet.title is not None:
        for line, font in lines:
            ws.append([_text_cell(ws, text(line), font)])
        ws.append([])
    if not columns:
        return 0
    ws.append([_text_cell(ws, text(column.header), _BOLD) for column in columns])
    formats = [column.number_format for column in columns]
    count = 0
    for row in sheet.rows:
        ws.append(
            [
                _cell(ws, value, number_format)
                for value, number_format in zip(row, formats, strict=True)
            ]
        )
        count += 1
    # The filter is written after the rows when the sheet closes, so the final
    # row count is known in time.
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
    return count


def write_workbook(target: Target, sheets: Sequence[Sheet]) -> list[int]:
    """Write the sheets in order to a path or binary file; the data rows per sheet."""
    workbook = Workbook(write_only=True)
    first_title = next((s.title for s in sheets if s.title is not None), None)
    if first_title is not None:
        workbook.properties.title = text(first_title.subject)
        workbook.properties.creator = text(first_title.generated_by)
    counts = []
    try:
        for sheet in sheets:
            ws = workbook.create_sheet(sheet_name(sheet.name))
            counts.append(_write_sheet(ws, sheet))
    except BaseException:
        for ws in workbook.worksheets:
            _discard(ws)
        raise
    workbook.save(target)
    return counts


def _discard(ws: WriteOnlyWorksheet) -> None:
    """Stop a half-written sheet and delete its temporary file (openpyxl keeps one
    per sheet until the workbook is saved)."""
    rows, writer = getattr(ws, "_rows", None), getattr(ws, "_writer", None)
    with contextlib.suppress(Exception):
        if rows is not None:
            rows.close()
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(Exception):
            writer.cleanup()


def write_sheet(
    target: Target,
    *,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    title: Title | None,
    name: str = "Danh sách",
) -> int:
    """Write one sheet to a path or binary file; the number of data rows."""
    return write_workbook(
        target, [Sheet(name=name, columns=columns, rows=rows, title=title)]
    )[0]
