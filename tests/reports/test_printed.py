"""Lists an official prints and signs: the winners of a round and the units awarded,
as .xlsx set up for printing (printed here by LibreOffice) and as PDF, each with the
official header, the signatures, and for an approved list its checksum and a QR
code that a phone reads back to the page where the list is checked."""

import io
import os
import shutil
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from awards import services
from awards.models import PrizeTier, RoundResult, UnitResult, UnitResultRow
from awards.paper import MOTTO, NATION, list_check_url
from reports.printed import (
    paper_pdf,
    paper_xlsx,
    round_winners_paper,
    unit_winners_paper,
)
from tests.factories import (
    UnitFactory,
)
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 15, 23, 50, tzinfo=VN)
SOFFICE = shutil.which("soffice")


def qr_texts(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image.convert("L"))]


def test_the_workbook_is_set_up_to_print_and_sign(approved):
    paper = round_winners_paper(result=approved)

    ws = load_workbook(io.BytesIO(paper_xlsx(paper))).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]

    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    header_row = cells.index("STT")
    assert ws.print_title_rows  # the table's header row on every page
    for line in (NATION, MOTTO, "UBND TỈNH HÀ GIANG", "BAN TỔ CHỨC CUỘC THI ĐỀ ÁN 06"):
        assert line in cells
    assert "DANH SÁCH CÁ NHÂN ĐẠT GIẢI" in cells
    names = [c for c in cells[header_row:] if c.startswith("Thí sinh số")]
    assert names == [f"Thí sinh số {n}" for n in range(6)]
    assert any(c.startswith("Hà Giang, ngày ") for c in cells)
    for text in (
        "NGƯỜI LẬP BIỂU",
        "Lò Thị Mai",
        "TRƯỞNG BAN TỔ CHỨC",
        "Nguyễn Văn Sơn",
    ):
        assert text in cells
    assert f"Mã kiểm tra (SHA-256): {approved.checksum}" in cells
    assert f"Kiểm tra danh sách này tại: {list_check_url(approved.checksum)}" in cells
    assert "Danh sách gồm 6 người, tổng trị giá 16.000.000 đồng." in cells
    # Every table cell has its borders.
    bordered = [
        c.border.left.style
        for row in ws.iter_rows()
        for c in row
        if c.value and str(c.value).startswith("Thí sinh số")
    ]
    assert bordered == ["thin"] * 6
    assert len(ws._images) == 1  # the QR code


def test_the_pdf_is_one_page_whose_qr_code_leads_to_the_check_page(approved):
    reader = PdfReader(io.BytesIO(paper_pdf(round_winners_paper(result=approved))))

    [page] = reader.pages
    text = page.extract_text()
    [qr] = page.images

    for line in (NATION, "UBND TỈNH HÀ GIANG", "DANH SÁCH CÁ NHÂN ĐẠT GIẢI"):
        assert line in text
    assert "Thí sinh số 5" in text
    assert "Thí sinh số 6" not in text
    assert "TRƯỞNG BAN TỔ CHỨC" in text
    assert "Nguyễn Văn Sơn" in text
    assert approved.checksum in text.replace("\n", "")
    assert qr_texts(qr.image) == [list_check_url(approved.checksum)]
    assert list_check_url(approved.checksum).startswith(
        "https://cuocthi.hagiang.gov.vn/ket-qua/kiem-tra/"
    )


@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)",
)
def test_libreoffice_prints_the_six_winners_on_one_page(approved, tmp_path):
    source = tmp_path / "dat-giai.xlsx"
    source.write_bytes(paper_xlsx(round_winners_paper(result=approved)))

    subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    printed = PdfReader(tmp_path / "out" / "dat-giai.pdf")

    assert len(printed.pages) == 1
    text = printed.pages[0].extract_text()
    assert "Thí sinh số 5" in text
    assert "Nguyễn Văn Sơn" in text
    [qr] = printed.pages[0].images
    assert qr_texts(qr.image) == [list_check_url(approved.checksum)]


def test_a_provisional_list_prints_as_a_draft_without_a_checksum(approved):
    RoundResult.objects.filter(pk=approved.pk).update(status="provisional")
    approved.refresh_from_db()

    paper = round_winners_paper(result=approved)
    text = PdfReader(io.BytesIO(paper_pdf(paper))).pages[0].extract_text()

    assert paper.draft
    assert "BẢN DỰ THẢO – CHƯA PHÊ DUYỆT" in text
    assert "Mã kiểm tra" not in text


