import io
import time
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import datetime

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import importer, spreadsheet
from accounts.models import Unit
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_URL = reverse("admin:accounts_unit_import")
CONFIRM_URL = reverse("admin:accounts_unit_import_confirm")
TEMPLATE_URL = reverse("admin:accounts_unit_import_template")


def xlsx(
    rows: Sequence[Sequence[object]],
    headers: Sequence[str] = importer.HEADERS,
    name: str = "don-vi.xlsx",
) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue(), content_type=XLSX)


def plan_of(rows: Sequence[Sequence[object]], **kwargs) -> spreadsheet.ImportPlan:
    return importer.parse(rows=importer.read(xlsx(rows, **kwargs)))


def import_rows(rows: Sequence[Sequence[object]], **kwargs) -> spreadsheet.ImportPlan:
    return importer.apply(rows=importer.read(xlsx(rows, **kwargs)))


def errors_of(plan: spreadsheet.ImportPlan) -> dict[int, list[str]]:
    return {row.number: row.error_codes for row in plan.rows if row.errors}


def read_error(upload: SimpleUploadedFile, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        spreadsheet.read_sheet(
            upload,
            headers=kwargs.get("headers", importer.HEADERS),
            required=kwargs.get("required", importer.REQUIRED),
        )
    return caught.value.code


# --- spreadsheet safety ----------------------------------------------------------


def test_html_renamed_xlsx_is_refused_in_vietnamese():
    upload = SimpleUploadedFile(
        "don-vi.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>"
    )

    with pytest.raises(ValidationError) as caught:
        importer.read(upload)

    assert caught.value.code == "not_xlsx"
    assert "không phải bảng tính Excel" in caught.value.messages[0]


def test_old_xls_file_is_refused():
    upload = SimpleUploadedFile("don-vi.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)

    assert read_error(upload) == "not_xlsx"


def test_zip_that_is_not_a_workbook_is_refused():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("hello.txt", "xin chào")

    assert read_error(SimpleUploadedFile("x.xlsx", output.getvalue())) == "not_xlsx"


def zip_bomb(member_mb: int) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b"0" * (1024 * 1024)
            for _ in range(member_mb):
                f.write(chunk)
    return output.getvalue()


@pytest.mark.parametrize("member_mb", [60, 20], ids=["over-total", "over-ratio"])
def test_zip_bomb_is_refused_before_openpyxl_reads_it(monkeypatch, member_mb):
    data = zip_bomb(member_mb)
    monkeypatch.setattr(
        spreadsheet.openpyxl,
        "load_workbook",
        lambda *args, **kwargs: pytest.fail("openpyxl must not see a zip bomb"),
    )
    started = time.monotonic()

    code = read_error(SimpleUploadedFile("bom.xlsx", data))

    assert code == "zip_bomb"
    assert len(data) < spreadsheet.MAX_UPLOAD_BYTES
    assert time.monotonic() - started < 5


def test_file_over_5_mb_is_refused():
    upload = SimpleUploadedFile("lon.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024))

    assert read_error(upload) == "file_too_large"


def test_too_many_rows_are_refused():
    upload = xlsx([[f"X{i}", "Xã", "Cấp xã", "", 1] for i in range(4)])

    with pytest.raises(ValidationError) as caught:
        spreadsheet.read_sheet(
            upload, headers=importer.HEADERS, required=importer.REQUIRED, max_rows=3
        )

    assert caught.value.code == "too_many_rows"


def test_missing_required_header_is_refused():
    upload = xlsx([["X1", "Cấp xã"]], headers=["Mã đơn vị", "Cấp"])

    assert read_error(upload) == "missing_headers"


def test_header_only_file_is_refused():
    assert read_error(xlsx([])) == "no_rows"


def test_headers_match_case_insensitively_after_nfc_and_trim_below_blank_rows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append([None, None])
    sheet.append(
        [
            "  MÃ ĐƠN VỊ ",
            unicodedata.normalize("NFD", "tên đơn vị"),
            "cấp",
            "mã đơn vị cấp trên",
            "BIÊN CHẾ",
        ]
    )
    sheet.append(["x1", "Xã Một", "Cấp xã", "", 3])
    sheet.append([])
    sheet.append(["x2", "Xã Hai", "Cấp xã", "", 4])
    output = io.BytesIO()
    workbook.save(output)

    rows = importer.read(SimpleUploadedFile("a.xlsx", output.getvalue()))

    assert [row.number for row in rows] == [4, 6]
    assert rows[0].values == {
        "Mã đơn vị": "x1",
        "Tên đơn vị": "Xã Một",
        "Cấp": "Cấp xã",
        "Mã đơn vị cấp trên": "",
        "Biên chế": "3",
    }


def test_cells_read_as_typed_text():
    upload = xlsx(
        [["0123", "  Xã\u00a0 Một\u200b ", "Cấp xã", None, 5.0]],
    )

    (row,) = importer.read(upload)

    assert row.values["Mã đơn vị"] == "0123"
    assert row.values["Tên đơn vị"] == "Xã Một"
    assert row.values["Biên chế"] == "5"


def test_a_date_excel_made_from_1_2_reads_back_as_day_month_with_a_warning():
    upload = xlsx([["X1", "Xã Một", "Cấp xã", "", datetime(2025, 2, 1)]])

    (row,) = importer.read(upload)

    assert row.values["Biên chế"] == "1/2"
    assert "01/02/2025" in row.warnings[0]


# --- unit import -----------------------------------------------------------------


def test_parents_after_children_are_resolved_and_paths_are_right():
    rows = [
        ["XA-1", "UBND xã Một", "Cấp xã", "HUYEN-1", 20],
        ["HUYEN-1", "UBND huyện Một", "district", "TINH", 80],
        ["TINH", "UBND tỉnh", "Cấp tỉnh", "", 300],
    ]

    plan = import_rows(rows)

    assert plan.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    province = Unit.objects.get(code="TINH")
    district = Unit.objects.get(code="HUYEN-1")
    commune = Unit.objects.get(code="XA-1")
    assert commune.path == f"/{province.pk}/{district.pk}/{commune.pk}/"
    assert district.level == Unit.Level.DISTRICT
    assert commune.headcount == 20
    assert commune.search_name == "ubnd xa mot"


@pytest.mark.parametrize(
    "level", ["Cấp xã", "commune", "cap xa", "xã", " CẤP XÃ "], ids=str
)
def test_level_accepts_labels_and_codes(level):
    import_rows([["X1", "Xã Một", level, "", 1]])

    assert Unit.objects.get(code="X1").level == Unit.Level.COMMUNE


def test_reimporting_the_same_file_changes_nothing():
    rows = [["T", "Tỉnh", "Cấp tỉnh", "", 5], ["X", "Xã", "Cấp xã", "T", 1]]
    import_rows(rows)

    plan = plan_of(rows)

    assert plan.counts["unchanged"] == 2
    assert Unit.objects.count() == 2


def test_update_by_code_changes_name_and_headcount_and_keeps_paths():
    old_parent = UnitFactory(code="CU", level=Unit.Level.DISTRICT)
    new_parent = UnitFactory(code="MOI", level=Unit.Level.DISTRICT)
    unit = UnitFactory(code="XA", parent=old_parent, headcount=5)
    child = UnitFactory(code="THON", parent=unit, level=Unit.Level.OTHER)

    plan = import_rows([["xa", "Xã Đổi Tên", "Cấp xã", "moi", 42]])

    unit.refresh_from_db()
    child.refresh_from_db()
    assert plan.counts["update"] == 1
    assert (unit.name, unit.headcount, unit.parent_id) == (
        "Xã Đổi Tên",
        42,
        new_parent.pk,
    )
    assert unit.path == f"/{new_parent.pk}/{unit.pk}/"
    assert child.path == f"/{new_parent.pk}/{unit.pk}/{child.pk}/"
    assert Unit.objects.count() == 4


def test_absent_optional_columns_keep_parent_and_headcount():
    parent = UnitFactory(code="H", level=Unit.Level.DISTRICT)
    UnitFactory(code="X", parent=parent, headcount=7)

    import_rows([["X", "Xã Mới Tên", "Cấp xã"]], headers=importer.REQUIRED)

    unit = Unit.objects.get(code="X")
    assert (unit.name, unit.parent_id, unit.headcount) == ("Xã Mới Tên", parent.pk, 7)


def test_code_with_leading_zero_typed_as_text_is_kept():
    import_rows([["0123", "Xã Một", "Cấp xã", "", 5]])

    assert Unit.objects.filter(code="0123", headcount=5).exists()


def test_nfd_name_is_stored_nfc():
    import_rows([["X1", unicodedata.normalize("NFD", "Xã Đặng Xá"), "Cấp xã", "", 1]])

    assert Unit.objects.get(code="X1").name == unicodedata.normalize(
        "NFC", "Xã Đặng Xá"
    )


GOOD = ["OK", "Xã Tốt", "Cấp xã", "", 10]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["X1", "Xã", "Cấp xã", "KHONG-CO", 1], "unknown_parent"),
        (["X1", "Xã", "Cấp vũ trụ", "", 1], "unknown_level"),
        (["X1", "Xã", "Cấp xã", "", -3], "negative_headcount"),
        (["X1", "Xã", "Cấp xã", "", "hai mươi"], "invalid_headcount"),
        (["X1", "Xã", "Cấp xã", "", 2.5], "invalid_headcount"),
        (["", "Xã", "Cấp xã", "", 1], "missing_code"),
        (["X1", "", "Cấp xã", "", 1], "missing_name"),
        (["X1", "Xã", "Cấp xã", "X1", 1], "cycle"),
    ],
    ids=[
        "unknown-parent",
        "unknown-level",
        "negative-headcount",
        "text-headcount",
        "fraction-headcount",
        "no-code",
        "no-name",
        "own-parent",
    ],
)
def test_bad_row_is_reported_and_nothing_is_written(row, code):
    plan = plan_of([GOOD, row])

    with pytest.raises(ValidationError) as caught:
        import_rows([GOOD, row])

    assert errors_of(plan) == {3: [code]}
    assert caught.value.code == "invalid_rows"
    assert Unit.objects.count() == 0


