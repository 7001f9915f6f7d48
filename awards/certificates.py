"""Certificate PDFs: plain text in, the bytes of one A4 landscape page out.

No Django here. The fonts are the Noto Sans files vendored under static/, embedded
(subset) in every PDF so Vietnamese diacritics render on any reader, with no system
font and no network. Entitlement is a rule over plain numbers, kept here beside the
document it grants.

Every certificate, a person's or a unit's, is one page: the official header (the
parent body and organizer on the left, the nation and its motto on the right), a
body of centred lines, then at the bottom the verification code, the full address
where it is checked and its QR code on the left, the date line and the signature
blocks on the right. The caller gives the QR code as PNG bytes.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "fonts"
FONT = "NotoSans"
DISQUALIFIED = "disqualified"
# awards.paper's own words, repeated: this module imports no Django.
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Printed when the contest names no signatory for certificates.
DEFAULT_SIGNER_TITLE = "TM. BAN TỔ CHỨC"

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, millimetres
MARGIN = 22.0
TEXT_W = PAGE_W - 2 * MARGIN
HEADER_W = 125.0  # each of the two header columns
FOOT_Y = 146.0  # where the verification and signature blocks start
BODY_BOTTOM = FOOT_Y - 3
QR_SIZE = 34.0
SIGN_X = 128.0  # the signature blocks span SIGN_X .. PAGE_W - 16
SIGN_SPACE = 17.0  # room left for the handwritten signature and the seal
URL_Y = 189.5  # the verification address, last line inside the inner border
RED = (165, 28, 28)
GOLD = (184, 142, 48)
INK = (30, 30, 30)


@dataclass(frozen=True, slots=True)
class Signer:
    title: str  # "TM. BAN TỔ CHỨC", "TRƯỞNG BAN"
    name: str  # may be empty: signed and named by hand


@dataclass(frozen=True, slots=True)
class Paper:
    """What every certificate carries around its body."""

    parent_body: str  # may be empty
    organizer: str
    date_line: str  # "Hà Giang, ngày 05 tháng 10 năm 2024"
    signers: tuple[Signer, ...]  # empty: one DEFAULT_SIGNER_TITLE block
    code: str  # as printed, e.g. "ABCD-EFGH-JKLM"
    verify_url: str  # the full address, the QR code's content
    qr_png: bytes
    issued_at: datetime  # aware, already in the contest's local time


@dataclass(frozen=True, slots=True)
class CertificateText:
    full_name: str
    unit_name: str
    contest_title: str
    round_name: str
    result_text: str  # e.g. "20/20 câu đúng"
    prize_name: str  # empty for an achievement certificate
    paper: Paper


@dataclass(frozen=True, slots=True)
class UnitCertificateText:
    unit_name: str
    contest_title: str
    group_name: str  # the unit group it was ranked in, may be empty
    result_text: str  # e.g. "Hạng 1; tỷ lệ tham gia 92,50%"
    prize_name: str
    paper: Paper


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
    """A person's certificate as a one-page PDF with its fonts embedded."""
    pdf = _page(text.paper, title=f"Giấy chứng nhận {text.paper.code}")
    pdf.set_subject(text.contest_title)
    pdf.set_author(text.contest_title)
    _title(pdf, "GIẤY CHỨNG NHẬN", text.contest_title)
    pdf.set_y(pdf.get_y() + 5)
    _line(pdf, f"Chứng nhận: {text.full_name}", size=22, bold=True, height=12)
    if text.unit_name:
        _line(pdf, f"Đơn vị: {text.unit_name}", size=13, height=8)
    _line(pdf, f"Đã tham gia {text.round_name}", size=13, height=8)
    _line(pdf, f"Kết quả: {text.result_text}", size=13, height=8)
    if text.prize_name:
        _prize(pdf, f"Đạt {text.prize_name}")
    return bytes(pdf.output())


def render_unit_pdf(text: UnitCertificateText) -> bytes:
    """A unit's collective certificate (giấy khen tập thể) as a one-page PDF."""
    pdf = _page(text.paper, title=f"Giấy khen tập thể {text.paper.code}")
    pdf.set_subject(text.contest_title)
    pdf.set_author(text.contest_title)
    _title(pdf, "GIẤY KHEN", text.contest_title)
    pdf.set_y(pdf.get_y() + 5)
    _line(pdf, f"Tặng: {text.unit_name}", size=22, bold=True, height=12)
    _line(pdf, "Đã có thành tích xuất sắc trong cuộc thi", size=13, height=8)
    if text.group_name:
        _line(pdf, f"Nhóm: {text.group_name}", size=13, height=8)
    _line(pdf, f"Kết quả: {text.result_text}", size=13, height=8)
    prize = text.prize_name
    if "tập thể" not in prize.lower():
        prize = f"{prize} (giải tập thể)"
    _prize(pdf, f"Đạt {prize}")
    return bytes(pdf.output())


