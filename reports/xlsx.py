"""Streaming .xlsx writer for the committee's lists: constant memory, safe text.

Contract: `write_workbook` writes each `Sheet` as SpreadsheetML straight into a zip
stream (standard library only; no object per cell): an optional title block
(contest, round, what the list is, when and by whom it was made), a bold header row
frozen in place under an auto filter, then one row per item of its `rows` iterable,
consumed lazily, a batch of rows at a time. Values are typed by their Python type:
None is an empty cell and a bool a boolean; datetimes become naive Vietnam local
time and dates real Excel dates (before 1900, which Excel cannot hold, they become
dd/mm/yyyy text); int, float and Decimal stay numbers (a NaN or an infinity becomes
text); every other value is text, NFC, stripped of the characters a workbook cannot
hold, and never a formula, whatever it starts with. The target is a path (removed
again when writing fails) or a binary file, seekable or not.
"""

import contextlib
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from os import PathLike
from typing import IO, Any
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss.000"
MAX_TEXT = 32767

# Spreadsheet programs read a cell typed in starting with these as a formula, and
# these texts as error values (openpyxl's ERROR_CODES).
_FORMULA_START = ("=", "+", "-", "@")
_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
# Characters XML 1.0 cannot hold, and lone surrogates UTF-8 cannot encode.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_SPACE = frozenset(" \t\n")

# Rows are formatted and compressed this many at a time: large enough that the
# per-write cost vanishes, small enough that memory does not depend on the list.
_BATCH = 250
# Measured on 100,000 ranking rows against the default level 6: level 1 takes 18%
# less time for a file 39% larger, level 3 14% less for one 11% larger.
_COMPRESSLEVEL = 3

# Excel's 1900 date system counts days from 1899-12-30 and believes 1900 had a
# 29 February (serial 60), so the days before 1900-03-01 are one less.
_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel dates are naive
_EPOCH_DATE = _EPOCH.date()
_FIRST_DAY = 2  # 1900-01-01, serial 1
_FAKE_LEAP_DAY = 61  # 1900-03-01, the first day Excel counts right
_SECONDS_PER_DAY = 86400

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Fonts: 0 the default, 1 bold, 2 the contest title. Cell formats (cellXfs): for
# text, font * 2 plus 1 with the quote prefix; then dates, datetimes and each
# column number format.
_NORMAL, _BOLD, _TITLE = 0, 1, 2
_FONTS = (
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>',
)
_TEXT_XFS = [(font, 0, quoted) for font in range(len(_FONTS)) for quoted in (0, 1)]
_DATE_XF = len(_TEXT_XFS)
_DATETIME_XF = _DATE_XF + 1
_FIRST_FORMAT_ID = 164  # ids below are Excel's built-in formats

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
    if "\r" in cleaned:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", cleaned)[:MAX_TEXT]


def looks_like_formula(value: str) -> bool:
    stripped = value.lstrip()
    return stripped.startswith(_FORMULA_START) or value in _ERROR_CODES


def local_naive(value: datetime) -> datetime:
    """Excel has no time zones: aware instants are written as Vietnam wall time."""
    if value.tzinfo is None:
        return value
    return value.astimezone(VIETNAM).replace(tzinfo=None)