def test_duplicate_code_in_the_file_is_refused():
    plan = plan_of([GOOD, ["ok", "Xã Khác", "Cấp xã", "", 1]])

    assert errors_of(plan) == {3: ["duplicate_code"]}


def test_cycle_within_the_file_is_refused():
    rows = [["A", "Đơn vị A", "Khác", "B", 1], ["B", "Đơn vị B", "Khác", "A", 1]]

    plan = plan_of(rows)

    assert errors_of(plan) == {2: ["cycle"], 3: ["cycle"]}
    with pytest.raises(ValidationError):
        import_rows(rows)
    assert Unit.objects.count() == 0


def test_moving_a_unit_under_its_own_descendant_is_refused():
    root = UnitFactory(code="R", level=Unit.Level.PROVINCE)
    UnitFactory(code="C", parent=root)

    plan = plan_of([["R", root.name, "Cấp tỉnh", "C", 1]])

    assert errors_of(plan) == {2: ["cycle"]}


def test_a_cycle_undone_in_the_same_file_is_accepted():
    root = UnitFactory(code="R", level=Unit.Level.PROVINCE)
    child = UnitFactory(code="C", parent=root)

    import_rows(
        [
            ["R", "Đơn vị R", "Khác", "C", 1],
            ["C", "Đơn vị C", "Cấp tỉnh", "", 1],
        ]
    )

    root.refresh_from_db()
    child.refresh_from_db()
    assert child.path == f"/{child.pk}/"
    assert root.path == f"/{child.pk}/{root.pk}/"


