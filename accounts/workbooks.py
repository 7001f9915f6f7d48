"""Small workbooks of text cells written for download: import templates, lists."""

import io
from collections.abc import Sequence

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def template_bytes(
    *,
    headers: Sequence[str],
    example: Sequence[str],
    notes: Sequence[str] = (),
) -> bytes:
    """A blank import file: the headers, one example row, and a sheet of notes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Dữ liệu")
    for column, (header, value) in enumerate(zip(headers, example, strict=True), 1):
        letter = get_column_letter(column)
        # Text columns, so "0123" typed later keeps its zero and "1/2" stays text.
        for row, text in ((1, header), (2, value)):
            cell = sheet.cell(row=row, column=column)
            cell.value = text
            cell.data_type = "s"  # never a formula, even if it starts with "="
            cell.number_format = "@"
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, min(60, len(value) + 4))
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    if notes:
        help_sheet = workbook.create_sheet(_("Hướng dẫn"))
        for row, note in enumerate(notes, 1):
            cell = help_sheet.cell(row=row, column=1)
            cell.value = note
            cell.data_type = "s"
        help_sheet.column_dimensions["A"].width = 120
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def table_bytes(
    *, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str
) -> bytes:
    """A one-sheet workbook of text cells: a header row, then the rows as given."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row_number, values in enumerate([headers, *rows], 1):
        for column, value in enumerate(values, 1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            # Text, never a formula: a name may start with "=", a phone with "0".
            cell.data_type = "s"
            cell.number_format = "@"
    for column, header in enumerate(headers, 1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        widest = max([len(header), *(len(row[column - 1]) for row in rows)])
        sheet.column_dimensions[get_column_letter(column)].width = min(60, widest + 4)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
