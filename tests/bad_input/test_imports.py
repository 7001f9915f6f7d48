"""Hostile spreadsheets through both importers (units, questions), their admin views
and their services. Already covered elsewhere and not repeated here: NFD text
(tests/accounts and tests/quizzes test_import), formulas read as cached values and
uncomputed formulas (tests/quizzes/test_import), zip bombs and the HTML file at the
service level (tests/accounts/test_import).

Decisions: a byte-order mark or zero-width character in a cell is stripped; hidden
rows and columns are imported like visible ones (the preview lists every row
before anything is written); a merged cell's value belongs to its top-left cell,
so the other rows it covered read as blank and are reported as row errors.
"""

import io
import time
import zipfile
from collections.abc import Sequence

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import importer as unit_importer
from accounts import spreadsheet
from accounts.models import Unit
from quizzes import importer as question_importer
from quizzes.models import Question
from tests.bad_input import tried
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_ROW = ["X1", "Xã Một", "Cấp xã", "", 12]
QUESTION_ROW = [
    "Luật Thanh niên",
    "Câu hỏi một?",
    "A1",
    "B1",
    "C1",
    "D1",
    None,
    None,
    "A",
]

IMPORTERS = {
    "units": (unit_importer, "admin:accounts_unit_import", Unit, UNIT_ROW),
    "questions": (
        question_importer,
        "admin:quizzes_question_import",
        Question,
        QUESTION_ROW,
    ),
}


