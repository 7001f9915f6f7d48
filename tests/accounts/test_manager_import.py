"""Unit managers from a spreadsheet, through the user admin: preview, confirm, the
one-time passwords shown once, and bad files refused without a change."""

import io
from collections.abc import Sequence

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts import manager_importer
from accounts.models import User
from awards.models import AdminChange
from tests.factories import UnitFactory, UserFactory
from tests.plans.organizer import committee_client, messages_of
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGELIST = reverse("admin:accounts_user_changelist")
IMPORT_URL = reverse("admin:accounts_user_import")
CONFIRM_URL = reverse("admin:accounts_user_import_confirm")
TEMPLATE_URL = reverse("admin:accounts_user_import_template")
PASSWORDS_URL = reverse("admin:accounts_user_import_passwords")


def xlsx(
    rows: Sequence[Sequence[object]],
    headers: Sequence[str] = manager_importer.HEADERS,
) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile("can-bo.xlsx", output.getvalue(), content_type=XLSX)


def rows_of(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def boss() -> Client:
    return committee_client("Ban Tổ chức", full_name="Lò Quản Trị")


@pytest.fixture
def units():
    return {
        code: UnitFactory(code=code, name=name)
        for code, name in (("HG-MV", "UBND huyện Mèo Vạc"), ("HG-DV", "Sở Y tế"))
    }


def preview(client: Client, upload: SimpleUploadedFile):
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == 200
    return response


def preview_errors(client: Client, rows: Sequence[Sequence[object]]) -> dict:
    plan = preview(client, xlsx(rows)).context["plan"]
    return {row.number: row.error_codes for row in plan.rows if row.errors}


def confirm(client: Client, rows: Sequence[Sequence[object]]):
    token = preview(client, xlsx(rows)).context["token"]
    return client.post(CONFIRM_URL, {"token": token})


# --- the way in -----------------------------------------------------------------


def test_the_user_list_offers_the_import_to_an_organizer(boss):
    response = boss.get(CHANGELIST)

    assert "Nhập cán bộ quản lý đơn vị từ Excel" in response.content.decode()
    assert IMPORT_URL in response.content.decode()


def test_a_judge_may_not_import():
    client = Client()
    client.force_login(staff_in("Ban Giám khảo"))

    response = client.get(IMPORT_URL)

    assert response.status_code == 403
    assert "Nhập cán bộ quản lý" not in client.get(CHANGELIST).content.decode()


def test_the_template_has_the_three_columns_and_an_example(boss):
    response = boss.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    header, example = rows_of(response.content)
    assert header == ("Mã đơn vị", "Họ và tên", "Số điện thoại")
    assert example[2] == "0912345678"


def test_the_filled_in_template_imports(boss, units):
    workbook = openpyxl.load_workbook(io.BytesIO(boss.get(TEMPLATE_URL).content))
    workbook.worksheets[0]["A2"] = "HG-MV"
    output = io.BytesIO()
    workbook.save(output)
    upload = SimpleUploadedFile("mau.xlsx", output.getvalue(), content_type=XLSX)

    plan = preview(boss, upload).context["plan"]

    assert plan.is_valid
    assert plan.counts["create"] == 1


# --- preview ---------------------------------------------------------------------


def test_the_preview_writes_nothing_and_names_each_rows_action(boss, units):
    UserFactory(full_name="Nguyễn Văn An", phone="0912000002")

    response = preview(
        boss,
        xlsx(
            [
                ["hg-mv", "Giàng Thị Mỷ", "0912 000 001"],
                ["HG-DV", "nguyen van an", 912000002],
            ]
        ),
    )

    plan = response.context["plan"]
    assert [row.action for row in plan.rows] == ["create", "update"]
    assert "Giàng Thị Mỷ" in response.content.decode()
    assert not User.objects.filter(phone="0912000001").exists()
    assert User.objects.get(phone="0912000002").managed_unit is None


@pytest.mark.parametrize(
    ("row", "code", "message"),
    [
        pytest.param(
            ["HG-XX", "Giàng Thị Mỷ", "0912000001"],
            "unknown_unit",
            "không có trong danh sách đơn vị",
            id="unknown-unit",
        ),
        pytest.param(
            ["HG-MV", "Giàng Thị Mỷ", "0123"],
            "invalid_phone",
            "Số điện thoại “0123” không hợp lệ",
            id="invalid-phone",
        ),
        pytest.param(
            ["HG-MV", "Giàng Thị Mỷ", "0912000009"],
            "phone_taken",
            "đã là tài khoản của “Người Khác Hẳn”",
            id="phone-of-someone-else",
        ),
        pytest.param(
            ["HG-MV", "", "0912000001"],
            "missing_name",
            "Chưa nhập họ và tên",
            id="no-name",
        ),
        pytest.param(
            ["HG-MV", "=HYPERLINK(1)", "0912000001"],
            "name_symbols",
            "Họ và tên chỉ gồm chữ cái",
            id="symbols-in-name",
        ),
    ],
)
def test_a_wrong_row_is_explained_in_vietnamese(boss, units, row, code, message):
    UserFactory(full_name="Người Khác Hẳn", phone="0912000009")
    upload = xlsx([row])
    # A name starting with "=" must reach the check as text, not as a formula.
    if row[1].startswith("="):
        workbook = openpyxl.load_workbook(io.BytesIO(upload.read()))
        workbook.worksheets[0]["B2"].data_type = "s"
        output = io.BytesIO()
        workbook.save(output)
        upload = SimpleUploadedFile("x.xlsx", output.getvalue(), content_type=XLSX)

    response = preview(boss, upload)

    plan = response.context["plan"]
    assert plan.rows[0].error_codes == [code]
    assert not plan.is_valid
    assert message in response.content.decode()
    assert "chưa nhập dòng nào" in response.content.decode()


def test_a_phone_twice_in_the_file_is_a_duplicate_row(boss, units):
    errors = preview_errors(
        boss,
        [
            ["HG-MV", "Giàng Thị Mỷ", "0912000001"],
            ["HG-DV", "Giàng Thị Mỷ", "+84 912 000 001"],
        ],
    )

    assert errors == {3: ["duplicate_phone"]}


def test_one_unit_may_have_several_managers(boss, units):
    errors = preview_errors(
        boss,
        [
            ["HG-MV", "Giàng Thị Mỷ", "0912000001"],
            ["HG-MV", "Sùng Mí Chá", "0912000002"],
        ],
    )

    assert errors == {}


# --- confirm ---------------------------------------------------------------------


def test_confirming_creates_managers_with_one_time_passwords_shown_once(boss, units):
    response = confirm(
        boss,
        [
            ["HG-MV", "Giàng  Thị Mỷ", "0912 000 001"],
            ["HG-DV", "Sùng Mí Chá", "0912000002"],
        ],
    )

    assert response.status_code == 200
    html = response.content.decode()
    new = User.objects.get(phone="0912000001")
    assert new.full_name == "Giàng Thị Mỷ"
    assert new.search_name == "giang thi my"
    assert new.managed_unit == units["HG-MV"]
    assert new.unit == units["HG-MV"]
    assert new.must_change_password
    (issued,) = [p for p in response.context["passwords"] if p.phone == new.phone]
    assert new.check_password(issued.password)
    assert issued.password in html
    assert "no-store" in response["Cache-Control"]
    assert User.objects.get(phone="0912000002").managed_unit == units["HG-DV"]


def test_an_existing_account_of_the_same_person_is_given_the_unit(boss, units):
    person = UserFactory(full_name="Nguyễn Văn An", phone="0912000002")
    password = person.password

    response = confirm(boss, [["HG-MV", "NGUYEN VAN AN", "0912000002"]])

    stored = User.objects.get(pk=person.pk)
    assert stored.managed_unit == units["HG-MV"]
    assert stored.password == password
    assert stored.full_name == "Nguyễn Văn An"
    assert not stored.must_change_password
    assert response.context["passwords"] == ()
    assert User.objects.count() == 2  # the person and the organizer


def test_the_person_can_sign_in_with_the_one_time_password(boss, units):
    response = confirm(boss, [["HG-MV", "Giàng Thị Mỷ", "0912000001"]])
    (issued,) = response.context["passwords"]
    client = Client()

    signed_in = client.login(username="0912000001", password=issued.password)

    assert signed_in
    assert User.objects.get(phone="0912000001").must_change_password


def test_each_new_account_and_each_grant_is_audited(boss, units):
    UserFactory(full_name="Nguyễn Văn An", phone="0912000002")

    confirm(
        boss,
        [
            ["HG-MV", "Giàng Thị Mỷ", "0912000001"],
            ["HG-DV", "Nguyễn Văn An", "0912000002"],
        ],
    )

    entries = AdminChange.objects.filter(
        content_type=ContentType.objects.get_for_model(User)
    ).order_by("pk")
    assert [(e.action, e.object_repr) for e in entries] == [
        (AdminChange.Action.ADD, "Giàng Thị Mỷ (0912000001)"),
        (AdminChange.Action.CHANGE, "Nguyễn Văn An (0912000002)"),
    ]
    assert entries[1].changes["fields"]["managed_unit"][1] == units["HG-DV"].pk


def test_a_row_gone_wrong_since_the_preview_stops_the_whole_import(boss, units):
    rows = [
        ["HG-MV", "Giàng Thị Mỷ", "0912000001"],
        ["HG-DV", "Sùng Mí Chá", "0912000002"],
    ]
    token = preview(boss, xlsx(rows)).context["token"]
    UserFactory(full_name="Người Khác Hẳn", phone="0912000002")

    response = boss.post(CONFIRM_URL, {"token": token})

    assert response.status_code == 200
    assert "chưa nhập dòng nào" in " ".join(messages_of(response))
    assert not User.objects.filter(phone="0912000001").exists()


def test_the_passwords_download_once(boss, units):
    response = confirm(
        boss,
        [
            ["HG-MV", "Giàng Thị Mỷ", "0912000001"],
            ["HG-DV", "Sùng Mí Chá", "0912000002"],
        ],
    )
    token = response.context["token"]
    passwords = {p.phone: p.password for p in response.context["passwords"]}

    download = boss.post(PASSWORDS_URL, {"token": token})
    again = boss.post(PASSWORDS_URL, {"token": token}, follow=True)

    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    header, *rows = rows_of(download.content)
    assert header[-1] == "Mật khẩu dùng một lần"
    assert {(row[4], row[5]) for row in rows} == set(passwords.items())
    assert "đã được tải xuống hoặc đã hết hạn" in " ".join(messages_of(again))


def test_another_organizer_cannot_download_the_passwords(boss, units):
    token = confirm(boss, [["HG-MV", "Giàng Thị Mỷ", "0912000001"]]).context["token"]
    other = committee_client("Ban Tổ chức")

    response = other.post(PASSWORDS_URL, {"token": token})

    assert response.status_code == 302


# --- bad files ---------------------------------------------------------------------


def numbered_rows(n: int) -> list[list[object]]:
    return [["HG-MV", "Giàng Thị Mỷ", f"09120{i:05d}"] for i in range(n)]


def formula_file() -> SimpleUploadedFile:
    return xlsx([["HG-MV", "Giàng Thị Mỷ", "=0912000000+1"]])


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            lambda: SimpleUploadedFile("a.xlsx", b"<html>xin chao</html>"),
            "không phải bảng tính Excel",
            id="not-xlsx",
        ),
        pytest.param(lambda: SimpleUploadedFile("a.xlsx", b""), "rỗng", id="empty"),
        pytest.param(lambda: xlsx([]), "chỉ có dòng tiêu đề", id="header-only"),
        pytest.param(
            lambda: xlsx(
                [["HG-MV", "Giàng Thị Mỷ", "0912000001"]],
                headers=["Mã", "Tên", "Điện thoại"],
            ),
            "Thiếu cột",
            id="wrong-headers",
        ),
        pytest.param(
            lambda: xlsx(numbered_rows(10_000)), "quá nhiều dòng", id="10000-rows"
        ),
        pytest.param(
            lambda: xlsx(numbered_rows(manager_importer.MAX_ROWS + 1)),
            "tối đa 100 dòng",
            id="one-row-too-many",
        ),
        pytest.param(formula_file, "công thức chưa được tính", id="formula"),
    ],
)
def test_a_bad_file_is_refused_in_vietnamese_and_changes_nothing(
    boss, units, upload, message
):
    before = User.objects.count()

    response = boss.post(IMPORT_URL, {"file": upload()})

    assert response.status_code == 200
    assert response.context["plan"] is None
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors
    assert User.objects.count() == before


def test_exactly_the_maximum_number_of_rows_is_accepted(boss, units):
    plan = preview(boss, xlsx(numbered_rows(manager_importer.MAX_ROWS))).context["plan"]

    assert plan.is_valid
    assert plan.counts["create"] == manager_importer.MAX_ROWS
