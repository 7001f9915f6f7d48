"""Values as SpreadsheetML cells: typed, in Vietnam wall time, text never a formula.

Pure and standard library only. Fonts: 0 the default, 1 bold, 2 the contest title.
Cell formats (cellXfs): for text, font * 2 plus 1 with the quote prefix; then dates,
datetimes and each column number format; then the same again with thin borders on
every side, from `base` on (see parts.Styles). A table's cells take that base so the
printed table is boxed, the title lines above it take none.
"""

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any
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


# Excel's 1900 date system counts days from 1899-12-30 and believes 1900 had a
# 29 February (serial 60), so the days before 1900-03-01 are one less.
_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel dates are naive
_EPOCH_DATE = _EPOCH.date()
_FIRST_DAY = 2  # 1900-01-01, serial 1
_FAKE_LEAP_DAY = 61  # 1900-03-01, the first day Excel counts right
_SECONDS_PER_DAY = 86400

NORMAL, BOLD, TITLE = 0, 1, 2
FONTS = (
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>',
)
TEXT_XFS = [(font, 0, quoted) for font in range(len(FONTS)) for quoted in (0, 1)]
DATE_XF = len(TEXT_XFS)
DATETIME_XF = DATE_XF + 1


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


def escape(value: str) -> str:
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def attribute(value: str) -> str:
    return escape(value).replace('"', "&quot;")


def style(xf: int) -> str:
    return f' s="{xf}"' if xf else ""


def text_cell(ref: str, value: str, font: int = NORMAL, base: int = 0) -> str:
    """An inline string; one that looks like a formula gets the quote prefix, which
    also keeps it text when someone edits the cell in Excel. An empty one is no
    cell, unless it has a style (a bordered table has no holes)."""
    xf = base + font * 2 + int(looks_like_formula(value))
    if not value:
        return f'<c r="{ref}"{style(xf)}/>' if xf else ""
    space = (
        ' xml:space="preserve"'
        if value[0] in _SPACE or value[-1] in _SPACE or "\n" in value
        else ""
    )
    return (
        f'<c r="{ref}"{style(xf)} t="inlineStr"><is><t{space}>{escape(value)}</t>'
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


def cell(ref: str, value: Any, number_style: str, base: int = 0) -> str:
    """One <c> element, "" for no cell; `number_style` is the column's s="...",
    `base` the first bordered format for a table cell (0: no borders)."""
    if isinstance(value, str):
        return text_cell(ref, text(value), NORMAL, base)
    if value is None:
        return f'<c r="{ref}" s="{base}"/>' if base else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style(base)} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{number_style}><v>{int(value)}</v></c>'
    if isinstance(value, float | Decimal):
        number = _finite(value)
        if number is None:
            return text_cell(ref, text(value), NORMAL, base)
        return f'<c r="{ref}"{number_style}><v>{number!r}</v></c>'
    if isinstance(value, datetime):
        local = local_naive(value)
        serial = _serial(local)
        if serial is None:
            return text_cell(ref, f"{_dmy(local)} {local:%H:%M:%S}", NORMAL, base)
        return f'<c r="{ref}" s="{base + DATETIME_XF}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        day = _day_serial(value)
        if day is None:
            return text_cell(ref, _dmy(value), NORMAL, base)
        return f'<c r="{ref}" s="{base + DATE_XF}"><v>{day}</v></c>'
    return text_cell(ref, text(value), NORMAL, base)


def _dmy(value: date) -> str:
    # strftime does not pad years below 1000 everywhere.
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