@pytest.fixture(params=list(IMPORTERS))
def target(request):
    TopicFactory(name="Luật Thanh niên")
    return IMPORTERS[request.param]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def workbook_bytes(headers: Sequence[str], rows: Sequence[Sequence[object]], edit=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    if edit:
        edit(sheet)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(data: bytes, name: str = "nhap.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def raw_book(sheet_xml: bytes) -> bytes:
    """A minimal .xlsx around a hand-written sheet: cheap to make very large."""
    main = "http://schemas.openxmlformats.org"
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{main}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
            '+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet'
            '+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{main}/officeDocument/2006/relationships/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}/spreadsheetml/2006/main" xmlns:r="{main}/'
            'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{main}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return output.getvalue()


def inline_row(number: int | None, values: Sequence[object]) -> str:
    number_attr = f' r="{number}"' if number else ""
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f"<row{number_attr}>{cells}</row>"


def sheet_xml(headers, rows: str, dimension: str = "A1:XFD1048576") -> bytes:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>'
        + inline_row(1, headers)
        + rows
        + "</sheetData></worksheet>"
    ).encode()


def post_file(admin_client, url_name: str, data: bytes, name: str = "nhap.xlsx"):
    return admin_client.post(reverse(url_name), {"file": upload(data, name)})


# --- refused through the admin views, nothing written ---------------------------------


def zip_bomb() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(60):
                f.write(b"0" * (1024 * 1024))
    return output.getvalue()


def million_rows(importer) -> bytes:
    row = inline_row(None, ["1", "2"]).encode()
    return raw_book(
        sheet_xml(importer.HEADERS, "").replace(
            b"</sheetData>", row * 1_000_000 + b"</sheetData>"
        )
    )


REFUSED_FILES = {
    "html-renamed": (
        lambda importer: (
            b"<html><body><table><tr><td>1</td></tr></table></body></html>"
        ),
        "không phải bảng tính Excel",
    ),
    "empty": (lambda importer: b"", "rỗng"),
    "zip-bomb": (lambda importer: zip_bomb(), "cấu trúc bất thường"),
    "million-rows": (million_rows, "cấu trúc bất thường"),
    "row-at-1048576": (
        lambda importer: raw_book(
            sheet_xml(importer.HEADERS, inline_row(1_048_576, ["X9", "Xã", "Cấp xã"]))
        ),
        "quá nhiều dòng",
    ),
    "over-the-row-cap": (
        lambda importer: raw_book(
            sheet_xml(
                importer.HEADERS,
                "".join(
                    inline_row(None, [f"X{i}", f"Tên {i}"])
                    for i in range(importer.MAX_ROWS + 1)
                ),
            )
        ),
        "quá nhiều dòng",
    ),
    "50-mb": (lambda importer: b"PK\x03\x04" + b"0" * (50 * 1024 * 1024), "quá lớn"),
    "uncomputed-formula": (
        lambda importer: workbook_bytes(
            importer.HEADERS,
            [['=CONCAT("X","1")', "=1+1", "Cấp xã", "", 1, "", "", "", "A"]],
        ),
        "công thức chưa được tính",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_FILES))
def test_admin_import_refuses_hostile_files_quickly_and_writes_nothing(
    admin_client, target, case
):
    importer, url_name, model, _row = target
    make, message = REFUSED_FILES[case]
    data = make(importer)
    before = model.objects.count()
    tried(f"{url_name}: {case}")
    started = time.monotonic()

    response = post_file(admin_client, url_name, data)

    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert message in response.content.decode()
    assert model.objects.count() == before


def test_refusal_of_a_sparse_sheet_reads_few_rows(monkeypatch):
    data = raw_book(
        sheet_xml(unit_importer.HEADERS, inline_row(1_048_576, ["X9", "Xã"]))
    )
    tried("sparse sheet")
    started = time.monotonic()

    with pytest.raises(spreadsheet.ValidationError) as caught:
        unit_importer.read(upload(data))

    assert caught.value.code == "too_many_rows"
    assert time.monotonic() - started < 1


def test_a_huge_declared_dimension_is_not_trusted(admin_client):
    data = raw_book(
        sheet_xml(unit_importer.HEADERS, inline_row(2, ["X1", "Xã Một", "Cấp xã"]))
    )
    tried("dimension A1:XFD1048576")
    started = time.monotonic()

    rows = unit_importer.read(upload(data))

    assert [row.number for row in rows] == [2]
    assert time.monotonic() - started < 1


# --- cell contents -----------------------------------------------------------------


def test_byte_order_marks_and_zero_width_in_cells_are_stripped():
    data = workbook_bytes(
        unit_importer.HEADERS,
        [["\ufeffX1", "\ufeffXã\u200b Một\u202e", "\ufeffCấp xã", "", "\ufeff12"]],
    )
    tried("BOM in cells")

    unit_importer.apply(rows=unit_importer.read(upload(data)))

    unit = Unit.objects.get()
    assert (unit.code, unit.name, unit.headcount) == ("X1", "Xã Một", 12)


def test_byte_order_mark_in_a_question_header_and_cells_is_stripped():
    TopicFactory(name="Luật Thanh niên")
    headers = ["\ufeff" + question_importer.HEADERS[0], *question_importer.HEADERS[1:]]
    data = workbook_bytes(
        headers,
        [
            [
                "\ufeffLuật Thanh niên",
                "\ufeffCâu hỏi?",
                "\ufeffA",
                "B",
                "C",
                "D",
                None,
                None,
                "\ufeffB",
            ]
        ],
    )
    tried("BOM in question cells")

    question_importer.apply(rows=question_importer.read(upload(data)))

    question = Question.objects.get()
    assert question.text == "Câu hỏi?"
    assert question.current_revision.choice_texts[0] == "A"
    assert question.current_revision.correct_index == 1


def test_hidden_rows_and_columns_are_imported_like_visible_ones():
    def hide(sheet):
        sheet.row_dimensions[3].hidden = True
        sheet.column_dimensions["E"].hidden = True

    data = workbook_bytes(
        unit_importer.HEADERS,
        [["X1", "Xã Một", "Cấp xã", "", 5], ["X2", "Xã Hai", "Cấp xã", "", 7]],
        edit=hide,
    )
    tried("hidden rows and columns")

    plan = unit_importer.apply(rows=unit_importer.read(upload(data)))

    assert plan.counts["create"] == 2
    assert dict(Unit.objects.values_list("code", "headcount")) == {"X1": 5, "X2": 7}


def test_merged_cells_leave_the_covered_rows_blank_and_refused(admin_client):
    TopicFactory(name="Luật Thanh niên")
    second = ["Luật Thanh niên", "Câu hỏi hai?", "A", "B", "C", "D", None, None, "B"]

    def merge(sheet):
        sheet.merge_cells("A2:A3")  # the topic typed once for two questions

    data = workbook_bytes(question_importer.HEADERS, [QUESTION_ROW, second], edit=merge)
    tried("merged cells")

    response = post_file(admin_client, "admin:quizzes_question_import", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Dòng 3" in page or ">3<" in page
    assert "chủ đề" in page.lower()
    assert not Question.objects.exists()


def test_merged_unit_name_across_columns_is_a_row_error():
    def merge(sheet):
        sheet.merge_cells("B2:C2")

    data = workbook_bytes(unit_importer.HEADERS, [["X1", "Xã Một", None, "", 3]], merge)
    tried("merged across columns")

    plan = unit_importer.parse(rows=unit_importer.read(upload(data)))

    assert plan.counts["error"] == 1
    assert not Unit.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x","y")',
        "'; DROP TABLE accounts_unit;--",
        "Xã \U0001f600",
    ],
)
def test_hostile_unit_names_are_stored_as_plain_text(name):
    def as_text(sheet):
        sheet["B2"].data_type = "s"  # typed as text, as the template's columns are

    data = workbook_bytes(
        unit_importer.HEADERS, [["X1", name, "Cấp xã", "", 3]], edit=as_text
    )
    tried(name)

    unit_importer.apply(rows=unit_importer.read(upload(data)))

    assert Unit.objects.get().name == name
