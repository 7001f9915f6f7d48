"""The question file offered for download, and how its example row is recognised.

The template's example row is marked three ways: its question opens with
EXAMPLE_MARK, the row is shaded with a note on the question cell, and the help sheet
says so. The importer skips a row only when it is still exactly the example: the
marked question, the example's choices and its correct letter (topic, explanation
and state may differ: the topic written in it depends on the day of download). A row
that kept the mark but was otherwise edited is refused, never skipped, so a real
question is never dropped. A row repeating the unmarked example of the templates
offered before the mark existed is imported with a warning: the example is a true
question an author may well want in the bank.
"""

import io
from collections.abc import Sequence
from enum import StrEnum

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from accounts.normalize import clean_text
from accounts.workbooks import template_bytes

EXAMPLE_MARK = "(Dòng mẫu – không được nhập)"
EXAMPLE_QUESTION = "Luật Thanh niên năm 2020 có hiệu lực thi hành từ ngày nào?"
EXAMPLE_TEXT = f"{EXAMPLE_MARK} {EXAMPLE_QUESTION}"
EXAMPLE_CHOICES = ("01/01/2021", "01/07/2021", "01/01/2022")
EXAMPLE_CORRECT = "A"
EXAMPLE_EXPLANATION = "Điều 79 Luật Thanh niên năm 2020."
EXAMPLE_TOPIC = "Luật Thanh niên"
EXAMPLE_ROW = 2  # where the template writes it; a row is recognised anywhere
_EXAMPLE_FILL = PatternFill(fill_type="solid", start_color="FFF2CC", end_color="FFF2CC")
_EXAMPLE_FONT = Font(italic=True, color="7F6000")
# The mark retyped with a hyphen is still the mark.
_DASHES = str.maketrans("–—‐‑−", "-----")


class ExampleMatch(StrEnum):
    NONE = ""
    EXACT = "exact"  # the template's example, untouched: skipped
    MARKED = "marked"  # the mark kept in an edited row: refused
    LEGACY = "legacy"  # the unmarked example of older templates: imported, warned


def example_match(*, text: str, choices: Sequence[str], correct: str) -> ExampleMatch:
    """How a row's question, choices (A, B, ...) and correct letter meet the example."""
    given = (_key(text), _choice_keys(choices), _letter(correct))
    expected = (_choice_keys(EXAMPLE_CHOICES), EXAMPLE_CORRECT)
    if given == (_key(EXAMPLE_TEXT), *expected):
        return ExampleMatch.EXACT
    if _key(EXAMPLE_MARK) in given[0]:
        return ExampleMatch.MARKED
    if given == (_key(EXAMPLE_QUESTION), *expected):
        return ExampleMatch.LEGACY
    return ExampleMatch.NONE


def template_with_example(
    *, headers: Sequence[str], example: Sequence[str], notes: Sequence[str]
) -> bytes:
    """The shared blank import file, its example row shaded and annotated."""
    workbook = openpyxl.load_workbook(
        io.BytesIO(template_bytes(headers=headers, example=example, notes=notes))
    )
    sheet = workbook.worksheets[0]
    for column in range(1, len(headers) + 1):
        cell = sheet.cell(row=EXAMPLE_ROW, column=column)
        cell.fill = _EXAMPLE_FILL
        cell.font = _EXAMPLE_FONT
    text_column = list(example).index(EXAMPLE_TEXT) + 1
    note = Comment(
        _(
            "Dòng mẫu: khi nhập, dòng này được tự động bỏ qua. Hãy nhập câu hỏi từ "
            "dòng %(next)d trở xuống; có thể xóa dòng mẫu."
        )
        % {"next": EXAMPLE_ROW + 1},
        _("Ban tổ chức"),
    )
    note.width, note.height = 320, 90
    sheet.cell(row=EXAMPLE_ROW, column=text_column).comment = note
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _key(text: str) -> str:
    return clean_text(text).casefold().translate(_DASHES)


def _choice_keys(choices: Sequence[str]) -> tuple[str, ...]:
    keys = [_key(choice) for choice in choices]
    while keys and not keys[-1]:
        keys.pop()
    return tuple(keys)


def _letter(value: str) -> str:
    return clean_text(value).upper().rstrip(".")