def sheet_name(value: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\ and at most 31 characters."""
    return _SHEET_NAME_ILLEGAL.sub("-", text(value)).strip()[:31] or "Sheet"


# --- cells ---------------------------------------------------------------------------


def _escape(value: str) -> str:
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def _attribute(value: str) -> str:
    return _escape(value).replace('"', "&quot;")


def _style(xf: int) -> str:
    return f' s="{xf}"' if xf else ""


def _text_cell(ref: str, value: str, font: int = _NORMAL) -> str:
    """An inline string; one that looks like a formula gets the quote prefix, which
    also keeps it text when someone edits the cell in Excel."""
    xf = font * 2 + int(looks_like_formula(value))
    if not value:
        return f'<c r="{ref}"{_style(xf)}/>' if xf else ""
    space = (
        ' xml:space="preserve"'
        if value[0] in _SPACE or value[-1] in _SPACE or "\n" in value
        else ""
    )
    return (
        f'<c r="{ref}"{_style(xf)} t="inlineStr"><is><t{space}>{_escape(value)}</t>'
        "</is></c>"
    )


def _serial(value: datetime) -> float | None:
    """Excel's serial number of a naive datetime; None before 1900."""
    delta = value - _EPOCH
    days = delta.days
    if days < _FIRST_DAY:
        return None
    if days < _FAKE_LEAP_DAY:
        days -= 1
    return days + (delta.seconds + delta.microseconds / 1e6) / _SECONDS_PER_DAY


def _day_serial(value: date) -> int | None:
    days = (value - _EPOCH_DATE).days
    if days < _FIRST_DAY:
        return None
    return days - 1 if days < _FAKE_LEAP_DAY else days


def _finite(value: float | Decimal) -> float | None:
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _cell(ref: str, value: Any, number_style: str) -> str:
    """One <c> element, "" for no cell; `number_style` is the column's s="..."."""
    if isinstance(value, str):
        return _text_cell(ref, text(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{number_style}><v>{int(value)}</v></c>'
    if isinstance(value, float | Decimal):
        number = _finite(value)
        if number is None:
            return _text_cell(ref, text(value))
        return f'<c r="{ref}"{number_style}><v>{number!r}</v></c>'
    if isinstance(value, datetime):
        local = local_naive(value)
        serial = _serial(local)
        if serial is None:
            return _text_cell(ref, f"{_dmy(local)} {local:%H:%M:%S}")
        return f'<c r="{ref}" s="{_DATETIME_XF}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        day = _day_serial(value)
        if day is None:
            return _text_cell(ref, _dmy(value))
        return f'<c r="{ref}" s="{_DATE_XF}"><v>{day}</v></c>'
    return _text_cell(ref, text(value))


def _dmy(value: date) -> str:
    # strftime does not pad years below 1000 everywhere.
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- workbook parts ------------------------------------------------------------------


class _Styles:
    """The cell formats of the whole workbook, known before any sheet is written."""

    def __init__(self, sheets: Sequence[Sheet]) -> None:
        self.format_ids: dict[str, int] = {}
        self.xfs: list[tuple[int, int, int]] = [
            *_TEXT_XFS,
            (_NORMAL, self._format_id(DATE_FORMAT), 0),
            (_NORMAL, self._format_id(DATETIME_FORMAT), 0),
        ]
        self.number_xfs: dict[str, int] = {}
        for sheet in sheets:
            for column in sheet.columns:
                code = column.number_format
                if code is not None and code not in self.number_xfs:
                    self.number_xfs[code] = len(self.xfs)
                    self.xfs.append((_NORMAL, self._format_id(code), 0))

    def _format_id(self, code: str) -> int:
        return self.format_ids.setdefault(code, _FIRST_FORMAT_ID + len(self.format_ids))

    def number_style(self, column: Column) -> str:
        if column.number_format is None:
            return ""
        return _style(self.number_xfs[column.number_format])

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{pk}" formatCode="{_attribute(code)}"/>'
            for code, pk in self.format_ids.items()
        )
        xfs = "".join(
            f'<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            + (' applyNumberFormat="1"' if fmt else "")
            + (' applyFont="1"' if font else "")
            + (' quotePrefix="1"' if quoted else "")
            + "/>"
            for font, fmt, quoted in self.xfs
        )
        return (
            f'{_DECLARATION}<styleSheet xmlns="{_MAIN_NS}">'
            f'<numFmts count="{len(self.format_ids)}">{formats}</numFmts>'
            f'<fonts count="{len(_FONTS)}">{"".join(_FONTS)}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
            "</border></borders>"
            '<cellStyleXfs count="1">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.xfs)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles><dxfs count="0"/><tableStyles count="0"'
            ' defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>"
        )


def _title_lines(title: Title) -> list[tuple[str, int]]:
    lines: list[tuple[str, int]] = []
    if title.contest:
        lines.append((title.contest, _TITLE))
    if title.round_name:
        lines.append((title.round_name, _BOLD))
    lines.append((title.subject, _BOLD))
    at = local_naive(title.generated_at)
    lines.append((f"Thời điểm xuất: {at:%d/%m/%Y %H:%M} (giờ Việt Nam)", _NORMAL))
    lines.append((f"Người xuất: {title.generated_by}", _NORMAL))
    return lines


def _sheet_start(sheet: Sheet, header_row: int) -> str:
    if sheet.columns:
        top = f"A{header_row + 1}"
        view = (
            f'<pane ySplit="{header_row}" topLeftCell="{top}" activePane="bottomLeft"'
            f' state="frozen"/><selection pane="bottomLeft" activeCell="{top}"'
            f' sqref="{top}"/>'
        )
        widths = "".join(
            f'<col min="{i}" max="{i}" width="{float(column.width):g}"'
            ' customWidth="1"/>'
            for i, column in enumerate(sheet.columns, start=1)
        )
        cols = f"<cols>{widths}</cols>"
    else:
        view = '<selection activeCell="A1" sqref="A1"/>'
        cols = ""
    return (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        f'<sheetViews><sheetView workbookViewId="0">{view}</sheetView></sheetViews>'
        f'<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>{cols}<sheetData>'
    )


def _write_sheet(stream: IO[bytes], sheet: Sheet, styles: _Styles) -> tuple[int, str]:
    """Stream one worksheet part; the number of data rows and the filter's range
    ($A$7:$C$9, "" without columns)."""
    columns = list(sheet.columns)
    lines = _title_lines(sheet.title) if sheet.title is not None else []
    # A blank line between the title and the table.
    header_row = len(lines) + 2 if lines else 1
    stream.write(_sheet_start(sheet, header_row).encode())
    head = [
        f'<row r="{r}">{_text_cell(f"A{r}", text(line), font)}</row>'
        for r, (line, font) in enumerate(lines, start=1)
    ]
    if lines:
        head.append(f'<row r="{header_row - 1}"/>')
    letters = [_column_letter(i) for i in range(1, len(columns) + 1)]
    count = 0
    if columns:
        cells = "".join(
            _text_cell(f"{letter}{header_row}", text(column.header), _BOLD)
            for letter, column in zip(letters, columns, strict=True)
        )
        head.append(f'<row r="{header_row}">{cells}</row>')
        stream.write("".join(head).encode())
        count = _write_rows(
            stream,
            sheet.rows,
            first=header_row + 1,
            letters=letters,
            number_styles=[styles.number_style(column) for column in columns],
        )
    else:
        stream.write("".join(head).encode())
    stream.write(b"</sheetData>")
    absolute = ""
    if columns:
        # After sheetData, so the final row count is known in time.
        last, end = letters[-1], header_row + count
        stream.write(f'<autoFilter ref="A{header_row}:{last}{end}"/>'.encode())
        absolute = f"$A${header_row}:${last}${end}"
    stream.write(
        b'<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5"'
        b' footer="0.5"/></worksheet>'
    )
    return count, absolute


def _write_rows(
    stream: IO[bytes],
    rows: Iterable[Sequence[Any]],
    *,
    first: int,
    letters: list[str],
    number_styles: list[str],
) -> int:
    batch: list[str] = []
    number = first
    for row in rows:
        r = str(number)
        batch.append(f'<row r="{r}">')
        for value, letter, number_style in zip(
            row, letters, number_styles, strict=True
        ):
            if value is not None:
                batch.append(_cell(letter + r, value, number_style))
        batch.append("</row>")
        number += 1
        if (number - first) % _BATCH == 0:
            stream.write("".join(batch).encode())
            batch.clear()
    stream.write("".join(batch).encode())
    return number - first


def _unique_names(sheets: Sequence[Sheet]) -> list[str]:
    """Sheet names as Excel accepts them, a number added to a repeated one."""
    names: list[str] = []
    taken: set[str] = set()
    for sheet in sheets:
        name = base = sheet_name(sheet.name)
        n = 0
        while name.casefold() in taken:
            n += 1
            name = f"{base[: 31 - len(str(n))]}{n}"
        taken.add(name.casefold())
        names.append(name)
    return names


_CONTENT_TYPES = (
    _DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/>'
    '<Override PartName="/docProps/core.xml"'
    ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{i}.xml"'
    ' ContentType="{office}.worksheet+xml"/>'
)
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELATIONSHIPS = (
    _DECLARATION + f'<Relationships xmlns="{_PKG_REL_NS}">{{}}</Relationships>'
)
_RELATIONSHIP = '<Relationship Id="rId{}" Type="{}" Target="{}"/>'
_CORE = (
    _DECLARATION + "<cp:coreProperties"
    ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{properties}'
    '<dcterms:created xsi:type="dcterms:W3CDTF">{at}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{at}</dcterms:modified>'
    "</cp:coreProperties>"
)
_APP = (
    _DECLARATION + "<Properties xmlns="
    '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>"
)


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    return _RELATIONSHIPS.format(
        "".join(
            _RELATIONSHIP.format(i, _attribute(kind), _attribute(target))
            for i, (kind, target) in enumerate(targets, start=1)
        )
    )


def _package_parts(count: int, title: Title | None) -> dict[str, str]:
    """Every part but the worksheets and the workbook, which need the rows."""
    sheets = "".join(
        _SHEET_TYPE.format(i=i, office=_OFFICE) for i in range(1, count + 1)
    )
    if title is None:
        created, properties = datetime.now(UTC), ""
    else:
        at = title.generated_at
        created = (at if at.tzinfo else at.replace(tzinfo=VIETNAM)).astimezone(UTC)
        properties = (
            f"<dc:title>{_escape(text(title.subject))}</dc:title>"
            f"<dc:creator>{_escape(text(title.generated_by))}</dc:creator>"
        )
    return {
        "[Content_Types].xml": _CONTENT_TYPES.format(office=_OFFICE, sheets=sheets),
        "_rels/.rels": _relationships(
            [
                (f"{_REL_NS}/officeDocument", "xl/workbook.xml"),
                (f"{_PKG_REL_NS}/metadata/core-properties", "docProps/core.xml"),
                (f"{_REL_NS}/extended-properties", "docProps/app.xml"),
            ]
        ),
        "docProps/core.xml": _CORE.format(
            properties=properties, at=f"{created:%Y-%m-%dT%H:%M:%SZ}"
        ),
        "docProps/app.xml": _APP,
        "xl/_rels/workbook.xml.rels": _relationships(
            [
                *(
                    (f"{_REL_NS}/worksheet", f"worksheets/sheet{i}.xml")
                    for i in range(1, count + 1)
                ),
                (f"{_REL_NS}/styles", "styles.xml"),
            ]
        ),
    }


def _workbook_xml(names: Sequence[str], filters: Sequence[str]) -> str:
    """The sheet list, and a hidden filter name for each sheet with a filter."""
    sheets = "".join(
        f'<sheet name="{_attribute(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        + _escape("'" + name.replace("'", "''") + "'!" + absolute)
        + "</definedName>"
        for i, (name, absolute) in enumerate(zip(names, filters, strict=True))
        if absolute
    )
    return (
        f'{_DECLARATION}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets>"
        + (f"<definedNames>{defined}</definedNames>" if defined else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


# --- writing -------------------------------------------------------------------------


def _write_package(file: IO[bytes], sheets: Sequence[Sheet]) -> list[int]:
    styles = _Styles(sheets)
    names = _unique_names(sheets)
    first_title = next((s.title for s in sheets if s.title is not None), None)
    counts: list[int] = []
    filters: list[str] = []
    with zipfile.ZipFile(
        file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_COMPRESSLEVEL
    ) as package:
        for name, xml in _package_parts(len(sheets), first_title).items():
            package.writestr(name, xml)
        package.writestr("xl/styles.xml", styles.xml())
        for i, sheet in enumerate(sheets, start=1):
            # No force_zip64: Excel is known to refuse ZIP64 headers on streamed
            # parts, and 2 GiB of sheet XML is past its 1,048,576 rows anyway
            # (zipfile raises rather than write a larger part without ZIP64).
            with package.open(f"xl/worksheets/sheet{i}.xml", "w") as part:
                count, absolute = _write_sheet(part, sheet, styles)
            counts.append(count)
            filters.append(absolute)
        # Last: the hidden filter names hold the ranges the rows made.
        package.writestr("xl/workbook.xml", _workbook_xml(names, filters))
    return counts


def write_workbook(target: Target, sheets: Sequence[Sheet]) -> list[int]:
    """Write the sheets in order to a path or binary file; the data rows per sheet."""
    if not isinstance(target, str | PathLike):
        return _write_package(target, sheets)
    path = os.fspath(target)
    try:
        with open(path, "wb") as file:
            return _write_package(file, sheets)
    except BaseException:
        # No half-written workbook under the name the caller asked for.
        with contextlib.suppress(OSError):
            os.remove(path)
        raise


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
