import io
import struct
import unicodedata
import warnings
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.http import HttpResponse
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


# --- the package written by hand --------------------------------------------------

SHEET_ORDER = [
    "sheetPr",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "autoFilter",
    "pageMargins",
    "pageSetup",
    "headerFooter",
]


def test_every_part_is_well_formed_xml_declared_in_the_content_types():
    buffer = io.BytesIO()
    xlsx.write_workbook(
        buffer,
        [
            xlsx.Sheet(name="Một", columns=COLUMNS, rows=[["<a & b>", 1, None]]),
            xlsx.Sheet(name="Hai", columns=[], title=TITLE),
        ],
    )

    with zipfile.ZipFile(buffer) as package:
        assert package.testzip() is None
        parts = {
            name: ElementTree.fromstring(package.read(name))
            for name in package.namelist()
        }
    declared = {
        element.get("PartName").lstrip("/")
        for element in parts["[Content_Types].xml"]
        if element.get("PartName")
    }
    assert declared == set(parts) - {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
    }


def test_parts_have_plain_zip_headers_without_zip64():
    buffer = io.BytesIO()
    xlsx.write_sheet(buffer, columns=COLUMNS, rows=[["A", 1, None]], title=TITLE)

    data = buffer.getvalue()
    with zipfile.ZipFile(buffer) as package:
        offsets = [info.header_offset for info in package.infolist()]
    # Local file header: version needed at byte 4, extra field length at byte 28.
    headers = [struct.unpack_from("<4xH22xH", data, offset) for offset in offsets]
    assert set(headers) == {(20, 0)}


def test_worksheet_elements_come_in_the_schema_order():
    buffer = io.BytesIO()
    xlsx.write_sheet(buffer, columns=COLUMNS, rows=[["A", 1, None]], title=TITLE)

    with zipfile.ZipFile(buffer) as package:
        sheet = ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    assert [child.tag.rpartition("}")[2] for child in sheet] == SHEET_ORDER


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_its_header_row():
    buffer = io.BytesIO()
    xlsx.write_workbook(
        buffer,
        [
            xlsx.Sheet(
                name="Đạt giải", columns=COLUMNS, rows=[["A", 1, None]] * 3, title=TITLE
            ),
            xlsx.Sheet(name="Ghi chú", columns=COLUMNS, rows=[["B", 2, None]]),
        ],
    )
    buffer.seek(0)

    workbook = load_workbook(buffer)

    for ws, header in zip(workbook.worksheets, (7, 1), strict=True):
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${header}:${header}"
        assert ws[f"A{header}"].value == COLUMNS[0].header


def test_the_workbook_loads_in_normal_mode_without_a_warning():
    buffer = io.BytesIO()
    xlsx.write_sheet(
        buffer, columns=COLUMNS, rows=[["A", 1, date(2024, 1, 2)]], title=TITLE
    )
    buffer.seek(0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        workbook = load_workbook(buffer)

    assert workbook.properties.title == "Danh sách đạt giải"
    assert workbook.properties.creator == "Trần Văn Bình"
    assert workbook.properties.created == datetime(2024, 9, 30, 1, 5)
    ws = workbook.worksheets[0]
    assert ws["A1"].font.sz == 14
    assert not ws["A4"].font.b
    assert ws.column_dimensions["A"].customWidth


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(date(1900, 1, 1), id="first-day"),
        pytest.param(date(1900, 2, 28), id="before-the-fake-leap-day"),
        pytest.param(date(1900, 3, 1), id="after-the-fake-leap-day"),
        pytest.param(datetime(1900, 2, 28, 12, 30, 1, 5_000), id="datetime-in-1900"),
        pytest.param(datetime(2024, 2, 29, 23, 59, 59, 999_000), id="real-leap-day"),
    ],
)
def test_dates_in_early_1900_read_back_as_the_same_day(value):
    _, ws = write([["A", 1, value]])

    expected = (
        value
        if isinstance(value, datetime)
        else datetime(value.year, value.month, value.day)
    )
    assert ws["C8"].value == expected
    assert ws["C8"].is_date


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def part(buffer: io.BytesIO, name: str) -> ElementTree.Element:
    with zipfile.ZipFile(buffer) as package:
        return ElementTree.fromstring(package.read(name))


