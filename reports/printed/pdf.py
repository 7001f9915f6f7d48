"""A printed list as a PDF: the same paper as the workbook, drawn with fpdf2 on A4
landscape pages, the table's header repeated on each page, fonts embedded."""

import io

from fpdf import FPDF
from fpdf.fonts import FontFace

from awards.certificates import FONT, FONT_DIR
from awards.paper import MOTTO, NATION, qr_png
from reports.printed.lists import Paper

MARGIN = 12  # mm
QR_SIZE = 26  # mm


def _centered(pdf: FPDF, x: float, width: float, text: str, *, size: float, bold=False):
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_x(x)
    pdf.multi_cell(width, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")


def paper_pdf(paper: Paper) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "NotoSans-Regular.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "NotoSans-Bold.ttf"))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.set_title(paper.title)
    pdf.set_subject(paper.subtitle)
    pdf.set_creator("Cổng thi trắc nghiệm trực tuyến")
    pdf.add_page()
    usable = pdf.w - 2 * MARGIN
    half = usable / 2

    top = pdf.get_y()
    _centered(pdf, MARGIN, half, paper.header.parent_body, size=11)
    _centered(pdf, MARGIN, half, paper.header.organizer, size=11, bold=True)
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    _centered(pdf, MARGIN + half, half, NATION, size=11, bold=True)
    _centered(pdf, MARGIN + half, half, MOTTO, size=11, bold=True)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)
    _centered(pdf, MARGIN, usable, paper.title, size=14, bold=True)
    _centered(pdf, MARGIN, usable, paper.subtitle, size=11, bold=True)
    if paper.draft:
        _centered(
            pdf, MARGIN, usable, "BẢN DỰ THẢO – CHƯA PHÊ DUYỆT", size=11, bold=True
        )
    pdf.ln(3)

    total = sum(column.width for column in paper.columns)
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(
        col_widths=[column.width / total * usable for column in paper.columns],
        text_align=["RIGHT" if c.numeric else "LEFT" for c in paper.columns],
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5.5,
        repeat_headings=1,
    ) as table:
        table.row([column.label for column in paper.columns])
        for line in paper.rows:
            table.row(list(line))
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    pdf.cell(usable, 6, paper.summary, new_x="LMARGIN", new_y="NEXT")

    # The closing block stays together: a new page rather than a split signature.
    signatures = paper.header.signatures
    needed = 40 + (QR_SIZE if paper.checksum else 0)
    if pdf.get_y() + needed > pdf.h - MARGIN:
        pdf.add_page()
    pdf.ln(3)
    _centered(pdf, MARGIN + half, half, paper.header.date_line, size=10.5)
    if signatures:
        slot = usable / len(signatures)
        y = pdf.get_y()
        for index, signature in enumerate(signatures):
            x = MARGIN + index * slot
            pdf.set_y(y)
            _centered(pdf, x, slot, signature.title.upper(), size=10.5, bold=True)
            pdf.set_y(y + 22)
            _centered(pdf, x, slot, signature.name, size=10.5, bold=True)
        pdf.set_y(y + 30)
    if paper.checksum:
        y = pdf.get_y() + 2
        pdf.image(io.BytesIO(qr_png(paper.check_url)), x=MARGIN, y=y, w=QR_SIZE)
        pdf.set_xy(MARGIN + QR_SIZE + 4, y + 6)
        pdf.set_font(FONT, "", 8.5)
        pdf.multi_cell(
            usable - QR_SIZE - 4,
            4.5,
            f"Mã kiểm tra (SHA-256): {paper.checksum}\n"
            f"Kiểm tra danh sách này tại: {paper.check_url}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())