# --- admin -----------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_upload_preview_then_confirm_writes_the_units(admin_client):
    upload = xlsx(
        [
            ["X1", "UBND xã Một", "Cấp xã", "H1", 12],
            ["H1", "Huyện", "Cấp huyện", "", 40],
        ]
    )

    preview = admin_client.post(IMPORT_URL, {"file": upload})

    assert preview.status_code == 200
    assert "Thêm mới" in preview.content.decode()
    assert preview.context["plan"].counts["create"] == 2
    assert not Unit.objects.filter(code__in=["X1", "H1"]).exists()

    confirmed = admin_client.post(
        CONFIRM_URL, {"token": preview.context["token"]}, follow=True
    )

    assert confirmed.redirect_chain[-1][0] == reverse("admin:accounts_unit_changelist")
    assert "thêm mới 2" in confirmed.content.decode()
    assert Unit.objects.get(code="X1").parent.code == "H1"


def test_admin_changelist_offers_the_import(admin_client):
    response = admin_client.get(reverse("admin:accounts_unit_changelist"))

    assert "Nhập từ Excel" in response.content.decode()
    assert IMPORT_URL in response.content.decode()


def test_admin_upload_of_a_bad_file_shows_the_error(admin_client):
    upload = SimpleUploadedFile("x.xlsx", b"<html></html>")

    response = admin_client.post(IMPORT_URL, {"file": upload})

    assert response.status_code == 200
    assert "không phải bảng tính Excel" in response.content.decode()


def test_admin_confirm_with_an_unknown_token_redirects_back(admin_client):
    response = admin_client.post(CONFIRM_URL, {"token": "x" * 32}, follow=True)

    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert "hết hạn" in response.content.decode()


def test_admin_import_without_permission_is_forbidden(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_unit"))
    client.force_login(user)

    responses = [
        client.get(IMPORT_URL),
        client.post(IMPORT_URL, {"file": xlsx([GOOD])}),
        client.post(CONFIRM_URL, {"token": "x" * 32}),
        client.get(TEMPLATE_URL),
    ]

    assert [response.status_code for response in responses] == [403] * 4
    assert not Unit.objects.filter(code="OK").exists()


def test_admin_template_is_an_xlsx_with_the_headers_and_a_valid_example(admin_client):
    response = admin_client.get(TEMPLATE_URL)

    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.active[1]] == list(importer.HEADERS)
    upload = SimpleUploadedFile("mau.xlsx", response.content)
    assert importer.parse(rows=importer.read(upload)).is_valid