def _page(paper: Paper, *, title: str) -> FPDF:
    """A new PDF with its one page drawn but the body: border, header, footer."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "NotoSans-Regular.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "NotoSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(title)
    pdf.set_creator("Cổng thi trắc nghiệm trực tuyến")
    # The same certificate always yields the same bytes.
    pdf.set_creation_date(paper.issued_at)
    pdf.add_page()
    _border(pdf)
    pdf.set_text_color(*INK)
    _header(pdf, paper)
    _verification(pdf, paper)
    _signatures(pdf, paper)
    pdf.set_y(50)
    return pdf


def _border(pdf: FPDF) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.4)
    pdf.rect(12, 12, PAGE_W - 24, PAGE_H - 24)


def _header(pdf: FPDF, paper: Paper) -> None:
    """Organizer on the left, nation and motto on the right, each underlined."""
    left_x, right_x, top = 16.0, PAGE_W - 16 - HEADER_W, 18.0
    pdf.set_xy(left_x, top)
    if paper.parent_body:
        _fitted(pdf, paper.parent_body, x=left_x, w=HEADER_W, size=11, bold=False)
    _fitted(pdf, paper.organizer, x=left_x, w=HEADER_W, size=11, bold=True)
    _rule(pdf, x=left_x, w=HEADER_W, width=30)
    pdf.set_xy(right_x, top)
    _fitted(pdf, NATION, x=right_x, w=HEADER_W, size=11, bold=True)
    _fitted(pdf, MOTTO, x=right_x, w=HEADER_W, size=12, bold=True)
    _rule(pdf, x=right_x, w=HEADER_W, width=pdf.get_string_width(MOTTO))


def _fitted(
    pdf: FPDF, value: str, *, x: float, w: float, size: float, bold: bool
) -> None:
    """One centred line in a column, shrunk to fit rather than cut."""
    style = "B" if bold else ""
    pdf.set_font(FONT, style, size)
    while size > 7 and pdf.get_string_width(value) > w:
        size -= 0.5
        pdf.set_font(FONT, style, size)
    pdf.set_x(x)
    pdf.cell(w, 5.5, value, align="C", new_x="LEFT", new_y="NEXT")


def _rule(pdf: FPDF, *, x: float, w: float, width: float) -> None:
    y = pdf.get_y() + 0.8
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(x + (w - width) / 2, y, x + (w + width) / 2, y)


def _title(pdf: FPDF, title: str, contest_title: str) -> None:
    pdf.set_text_color(*RED)
    _line(pdf, title, size=32, bold=True, height=15)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 14)
    # At most two lines: a longer title is shrunk rather than pushed into the footer.
    size = 14.0
    while size > 9 and pdf.get_string_width(contest_title) > 2 * TEXT_W * 0.95:
        size -= 0.5
        pdf.set_font(FONT, "B", size)
    pdf.multi_cell(TEXT_W, 7, contest_title, align="C", new_x="LMARGIN", new_y="NEXT")


def _prize(pdf: FPDF, value: str) -> None:
    pdf.set_text_color(*RED)
    pdf.set_y(min(pdf.get_y() + 1.5, BODY_BOTTOM - 10))
    _line(pdf, value, size=17, bold=True, height=10)
    pdf.set_text_color(*INK)


def _verification(pdf: FPDF, paper: Paper) -> None:
    """The QR code with the code beside it, and the full address along the bottom."""
    qr_x, top = 18.0, FOOT_Y + 2
    pdf.image(io.BytesIO(paper.qr_png), x=qr_x, y=top, w=QR_SIZE, h=QR_SIZE)
    text_x = qr_x + QR_SIZE + 3
    text_w = SIGN_X - text_x - 4
    pdf.set_xy(text_x, top + 4)
    pdf.set_font(FONT, "B", 10.5)
    pdf.cell(text_w, 6, f"Mã xác minh: {paper.code}", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9.5)
    pdf.cell(
        text_w, 5.5, f"Ngày cấp: {paper.issued_at:%d/%m/%Y}", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_y(pdf.get_y() + 2)
    pdf.set_x(text_x)
    pdf.multi_cell(
        text_w,
        4.5,
        "Quét mã QR bằng điện thoại hoặc nhập địa chỉ in dưới đây để xác minh.",
        align="L",
    )
    # The address on one line across the page, so it reads (and copies) whole.
    value = f"Xác minh tại: {paper.verify_url}"
    width = PAGE_W - 2 * 16
    size = 9.0
    pdf.set_font(FONT, "", size)
    while size > 6.5 and pdf.get_string_width(value) > width:
        size -= 0.5
        pdf.set_font(FONT, "", size)
    pdf.set_xy(16, URL_Y)
    # An address has no spaces to wrap at: one too long for the line breaks anywhere.
    pdf.multi_cell(width, 4, value, align="C", wrapmode="CHAR")


def _signatures(pdf: FPDF, paper: Paper) -> None:
    """The date line, then the signature blocks side by side under it."""
    right = PAGE_W - 16
    pdf.set_xy(SIGN_X, FOOT_Y)
    pdf.set_font(FONT, "", 11)
    pdf.cell(right - SIGN_X, 6, paper.date_line, align="C")
    signers = paper.signers or (Signer(DEFAULT_SIGNER_TITLE, ""),)
    width = (right - SIGN_X) / len(signers)
    for index, signer in enumerate(signers):
        x = SIGN_X + index * width
        pdf.set_xy(x, FOOT_Y + 7)
        pdf.set_font(FONT, "B", 10.5 if len(signers) < 3 else 9)
        pdf.multi_cell(width, 5, signer.title.upper(), align="C", max_line_height=5)
        if signer.name:
            pdf.set_font(FONT, "B", 11.5 if len(signers) < 3 else 10)
            pdf.set_xy(x, FOOT_Y + 7 + 10 + SIGN_SPACE)
            pdf.multi_cell(width, 5.5, signer.name, align="C")


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