def test_the_unit_winners_list_is_its_own_list(approved):
    contest = approved.round.contest
    judge = staff_in("Ban Giám khảo")
    tier = PrizeTier.objects.create(
        contest=contest,
        kind=PrizeTier.Kind.COLLECTIVE,
        name="Giải Nhất tập thể",
        count=1,
        amount_vnd=5_000_000,
    )
    result = UnitResult.objects.create(
        contest=contest,
        status=UnitResult.Status.APPROVED,
        ruleset={},
        computed_by=judge,
        computed_at=CLOSES,
        approved_by=judge,
        approved_at=CLOSES,
        checksum="a" * 64,
    )
    for rank, (name, tier_or_none) in enumerate(
        [("UBND xã Lũng Cú", tier), ("UBND xã Lũng Táo", None)], start=1
    ):
        UnitResultRow.objects.create(
            result=result,
            group_name="",
            rank=rank,
            unit=UnitFactory(name=name),
            unit_name=name,
            headcount=20,
            participants=18 - rank,
            rate_percent=90 - rank,
            average_score_percent=80,
            winners=0,
            prize_tier=tier_or_none,
            prize_name=tier_or_none.name if tier_or_none else "",
            prize_amount_vnd=tier_or_none.amount_vnd if tier_or_none else 0,
        )

    text = (
        PdfReader(io.BytesIO(paper_pdf(unit_winners_paper(result=result))))
        .pages[0]
        .extract_text()
    )

    assert "DANH SÁCH TẬP THỂ ĐẠT GIẢI" in text
    assert "UBND xã Lũng Cú" in text
    assert "UBND xã Lũng Táo" not in text
    assert "Danh sách gồm 1 đơn vị, tổng trị giá 5.000.000 đồng." in text


# --- the downloads and the public check ------------------------------------------------


@pytest.mark.parametrize(
    ("group", "status"),
    [
        pytest.param("Ban Tổ chức", 200, id="organizer"),
        pytest.param("Ban Giám khảo", 200, id="judge"),
        pytest.param("Tổ soạn thảo câu hỏi", 403, id="author"),
        pytest.param("Quản lý đơn vị", 403, id="unit-manager"),
    ],
)
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_printed_list_downloads_by_role(approved, group, status, fmt):
    client = Client()
    client.force_login(staff_in(group))
    url = reverse(
        "reports:export-winners-printed",
        kwargs={"round_id": approved.round_id, "fmt": fmt},
    )

    response = client.get(url)

    assert response.status_code == status
    if status == 200:
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        assert body.startswith(b"%PDF" if fmt == "pdf" else b"PK")


@pytest.mark.parametrize("fmt", ["docx", "xlsx.exe", "PDF", ""])
def test_an_unknown_format_is_not_found(approved, fmt):
    client = Client()
    client.force_login(staff_in("Ban Giám khảo"))
    url = f"/bao-cao/xuat/tuan-thi/{approved.round_id}/dat-giai-ban-in.{fmt}"

    assert client.get(url).status_code == 404


def test_the_check_page_names_the_list_then_says_when_it_was_revoked(approved, client):
    url = reverse("awards:list-check", args=[approved.checksum])

    current = client.get(url)
    tampered = client.get(reverse("awards:list-check", args=["0" * 64]))
    services.result_revoke(
        result=approved,
        actor=staff_in("Ban Giám khảo"),
        reason="Sai sót khi nhập cơ cấu giải thưởng.",
    )
    revoked = client.get(url)

    assert current.status_code == 200
    assert "Danh sách hợp lệ, đang có hiệu lực" in current.content.decode()
    assert "Tuần thi thứ nhất" in current.content.decode()
    assert tampered.status_code == 404
    assert "Không có danh sách đã phê duyệt nào" in tampered.content.decode()
    assert "Danh sách này đã bị thu hồi" in revoked.content.decode()
    assert "Sai sót khi nhập cơ cấu giải thưởng." in revoked.content.decode()


@pytest.mark.parametrize("typed", ["abc", "<script>", "z" * 64, "A" * 64 + "x"])
def test_a_malformed_checksum_is_said_in_words(client, typed):
    response = client.get(reverse("awards:list-check-search"), {"ma": typed})

    assert response.status_code == 200
    assert "Mã kiểm tra gồm 64 ký tự" in response.content.decode()


def test_the_full_ranking_prints_as_a_pdf_with_everyone(approved):
    client = Client()
    client.force_login(staff_in("Ban Giám khảo"))

    response = client.get(
        reverse("reports:export-ranking-pdf", args=[approved.round_id])
    )

    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert response["Content-Type"] == "application/pdf"
    assert "BẢNG XẾP HẠNG" in text
    assert all(f"Thí sinh số {n}" in text for n in range(8))
    assert "Nguyễn Văn Sơn" in text
    qr = reader.pages[-1].images[0]
    assert qr_texts(qr.image) == [list_check_url(approved.checksum)]