def raw_cell(buffer: io.BytesIO, ref: str) -> ElementTree.Element:
    """A cell as written, before any reader interprets it."""
    sheet = part(buffer, "xl/worksheets/sheet1.xml")
    return sheet.find(f".//m:c[@r='{ref}']", NS)


@pytest.mark.parametrize(
    ("value", "serial"),
    [
        pytest.param(date(1900, 1, 1), "1", id="first-day"),
        pytest.param(date(1900, 2, 28), "59", id="before-the-fake-leap-day"),
        pytest.param(date(1900, 3, 1), "61", id="after-the-fake-leap-day"),
        pytest.param(datetime(1900, 2, 28, 12), "59.5", id="datetime-before"),
        pytest.param(datetime(1900, 3, 1, 18), "61.75", id="datetime-after"),
        pytest.param(date(2024, 9, 30), "45565", id="recent"),
    ],
)
def test_dates_are_written_as_excel_serials_with_its_fake_29_february_1900(
    value, serial
):
    buffer = io.BytesIO()

    xlsx.write_sheet(buffer, columns=COLUMNS, rows=[["A", 1, value]], title=None)

    assert raw_cell(buffer, "C2").find("m:v", NS).text == serial


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(date(1899, 12, 31), "31/12/1899", id="date"),
        pytest.param(date(1, 1, 1), "01/01/0001", id="year-one"),
        pytest.param(
            datetime(1899, 5, 6, 7, 8, 9), "06/05/1899 07:08:09", id="datetime"
        ),
    ],
)
def test_dates_before_1900_which_excel_cannot_hold_are_text(value, expected):
    _, ws = write([["A", 1, value]])

    assert (ws["C8"].value, ws["C8"].data_type) == (expected, "s")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param(Decimal("NaN"), id="decimal-nan"),
        pytest.param(Decimal("sNaN"), id="decimal-signaling-nan"),
        pytest.param(Decimal("1E+400"), id="decimal-too-large"),
    ],
)
def test_numbers_excel_cannot_hold_are_text(value):
    _, ws = write([["A", value, None]])

    assert (ws["B8"].value, ws["B8"].data_type) == (str(value), "s")


def test_characters_xml_cannot_hold_are_dropped():
    _, ws = write([["Lê\uffff Văn\ufffe A\ud800", 1, None]])

    assert ws["A8"].value == "Lê Văn A"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("   Lê Văn A", id="leading"),
        pytest.param("Lê Văn A  ", id="trailing"),
        pytest.param("\tLê\n\nVăn A\n", id="tabs-and-lines"),
        pytest.param("   ", id="only-spaces"),
    ],
)
def test_text_keeps_its_spaces(value):
    _, ws = write([[value, 1, None]])

    assert ws["A8"].value == value


def test_text_with_outer_spaces_is_marked_for_excel_to_keep_them():
    buffer = io.BytesIO()

    xlsx.write_sheet(
        buffer, columns=COLUMNS, rows=[["  Lê", 1, None], ["Lê", 2, None]], title=None
    )

    space = "{http://www.w3.org/XML/1998/namespace}space"
    texts = [raw_cell(buffer, ref).find("m:is/m:t", NS) for ref in ("A2", "A3")]
    assert [t.get(space) for t in texts] == ["preserve", None]


