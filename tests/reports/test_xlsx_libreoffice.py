"""A second reader: LibreOffice opens what reports.xlsx writes and shows each cell as
an official would see it. openpyxl, which the other tests read back with, is lenient;
the writer's XML is our own, so it is checked against an independent implementation."""

import csv
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from reports import xlsx
from reports.xlsx import Column, Sheet, Title

SOFFICE = shutil.which("soffice")
# In CI a missing LibreOffice fails the test rather than skipping it.
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)",
)

# Comma-separated, double quotes, UTF-8, first line 1, cells "as shown" (formatted).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false"


def shown(path: Path, tmp_path: Path) -> list[list[str]]:
    """The sheet's cells as LibreOffice displays them, row by row."""
    profile = tmp_path / "profile"
    subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (converted,) = (tmp_path / "out").glob("*.csv")
    with converted.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_libreoffice_shows_every_kind_of_cell_as_written(tmp_path):
    columns = [
        Column("Họ và tên", 28),
        Column("Trị giá (đồng)", 14, "#,##0"),
        Column("Ngày sinh", 12),
        Column("Thời điểm nộp", 24),
        Column("Đạt", 6),
        Column("Giây", 10, "0.000"),
        Column("Ghi chú", 20),
    ]
    rows = [
        [
            'Nguyễn Thị Ánh <b> & "Đào"',
            1_500_000,
            date(1990, 1, 15),
            datetime(2026, 11, 3, 3, 5, 3, 123000, tzinfo=UTC),
            True,
            Decimal("512.345"),
            '=HYPERLINK("http://x")',
        ],
        ["  Trần Văn B", 0, None, None, False, 12.5, "@SUM(A1)"],
    ]
    path = tmp_path / "danh-sach.xlsx"
    title = Title(
        subject="Danh sách đạt giải",
        generated_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        generated_by="Giám khảo",
        contest="Cuộc thi tìm hiểu Đề án 06",
        round_name="Tuần 1",
    )

    xlsx.write_workbook(path, [Sheet("Đạt giải", columns, rows, title)])

    cells = shown(path, tmp_path)
    assert [line[0] for line in cells[:5]] == [
        "Cuộc thi tìm hiểu Đề án 06",
        "Tuần 1",
        "Danh sách đạt giải",
        "Thời điểm xuất: 23/11/2026 08:00 (giờ Việt Nam)",
        "Người xuất: Giám khảo",
    ]
    assert cells[6] == [column.header for column in columns]
    assert cells[7] == [
        'Nguyễn Thị Ánh <b> & "Đào"',
        "1,500,000",
        "15/01/1990",
        "03/11/2026 10:05:03.123",
        "TRUE",
        "512.345",
        '=HYPERLINK("http://x")',
    ]
    assert cells[8] == ["  Trần Văn B", "0", "", "", "FALSE", "12.500", "@SUM(A1)"]
    assert len(cells) == 9
