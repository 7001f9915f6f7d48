import io
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from reports import xlsx
from reports.xlsx import Column, Title

AT = datetime(2024, 9, 30, 1, 5, tzinfo=UTC)  # 08:05 in Vietnam
TITLE = Title(
    subject="Danh sách đạt giải",
    generated_at=AT,
    generated_by="Trần Văn Bình",
    contest="Cuộc thi tìm hiểu pháp luật",
    round_name="Tuần 1",
)
COLUMNS = [Column("Họ và tên", 30), Column("Số", 8), Column("Ngày", 12)]


def write(rows, *, columns=COLUMNS, title=TITLE):
    buffer = io.BytesIO()
    count = xlsx.write_sheet(buffer, columns=columns, rows=rows, title=title)
    buffer.seek(0)
    return count, load_workbook(buffer).worksheets[0]


def test_title_block_names_contest_round_subject_time_and_author():
    _, ws = write([])

    assert [ws.cell(row=r, column=1).value for r in range(1, 7)] == [
        "Cuộc thi tìm hiểu pháp luật",
        "Tuần 1",
        "Danh sách đạt giải",
        "Thời điểm xuất: 30/09/2024 08:05 (giờ Việt Nam)",
        "Người xuất: Trần Văn Bình",
        None,
    ]
    assert ws["A1"].font.b


def test_header_is_bold_and_frozen_under_an_auto_filter_over_the_data():
    count, ws = write([["A", 1, None], ["B", 2, None]])

    assert count == 2
    assert [c.value for c in ws[7]] == ["Họ và tên", "Số", "Ngày"]
    assert all(c.font.b for c in ws[7])
    assert ws.freeze_panes == "A8"
    assert ws.auto_filter.ref == "A7:C9"


def test_an_empty_list_still_has_its_header_and_filter():
    count, ws = write(iter([]))

    assert count == 0
    assert ws.auto_filter.ref == "A7:C7"


def test_without_a_title_the_header_is_the_first_row():
    _, ws = write([["A", 1, None]], title=None)

    assert [c.value for c in ws[1]] == ["Họ và tên", "Số", "Ngày"]
    assert ws.freeze_panes == "A2"


def test_column_widths_come_from_the_spec():
    _, ws = write([])

    assert [ws.column_dimensions[c].width for c in "ABC"] == [30, 8, 12]


def test_rows_are_taken_from_a_generator():
    count, ws = write([f"Người {i}", i, None] for i in range(500))

    assert count == 500
    assert ws.max_row == 7 + 500
    assert ws.cell(row=507, column=2).value == 499


def test_aware_datetimes_are_written_as_vietnam_local_time_with_milliseconds():
    instant = datetime(2024, 9, 15, 16, 30, 5, 123_000, tzinfo=UTC)

    _, ws = write([["A", 1, instant]])

    cell = ws["C8"]
    assert cell.value == datetime(2024, 9, 15, 23, 30, 5, 123_000)
    assert cell.is_date
    assert cell.number_format == "dd/mm/yyyy hh:mm:ss.000"


def test_dates_are_real_dates():
    _, ws = write([["A", 1, date(1990, 1, 15)]])

    cell = ws["C8"]
    assert isinstance(cell.value, datetime)
    assert cell.value.date() == date(1990, 1, 15)
    assert cell.number_format == "dd/mm/yyyy"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(3, 3, id="int"),
        pytest.param(61.234, 61.234, id="float"),
        pytest.param(Decimal("12.50"), 12.5, id="decimal"),
        pytest.param(-2, -2, id="negative"),
    ],
)
def test_numbers_stay_numbers(value, expected):
    _, ws = write([["A", value, None]])

    assert ws["B8"].value == expected
    assert ws["B8"].data_type == "n"


def test_a_column_number_format_applies_to_its_numbers():
    columns = [Column("Tiền", 14, "#,##0")]

    _, ws = write([[3_000_000]], columns=columns)

    assert ws["A8"].value == 3_000_000
    assert ws["A8"].number_format == "#,##0"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('=HYPERLINK("http://x","y")', id="hyperlink"),
        pytest.param("=1+1", id="equals"),
        pytest.param("+1+1", id="plus"),
        pytest.param("@SUM(A1)", id="at"),
        pytest.param("-2", id="minus"),
        pytest.param("  =1+1", id="leading-spaces"),
        pytest.param("\t=1+1", id="leading-tab"),
        pytest.param("#N/A", id="error-code"),
    ],
)
def test_formula_like_text_stays_text(value):
    _, ws = write([[value, 1, None]])

    cell = ws["A8"]
    assert cell.data_type == "s"
    assert cell.value == value
    assert cell.quotePrefix


def test_a_carriage_return_is_written_as_the_line_feed_it_reads_back_as():
    _, ws = write([["\r+1", 1, None], ["a\r\nb", 2, None]])

    assert (ws["A8"].value, ws["A8"].data_type) == ("\n+1", "s")
    assert ws["A9"].value == "a\nb"


def test_formula_like_titles_stay_text():
    title = Title(subject="=1+1", generated_at=AT, generated_by="@me", contest="+x")

    _, ws = write([], title=title)

    assert (ws["A1"].value, ws["A1"].data_type) == ("+x", "s")
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")


def test_vietnamese_text_is_written_in_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")

    _, ws = write([[decomposed, 1, None]])

    assert ws["A8"].value == "Nguyễn Thị Ánh Tuyết"


def test_control_characters_a_workbook_cannot_hold_are_dropped():
    _, ws = write([["Lê\x00 Văn\x0b A\x1f", 1, None]])

    assert ws["A8"].value == "Lê Văn A"


def test_a_row_of_the_wrong_length_is_refused_and_leaves_no_temporary_file():
    before = set(ALL_TEMP_FILES)

    with pytest.raises(ValueError, match="zip"):
        write([["A", 1]])

    assert set(ALL_TEMP_FILES) <= before


def test_writes_to_a_path(tmp_path):
    path = tmp_path / "danh-sach.xlsx"

    count = xlsx.write_sheet(path, columns=COLUMNS, rows=[["A", 1, None]], title=TITLE)

    assert count == 1
    assert load_workbook(path).worksheets[0]["A8"].value == "A"


def test_several_sheets_in_one_workbook():
    buffer = io.BytesIO()

    counts = xlsx.write_workbook(
        buffer,
        [
            xlsx.Sheet(name="Câu hỏi", columns=COLUMNS, rows=[["A", 1, None]]),
            xlsx.Sheet(name="Thông tin: [1]", columns=[], title=TITLE),
        ],
    )

    buffer.seek(0)
    assert counts == [1, 0]
    assert load_workbook(buffer).sheetnames == ["Câu hỏi", "Thông tin- -1-"]