def test_markup_in_text_headers_and_sheet_names_reads_back_literally():
    buffer = io.BytesIO()
    columns = [Column("<b>\"Tên\" & 'họ'</b>", 20)]

    xlsx.write_sheet(
        buffer,
        columns=columns,
        rows=[["</t></is>&amp;"]],
        title=None,
        name="O'Neil <x>",
    )

    buffer.seek(0)
    workbook = load_workbook(buffer)
    ws = workbook["O'Neil <x>"]
    assert ws["A1"].value == "<b>\"Tên\" & 'họ'</b>"
    assert ws["A2"].value == "</t></is>&amp;"
    assert ws.auto_filter.ref == "A1:A2"


def test_an_empty_text_is_an_empty_cell():
    _, ws = write([["", 1, None]])

    assert ws["A8"].value is None


def test_a_bool_is_a_boolean_cell():
    _, ws = write([[True, False, None]])

    assert (ws["A8"].value, ws["B8"].value, ws["A8"].data_type) == (True, False, "b")


class Rows:
    """Rows that count how often they are iterated."""

    def __init__(self, count: int) -> None:
        self.count, self.iterations = count, 0

    def __iter__(self):
        self.iterations += 1
        return iter([f"Người {i}", i, None] for i in range(self.count))


def test_rows_are_read_once():
    rows = Rows(3)

    count, _ = write(rows)

    assert (count, rows.iterations) == (3, 1)


def test_rows_are_written_while_they_are_read_not_held_to_the_end():
    buffer = io.BytesIO()
    sizes = []

    def rows():
        for i in range(20_000):
            if i % 5_000 == 0:
                sizes.append(buffer.tell())
            yield [f"Nguyễn Văn {i}", i, date(2024, 1, 1 + i % 28)]

    xlsx.write_sheet(buffer, columns=COLUMNS, rows=rows(), title=None)

    assert sizes == sorted(sizes)
    assert sizes[-1] > sizes[0]


