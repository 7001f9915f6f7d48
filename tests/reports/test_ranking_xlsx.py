"""The full ranking's workbook as an official prints it: the table boxed, header
row and every cell of every row, the empty ones too, the title lines above it not;
printed by LibreOffice on A4 landscape pages."""

import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports
from tests.reports import header_row
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice")
SIDES = ("left", "right", "top", "bottom")


def ranking_workbook(result) -> bytes:
    buffer = io.BytesIO()
    exports.ranking_export(result=result, target=buffer, by=staff_in("Ban Giám khảo"))
    return buffer.getvalue()


def test_every_cell_of_the_ranking_table_has_a_thin_border_on_every_side(approved):
    ws = load_workbook(io.BytesIO(ranking_workbook(approved))).active
    top = header_row(ws)
    width = len([c for c in ws[top] if c.value])

    table = [
        ws.cell(row=r, column=c)
        for r in range(top, ws.max_row + 1)
        for c in range(1, width + 1)
    ]

    assert ws.max_row - top == 8  # the header and eight people
    assert any(cell.value is None for cell in table)  # empty cells are boxed too
    unboxed = [
        cell.coordinate
        for cell in table
        if any(getattr(cell.border, side).style != "thin" for side in SIDES)
    ]
    assert unboxed == []
    title = [ws.cell(row=r, column=c) for r in range(1, top) for c in range(1, width)]
    assert all(getattr(c.border, s).style is None for c in title for s in SIDES)


@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)",
)
def test_libreoffice_prints_the_ranking_on_a4_landscape_pages(approved, tmp_path):
    source = tmp_path / "xep-hang.xlsx"
    source.write_bytes(ranking_workbook(approved))

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
    printed = PdfReader(tmp_path / "out" / "xep-hang.pdf")

    assert len(printed.pages) > 0
    for page in printed.pages:
        box = page.mediabox
        assert float(box.width) > float(box.height)  # landscape
        assert round(float(box.width) / 72 * 25.4) == 297  # A4
    text = "".join(page.extract_text() for page in printed.pages)
    assert "Thí sinh số 7" in text
    assert "Trang 1/" in text
