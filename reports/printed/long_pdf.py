"""A long printed list (the full ranking of a round) as a PDF written page by page:
the same paper as reports.printed.pdf draws for the short lists (official header,
title, the table with its header on every page, the summary, the date line, the
signature blocks, the checksum and QR code, "Trang x/y"), with flat memory."""

from collections.abc import Iterable
from typing import IO

from awards.models import RoundResult
from awards.paper import MOTTO, NATION, qr_png
from reports.printed.lists import Paper, round_ranking_paper
from reports.printed.pdf_stream import BOLD, REGULAR, StreamedPdf, width

PAGE_W, PAGE_H = 297, 210  # A4 landscape, mm
MARGIN = 12
USABLE = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - MARGIN  # where the table stops; the page number sits below
QR_SIZE = 26
TABLE_SIZE = 9.5  # pt
LINE = 4.2  # mm between two lines of a table cell
PAD = 0.8  # mm above, below and beside the text of a cell
DRAFT = "BẢN DỰ THẢO – CHƯA PHÊ DUYỆT"


def wrap(text: str, font: str, size: float, room: float) -> list[str]:
    """The text in lines no wider than `room` mm, broken between words, a word
    too long for a line broken where it must."""
    if width(text, font, size) <= room:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if width(candidate, font, size) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and width(line + char, font, size) > room:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines or [""]


class _Layout:
    """Where the next line goes, and the page breaks."""

    def __init__(self, pdf: StreamedPdf, paper: Paper) -> None:
        self.pdf = pdf
        self.paper = paper
        self.page = 0
        self.y = MARGIN
        total = sum(column.width for column in paper.columns)
        self.widths = [column.width / total * USABLE for column in paper.columns]

    def new_page(self) -> None:
        if self.page:
            self.pdf.end_page()
        self.page += 1
        self.y = MARGIN
        label = f"Trang {self.page}/"
        x = PAGE_W - MARGIN - 28
        self.pdf.text(x, PAGE_H - 6, label, REGULAR, 8)
        self.pdf.page_total(x + width(label, REGULAR, 8), PAGE_H - 6)

    def centered(
        self, x: float, room: float, text: str, *, size: float, bold: bool = False
    ) -> None:
        font = BOLD if bold else REGULAR
        step = size * 0.5
        for line in wrap(text, font, size, room):
            left = x + (room - width(line, font, size)) / 2
            self.pdf.text(left, self.y + step * 0.8, line, font, size)
            self.y += step

    def heading(self) -> None:
        header, half = self.paper.header, USABLE / 2
        top = self.y
        if header.parent_body:
            self.centered(MARGIN, half, header.parent_body, size=11)
        self.centered(MARGIN, half, header.organizer, size=11, bold=True)
        left_bottom = self.y
        self.y = top
        self.centered(MARGIN + half, half, NATION, size=11, bold=True)
        self.centered(MARGIN + half, half, MOTTO, size=11, bold=True)
        self.y = max(left_bottom, self.y) + 4
        self.centered(MARGIN, USABLE, self.paper.title, size=14, bold=True)
        self.centered(MARGIN, USABLE, self.paper.subtitle, size=11, bold=True)
        if self.paper.draft:
            self.centered(MARGIN, USABLE, DRAFT, size=11, bold=True)
        self.y += 3

    def row(self, values: Iterable[str], *, header: bool = False) -> None:
        """One table row, boxed; on a new page (under the header again) when it
        does not fit on this one."""
        font = BOLD if header else REGULAR
        cells = [
            wrap(str(value), font, TABLE_SIZE, room - 2 * PAD)
            for value, room in zip(values, self.widths, strict=True)
        ]
        height = max(len(lines) for lines in cells) * LINE + 2 * PAD
        if self.y + height > BOTTOM:
            self.new_page()
            if not header:
                self.row([c.label for c in self.paper.columns], header=True)
        x = MARGIN
        for lines, room, column in zip(
            cells, self.widths, self.paper.columns, strict=True
        ):
            self.pdf.rect(x, self.y, room, height)
            for index, line in enumerate(lines):
                left = x + PAD
                if column.numeric and not header:
                    left = x + room - PAD - width(line, font, TABLE_SIZE)
                baseline = self.y + PAD + index * LINE + LINE * 0.75
                self.pdf.text(left, baseline, line, font, TABLE_SIZE)
            x += room
        self.y += height

    def closing(self) -> None:
        """The summary, then the date, the signatures and the checksum kept together
        on one page."""
        paper, half = self.paper, USABLE / 2
        self.y += 2
        self.pdf.text(MARGIN, self.y + 4, paper.summary, REGULAR, 10)
        self.y += 6
        needed = 40 + (QR_SIZE if paper.checksum else 0)
        if self.y + needed > BOTTOM:
            self.new_page()
        self.y += 3
        self.centered(MARGIN + half, half, paper.header.date_line, size=10.5)
        signatures = paper.header.signatures
        if signatures:
            slot = USABLE / len(signatures)
            top = self.y
            for index, signature in enumerate(signatures):
                x = MARGIN + index * slot
                self.y = top
                self.centered(x, slot, signature.title.upper(), size=10.5, bold=True)
                self.y = top + 22
                self.centered(x, slot, signature.name, size=10.5, bold=True)
            self.y = top + 30
        if paper.checksum:
            top = self.y + 2
            self.pdf.qr_code(qr_png(paper.check_url), MARGIN, top, QR_SIZE)
            self.y = top + 6
            room = USABLE - QR_SIZE - 4
            for text in (
                f"Mã kiểm tra (SHA-256): {paper.checksum}",
                f"Kiểm tra danh sách này tại: {paper.check_url}",
            ):
                for line in wrap(text, REGULAR, 8.5, room):
                    self.pdf.text(
                        MARGIN + QR_SIZE + 4, self.y + 3.5, line, REGULAR, 8.5
                    )
                    self.y += 4.5


def long_paper_pdf(paper: Paper, target: IO[bytes]) -> int:
    """Write the paper, its rows read once as they come, to a binary file; the
    number of rows."""
    pdf = StreamedPdf(
        target,
        width_mm=PAGE_W,
        height_mm=PAGE_H,
        info={
            "Title": paper.title,
            "Subject": paper.subtitle,
            "Creator": "Cổng thi trắc nghiệm trực tuyến",
        },
    )
    layout = _Layout(pdf, paper)
    layout.new_page()
    layout.heading()
    layout.row([column.label for column in paper.columns], header=True)
    count = 0
    for line in paper.rows:
        layout.row(line)
        count += 1
    layout.closing()
    pdf.close()
    return count


def ranking_pdf(*, result: RoundResult, target: IO[bytes]) -> int:
    """The round's full ranking to print and sign, however long; the rows written."""
    return long_paper_pdf(round_ranking_paper(result=result), target)