class Unseekable:
    """A stream that can only be written to, like a socket or a pipe."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def test_writes_into_an_unseekable_stream():
    stream = Unseekable()

    count = xlsx.write_sheet(
        stream, columns=COLUMNS, rows=[["A", 1, date(2024, 1, 2)]], title=TITLE
    )

    ws = load_workbook(io.BytesIO(b"".join(stream.chunks))).worksheets[0]
    assert count == 1
    assert [ws["A8"].value, ws["B8"].value, ws["C8"].value] == [
        "A",
        1,
        datetime(2024, 1, 2),
    ]


def test_writes_into_a_django_response():
    response = HttpResponse()

    xlsx.write_sheet(response, columns=COLUMNS, rows=[["A", 1, None]], title=None)

    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["A2"].value == "A"


def test_a_failed_write_to_a_path_leaves_no_file(tmp_path):
    path = tmp_path / "danh-sach.xlsx"

    with pytest.raises(ValueError, match="zip"):
        xlsx.write_sheet(path, columns=COLUMNS, rows=[["A", 1]], title=TITLE)

    assert not path.exists()


MONEY = '#,##0 "đ";[Red]-#,##0 "đ"'


def test_several_sheets_keep_their_own_number_formats_and_filters():
    buffer = io.BytesIO()
    sheets = [
        xlsx.Sheet(name="Tiền", columns=[Column("Tiền", 14, MONEY)], rows=[[1500]]),
        xlsx.Sheet(
            name="Giây", columns=[Column("Giây", 14, "0.000")], rows=[[1.5], [2]]
        ),
        xlsx.Sheet(name="Số", columns=[Column("Số", 14)], rows=[[7]], title=TITLE),
        xlsx.Sheet(name="Tiền", columns=[Column("Lại", 14, MONEY)], rows=[[3]]),
    ]

    counts = xlsx.write_workbook(buffer, sheets)

    buffer.seek(0)
    workbook = load_workbook(buffer)
    assert counts == [1, 2, 1, 1]
    written = part(buffer, "xl/workbook.xml").findall("m:sheets/m:sheet", NS)
    assert [sheet.get("name") for sheet in written] == ["Tiền", "Giây", "Số", "Tiền1"]
    money, seconds, plain, again = workbook.worksheets
    assert (money["A2"].value, money["A2"].number_format) == (1500, MONEY)
    assert [c.number_format for c in seconds["A"][1:]] == ["0.000", "0.000"]
    assert (plain["A8"].value, plain["A8"].number_format) == (7, "General")
    assert again["A2"].number_format == MONEY
    assert [ws.auto_filter.ref for ws in workbook.worksheets] == [
        "A1:A2",
        "A1:A3",
        "A7:A8",
        "A1:A2",
    ]
    assert [ws.freeze_panes for ws in workbook.worksheets] == ["A2", "A2", "A8", "A2"]


# --- borders round the table ------------------------------------------------------


def test_styles_hold_a_thin_box_and_a_bordered_copy_of_every_format():
    buffer = io.BytesIO()
    xlsx.write_sheet(buffer, columns=COLUMNS, rows=[["A", 1, None]], title=TITLE)

    styles = part(buffer, "xl/styles.xml")
    borders = styles.findall("m:borders/m:border", NS)
    xfs = styles.findall("m:cellXfs/m:xf", NS)
    assert styles.find("m:borders", NS).get("count") == "2"
    assert [borders[1].find(f"m:{side}", NS).get("style") for side in SIDES] == [
        "thin"
    ] * 4
    assert int(styles.find("m:cellXfs", NS).get("count")) == len(xfs)
    half = len(xfs) // 2
    plain, boxed = xfs[:half], xfs[half:]
    assert {xf.get("borderId") for xf in plain} == {"0"}
    assert {(xf.get("borderId"), xf.get("applyBorder")) for xf in boxed} == {("1", "1")}
    strip = ("borderId", "applyBorder")
    assert [{k: v for k, v in xf.attrib.items() if k not in strip} for xf in plain] == [
        {k: v for k, v in xf.attrib.items() if k not in strip} for xf in boxed
    ]


SIDES = ("left", "right", "top", "bottom")


def test_empty_cells_of_a_bordered_table_are_written_with_their_style():
    buffer = io.BytesIO()

    xlsx.write_sheet(buffer, columns=COLUMNS, rows=[["", 1, None]], title=TITLE)

    header, empty_text, empty = (raw_cell(buffer, r) for r in ("C7", "A8", "C8"))
    assert [cell.get("s") is not None for cell in (header, empty_text, empty)] == [
        True
    ] * 3
    assert empty.find("m:v", NS) is None
    assert raw_cell(buffer, "A4").get("s") is None  # a title line: no format at all


def test_a_sheet_without_borders_leaves_empty_cells_out():
    buffer = io.BytesIO()

    xlsx.write_workbook(
        buffer,
        [xlsx.Sheet("Một", COLUMNS, [["A", None, None]], TITLE, borders=False)],
    )

    assert raw_cell(buffer, "B8") is None
    assert raw_cell(buffer, "A8").get("s") is None


def test_every_cell_of_the_table_is_boxed_and_the_title_lines_are_not():
    rows = [
        ["Nguyễn Văn A", 1, date(2024, 1, 2)],
        [None, None, None],
        ["=1+1", 2.5, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)],
        [True, Decimal("NaN"), "  "],
    ]

    _, ws = write(rows, columns=[*COLUMNS[:2], Column("Ngày", 12, "dd/mm/yyyy")])

    table = [ws.cell(row=r, column=c) for r in range(7, 12) for c in range(1, 4)]
    assert all(
        getattr(cell.border, side).style == "thin" for cell in table for side in SIDES
    )
    title = [ws.cell(row=r, column=1) for r in range(1, 7)]
    assert all(getattr(c.border, s).style is None for c in title for s in SIDES)
    assert ws["A7"].font.b
    assert ws["A10"].quotePrefix
    assert ws["C8"].number_format == "dd/mm/yyyy"
