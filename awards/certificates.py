"""Certificate PDFs: plain text in, the bytes of one A4 landscape page out.

No Django here. The fonts are the Noto Sans files vendored under static/, embedded
(subset) in every PDF so Vietnamese diacritics render on any reader, with no system
font and no network. Entitlement is a rule over plain numbers, kept here beside the
document it grants.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "fonts"
FONT = "NotoSans"
DISQUALIFIED = "disqualified"

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, millimetres
MARGIN = 22.0
TEXT_W = PAGE_W - 2 * MARGIN
RED = (165, 28, 28)
GOLD = (184, 142, 48)
INK = (30, 30, 30)


@dataclass(frozen=True, slots=True)
class CertificateText:
    full_name: str
    unit_name: str
    contest_title: str
    round_name: str
    result_text: str  # e.g. "20/20 câu đúng"
    prize_name: str  # empty for an achievement certificate
    code: str  # as printed, e.g. "ABCD-EFGH-JKLM"
    verify_path: str  # e.g. "/giay-chung-nhan/xac-minh/?ma=ABCD-EFGH-JKLM"
    issued_at: datetime  # aware, already in the contest's local time


def is_entitled(
    *,
    enabled: bool,
    prize_name: str,
    correct: int,
    question_count: int,
    min_correct_percent: int | None,
    skip_reason: str,
) -> bool:
    """A winner, or at least the threshold share of right answers, never disqualified."""
    if not enabled or skip_reason == DISQUALIFIED:
        return False
    if prize_name:
        return True
    if min_correct_percent is None or question_count <= 0:
        return False
    # Integers only: 17/20 against 85% must not fall to a rounding error.
    return correct * 100 >= min_correct_percent * question_count


def render_pdf(text: CertificateText) -> bytes:
    """The certificate as a one-page PDF with its fonts embedded."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "NotoSans-Regular.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "NotoSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(f"Giấy chứng nhận {text.code}")
    pdf.set_subject(text.contest_title)
    pdf.set_author(text.contest_title)
    pdf.set_creator("Cổng thi trắc nghiệm trực tuyến")
    # The same certificate always yields the same bytes.
    pdf.set_creation_date(text.issued_at)
    pdf.add_page()

    _border(pdf)
    pdf.set_text_color(*INK)
    pdf.set_y(24)
    _line(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True, height=7)
    _line(pdf, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, height=7)
    width = pdf.get_string_width("Độc lập - Tự do - Hạnh phúc")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line((PAGE_W - width) / 2, pdf.get_y(), (PAGE_W + width) / 2, pdf.get_y())

    pdf.set_y(pdf.get_y() + 14)
    pdf.set_text_color(*RED)
    _line(pdf, "GIẤY CHỨNG NHẬN", size=34, bold=True, height=16)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(
        TEXT_W, 7.5, text.contest_title, align="C", new_x="LMARGIN", new_y="NEXT"
    )

    pdf.set_y(pdf.get_y() + 12)
    _line(pdf, f"Chứng nhận: {text.full_name}", size=24, bold=True, height=13)
    if text.unit_name:
        _line(pdf, f"Đơn vị: {text.unit_name}", size=14, height=9.5)
    _line(pdf, f"Đã tham gia {text.round_name}", size=14, height=9.5)
    _line(pdf, f"Kết quả: {text.result_text}", size=14, height=9.5)
    if text.prize_name:
        pdf.set_text_color(*RED)
        pdf.set_y(pdf.get_y() + 2)
        _line(pdf, f"Đạt {text.prize_name}", size=18, bold=True, height=11)
        pdf.set_text_color(*INK)

    pdf.set_font(FONT, "", 10.5)
    pdf.set_xy(MARGIN, PAGE_H - 40)
    pdf.cell(TEXT_W / 2, 6, f"Mã xác minh: {text.code}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(TEXT_W / 2, 6, f"Xác minh tại: {text.verify_path}")
    pdf.set_font(FONT, "B", 12)
    pdf.set_xy(MARGIN + TEXT_W / 2, PAGE_H - 40)
    pdf.cell(TEXT_W / 2, 6, f"Ngày cấp: {text.issued_at:%d/%m/%Y}", align="R")
    return bytes(pdf.output())


def _border(pdf: FPDF) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.4)
    pdf.rect(12, 12, PAGE_W - 24, PAGE_H - 24)


def _line(
    pdf: FPDF, value: str, *, size: float, height: float, bold: bool = False
) -> None:
    """One centred line, shrunk to fit rather than cut or wrapped (names, units)."""
    style = "B" if bold else ""
    pdf.set_font(FONT, style, size)
    while size > 8 and pdf.get_string_width(value) > TEXT_W:
        size -= 0.5
        pdf.set_font(FONT, style, size)
    pdf.set_x(MARGIN)
    pdf.cell(TEXT_W, height, value, align="C", new_x="LMARGIN", new_y="NEXT")
