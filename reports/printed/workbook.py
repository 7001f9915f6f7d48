"""A printed list as an .xlsx an official prints as it is: A4 landscape, fitted to
the page width, the table's header row repeated on every page, borders, the
official header above and the signatures, checksum and QR code below."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from awards.paper import MOTTO, NATION, qr_png
from reports.printed.lists import Paper

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
FONT = "Times New Roman"  # what Vietnamese administrative papers are set in


def _text(ws: Worksheet, row: int, first: int, last: int, value: str, **style):
    """A line of text across columns first..last (1-based), merged."""
    cell = ws.cell(row=row, column=first)
    cell.value = value
    cell.data_type = "s"  # never a formula, whatever a name starts with
    cell.font = Font(name=FONT, size=style.get("size", 12), bold=style.get("bold"))
    cell.alignment = style.get("align", CENTER)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def paper_xlsx(paper: Paper) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Danh sách")
    width = len(paper.columns)
    half = max(1, width // 2)
    for index, column in enumerate(paper.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width

    row = 1
    _text(ws, row, 1, half, paper.header.parent_body, size=12)
    _text(ws, row, half + 1, width, NATION, bold=True)
    row += 1
    _text(ws, row, 1, half, paper.header.organizer, bold=True)
    _text(ws, row, half + 1, width, MOTTO, bold=True)
    row += 2
    _text(ws, row, 1, width, paper.title, size=14, bold=True)
    row += 1
    _text(ws, row, 1, width, paper.subtitle, bold=True)
    if paper.draft:
        row += 1
        _text(ws, row, 1, width, _("BẢN DỰ THẢO – CHƯA PHÊ DUYỆT"), bold=True)
    row += 2

    header_row = row
    for index, column in enumerate(paper.columns, start=1):
        cell = ws.cell(row=row, column=index, value=column.label)
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.alignment = CENTER
        cell.border = BOX
    for line in paper.rows:
        row += 1
        for index, (value, column) in enumerate(
            zip(line, paper.columns, strict=True), start=1
        ):
            cell = ws.cell(row=row, column=index, value=value)
            cell.data_type = "s"
            cell.font = Font(name=FONT, size=11)
            cell.alignment = RIGHT if column.numeric else LEFT
            cell.border = BOX
    row += 1
    _text(ws, row, 1, width, paper.summary, size=11, align=LEFT)

    row += 2
    _text(ws, row, half + 1, width, paper.header.date_line, size=12)
    signatures = paper.header.signatures[:width]
    if signatures:
        row += 1
        slots = _slots(width, len(signatures))
        for (first, last), signature in zip(slots, signatures, strict=True):
            _text(ws, row, first, last, signature.title.upper(), bold=True)
            _text(ws, row + 4, first, last, signature.name, bold=True)
        row += 4
    if paper.checksum:
        row += 2
        _text(
            ws, row, 1, width, _("Mã kiểm tra (SHA-256): %s") % paper.checksum, size=9
        )
        row += 1
        _text(
            ws,
            row,
            1,
            width,
            _("Kiểm tra danh sách này tại: %s") % paper.check_url,
            size=9,
        )
        image = Image(io.BytesIO(qr_png(paper.check_url, scale=3)))
        ws.add_image(image, f"A{row + 1}")

    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = _("Trang &P/&N")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _slots(width: int, count: int) -> list[tuple[int, int]]:
    """Columns of each signature block, side by side across the table's width."""
    size = max(1, width // count)
    slots = []
    for index in range(count):
        first = index * size + 1
        last = width if index == count - 1 else first + size - 1
        slots.append((first, max(first, last)))
    return slots
