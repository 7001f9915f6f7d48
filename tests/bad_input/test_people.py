"""Names, phones, dates and login fields as people (and scripts) really type them.

Decisions: zero-width and bidirectional controls are stripped (everywhere text is
cleaned: forms and imports), never refused; NFD is stored as NFC; a name mixing
scripts (a Cyrillic "А" in a Vietnamese name), holding symbols (emoji, < ; =) or
stacked combining marks is refused with a Vietnamese message; NUL is refused. A
Vietnamese phone is stored as 0xxxxxxxxx, a foreign one (typed with its country
code) in E.164.
"""

import unicodedata
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.bad_input import tried
from tests.factories import UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

PASSWORD = "Thi-sinh-2024!"
REGISTER = reverse("accounts:register")
PROFILE = reverse("accounts:profile")
LOGIN = reverse("accounts:login")
MEGABYTE = "a" * (1024 * 1024)


@pytest.fixture
def unit():
    return UnitFactory()


def registration(client, unit, **overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Trần Thị Ngọc Ánh",
        "date_of_birth": "03/11/2000",
        "gender": User.Gender.FEMALE,
        "phone": "0912 345 678",
        "email": "",
        "citizen_id": "",
        "occupation": User.Occupation.CIVIL_SERVANT,
        "unit": str(unit.pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        **solved_challenge(client),
    }
    data.update(overrides)
    return data


def field_error_codes(response, field: str) -> set[str]:
    errors = response.context["form"].errors.as_data().get(field, [])
    return {error.code for error in errors}


def snapshot() -> list[tuple]:
    return list(
        User.objects.order_by("pk").values_list(
            "pk", "phone", "full_name", "date_of_birth", "email", "citizen_id"
        )
    )


# --- names that are stored (cleaned) ------------------------------------------------

STORED_NAMES = [
    pytest.param(
        unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết"),
        "Nguyễn Thị Ánh Tuyết",
        id="nfd",
    ),
    pytest.param("Nguyễn\u200b Văn\u200d An", "Nguyễn Văn An", id="zero-width"),
    pytest.param("\u202eNguyễn Văn An\u202c", "Nguyễn Văn An", id="bidi-override"),
    pytest.param("\u2066Nguyễn\u2069 Văn An", "Nguyễn Văn An", id="bidi-isolate"),
    pytest.param("\u200fNguyễn Văn An\u200e", "Nguyễn Văn An", id="rtl-ltr-marks"),
    pytest.param("\ufeffNguyễn Văn An", "Nguyễn Văn An", id="bom"),
    pytest.param("Nguy\u00adễn Văn An", "Nguyễn Văn An", id="soft-hyphen"),
    pytest.param("Nguyễn\u061c Văn An", "Nguyễn Văn An", id="arabic-letter-mark"),
    pytest.param("  Nguyễn \t Văn\u00a0 An  ", "Nguyễn Văn An", id="odd-spaces"),
    pytest.param("H'Hen Niê", "H'Hen Niê", id="apostrophe"),
    pytest.param("Иван Петров", "Иван Петров", id="all-cyrillic-foreigner"),
]


@pytest.mark.parametrize(("typed", "stored"), STORED_NAMES)
def test_registration_stores_the_cleaned_nfc_name(client, unit, typed, stored):
    tried(typed)

    response = client.post(REGISTER, registration(client, unit, full_name=typed))

    assert response.status_code == 302
    user = User.objects.get()
    assert user.full_name == stored
    assert unicodedata.is_normalized("NFC", user.full_name)


# --- names, phones, dates that are refused ------------------------------------------

REFUSED = [
    pytest.param("full_name", "", "required", "Vui lòng nhập họ và tên", id="empty"),
    pytest.param("full_name", "   \t ", "required", "Vui lòng", id="spaces"),
    pytest.param("full_name", "\u200b\u200d\u2060", "required", "Vui lòng", id="zw"),
    pytest.param(
        "full_name",
        "Nguyễn Văn Аn",
        "name_mixed_scripts",
        "bảng chữ khác",
        id="cyrillic-homoglyph",
    ),
    pytest.param(
        "full_name",
        "Trần Vаn Βình",
        "name_mixed_scripts",
        "bảng chữ khác",
        id="cyrillic-greek-homoglyphs",
    ),
    pytest.param("full_name", "Nguyễn Văn An 😀", "name_symbols", "biểu", id="emoji"),
    pytest.param("full_name", "Lê 👍🏽 Hà", "name_symbols", "biểu", id="emoji-skin"),
    pytest.param(
        "full_name", "<script>alert(1)</script>", "name_symbols", "biểu", id="html"
    ),
    pytest.param("full_name", "'; DROP TABLE--", "name_symbols", "biểu", id="sql"),
    pytest.param("full_name", "=HYPERLINK(1)", "name_symbols", "biểu", id="formula"),
    pytest.param(
        "full_name",
        "Nguye\u0302\u0303\u0301\u0300\u0323n",
        "name_stacked_marks",
        "dấu thanh",
        id="stacked-combining-marks",
    ),
    pytest.param(
        "full_name",
        "Nguyễn\x00Văn",
        "null_characters_not_allowed",
        "ký tự rỗng",
        id="nul",
    ),
    pytest.param("full_name", "A" * 10_000, "max_length", "tối đa", id="10k"),
    pytest.param("full_name", MEGABYTE, "max_length", "tối đa", id="1mb"),
    pytest.param("phone", "", "required", "bắt buộc", id="phone-empty"),
    pytest.param("phone", "091234567", "invalid_phone", "không hợp lệ", id="9dig"),
    pytest.param("phone", "09123456789", "invalid_phone", "không hợp lệ", id="11d"),
    pytest.param("phone", "0012345678", "invalid_phone", "không hợp lệ", id="00"),
    # A foreign number is welcome (+1 202 555 0123), but not one with 9 digits.
    pytest.param(
        "phone", "+1 912 345 678", "invalid_phone", "không hợp lệ", id="us-9-digits"
    ),
    pytest.param("phone", "1800 1234", "invalid_phone", "không hợp lệ", id="tollfree"),
    pytest.param("phone", "٠٩١٢٣٤٥٦٧٨", "invalid_phone", "không hợp lệ", id="arab"),
    pytest.param("phone", "0912345678x", "invalid_phone", "không hợp lệ", id="x"),
    pytest.param(
        "phone",
        "0912\x00345678",
        "null_characters_not_allowed",
        "ký tự rỗng",
        id="phone-nul",
    ),
    pytest.param("phone", MEGABYTE, "max_length", "tối đa", id="phone-1mb"),
    pytest.param(
        "date_of_birth", "31/02/2000", "invalid", "ngày/tháng/năm", id="31-feb"
    ),
    pytest.param(
        "date_of_birth",
        "29/02/2001",
        "invalid",
        "ngày/tháng/năm",
        id="29-feb-common-year",
    ),
    pytest.param(
        "date_of_birth", "00/00/0000", "invalid", "ngày/tháng/năm", id="zeros"
    ),
    pytest.param(
        "date_of_birth", "3 tháng 11 2000", "invalid", "ngày/tháng/năm", id="words"
    ),
    pytest.param(
        "date_of_birth", "11/03/2000 10:00", "invalid", "ngày/tháng/năm", id="with-time"
    ),
    pytest.param(
        "date_of_birth", "03/11/99999", "invalid", "ngày/tháng/năm", id="year-99999"
    ),
    pytest.param("date_of_birth", "01/01/0001", "too_old", "không hợp lệ", id="year-1"),
    pytest.param("date_of_birth", "", "required", "bắt buộc", id="dob-empty"),
    pytest.param("date_of_birth", "01/01/3000", "future", "tương lai", id="y3000"),
]


@pytest.mark.parametrize(("field", "value", "code", "message"), REFUSED)
def test_registration_refuses_in_vietnamese_and_creates_nothing(
    client, unit, field, value, code, message
):
    UserFactory(phone="0987654321")
    before = snapshot()
    tried(value)

    response = client.post(REGISTER, registration(client, unit, **{field: value}))

    assert response.status_code == 200
    assert code in field_error_codes(response, field)
    assert message in response.content.decode()
    assert snapshot() == before


def test_registration_refuses_tomorrow_as_birth_date(client, unit):
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    tried(tomorrow)

    response = client.post(REGISTER, registration(client, unit, date_of_birth=tomorrow))

    assert field_error_codes(response, "date_of_birth") == {"future"}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "typed",
    ["03/11/2000", "3/11/2000", "03-11-2000", "03.11.2000", "2000-11-03"],
)
def test_other_date_formats_read_as_day_month_year(client, unit, typed):
    tried(typed)

    client.post(REGISTER, registration(client, unit, date_of_birth=typed))

    assert User.objects.get().date_of_birth == date(2000, 11, 3)


PHONE_FORMS = [
    "0912345678",
    "0912 345 678",
    "0912.345.678",
    "0912-345-678",
    "(091) 234-5678",
    "+84912345678",
    "+84 912 345 678",
    "+84 0912 345 678",
    "(+84) 912.345.678",
    "84912345678",
    "0084912345678",
    "０９１２３４５６７８",
    "＋８４９１２３４５６７８",
    "０９１２　３４５　６７８",
    " 0912345678 ",
]


@pytest.mark.parametrize("typed", PHONE_FORMS)
def test_every_local_phone_form_is_one_number(client, unit, typed):
    tried(typed)

    client.post(REGISTER, registration(client, unit, phone=typed))

    assert User.objects.get().phone == "0912345678"


@pytest.mark.parametrize("typed", PHONE_FORMS[1:])
def test_every_phone_form_finds_the_existing_account(client, unit, typed):
    UserFactory(phone="0912345678")
    tried(typed)

    response = client.post(REGISTER, registration(client, unit, phone=typed))

    assert field_error_codes(response, "phone") == {"taken"}
    assert User.objects.count() == 1


FOREIGN_PHONE_FORMS = [
    "+12025550123",
    "+1 202 555 0123",
    "+1 (202) 555-0123",
    "+1.202.555.0123",
    "001 202 555 0123",
    "＋１２０２５５５０１２３",
    "\u200b+1 202\u00a0555 0123",
]


@pytest.mark.parametrize("typed", FOREIGN_PHONE_FORMS)
def test_every_foreign_phone_form_is_one_e164_number(client, unit, typed):
    tried(typed)

    client.post(REGISTER, registration(client, unit, phone=typed))

    assert User.objects.get().phone == "+12025550123"


# --- profile -------------------------------------------------------------------------


def profile_data(user, **overrides: str) -> dict[str, str]:
    data = {
        "full_name": user.full_name,
        "date_of_birth": user.date_of_birth.strftime("%d/%m/%Y"),
        "gender": user.gender,
        "occupation": user.occupation,
        "unit": str(user.unit_id),
        "email": "",
        "citizen_id": "",
    }
    data.update(overrides)
    return data


PROFILE_REFUSED = [p for p in REFUSED if p.values[0] != "phone"]


@pytest.mark.parametrize(("field", "value", "code", "message"), PROFILE_REFUSED)
def test_profile_refuses_in_vietnamese_and_changes_nothing(
    client, field, value, code, message
):
    user = UserFactory(full_name="Phạm Minh Đức")
    client.force_login(user)
    before = snapshot()
    tried(value)

    response = client.post(PROFILE, profile_data(user, **{field: value}))

    assert response.status_code == 200
    assert code in field_error_codes(response, field)
    assert message in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("typed", "stored"), STORED_NAMES)
def test_profile_stores_the_cleaned_nfc_name(client, typed, stored):
    user = UserFactory(full_name="Phạm Minh Đức")
    client.force_login(user)
    tried(typed)

    client.post(PROFILE, profile_data(user, full_name=typed))

    user.refresh_from_db()
    assert user.full_name == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("citizen_id", "００１３０００１２３４５"),
        ("citizen_id", "001 300 012 345"),
        ("email", "  NGOC.ANH@Example.COM "),
    ],
    ids=["cccd-full-width", "cccd-spaced", "email-case"],
)
def test_profile_normalises_ids_and_email(client, field, value):
    user = UserFactory()
    client.force_login(user)
    tried(value)

    client.post(PROFILE, profile_data(user, **{field: value}))

    user.refresh_from_db()
    assert getattr(user, field) in {"001300012345", "ngoc.anh@example.com"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gender", "robot"),
        ("gender", ["robot", "x"]),
        ("occupation", "x" * 10_000),
        ("unit", "abc"),
        ("unit", "1e3"),
        ("unit", "-1"),
        ("unit", "0"),
        ("unit", str(2**31)),
        ("unit", str(2**63)),
        ("unit", "9" * 40),
        ("email", "a@b"),
        ("email", "<script>@x.vn"),
        ("citizen_id", "12345678901x"),
    ],
)
def test_profile_choice_and_id_fields_refuse_garbage(client, field, value):
    user = UserFactory()
    client.force_login(user)
    before = snapshot()
    tried(value)

    response = client.post(PROFILE, profile_data(user, **{field: value}))

    assert response.status_code == 200
    assert field_error_codes(response, field)
    assert snapshot() == before


# --- login ---------------------------------------------------------------------------

LOGIN_REFUSED = [
    pytest.param("", PASSWORD, id="empty"),
    pytest.param("   ", PASSWORD, id="spaces"),
    pytest.param("0912345678", "", id="empty-password"),
    pytest.param("0912\x00345678", PASSWORD, id="nul-username"),
    pytest.param("0912345678", "Thi-sinh\x00-2024!", id="nul-password"),
    pytest.param(MEGABYTE, PASSWORD, id="1mb-username"),
    pytest.param("0912345678", MEGABYTE, id="1mb-password"),
    pytest.param("A" * 10_000, PASSWORD, id="10k-username"),
    pytest.param("😀😀😀", PASSWORD, id="emoji"),
    pytest.param("' OR 1=1 --", PASSWORD, id="sql"),
    pytest.param("0912345678", "' OR '1'='1", id="sql-password"),
    pytest.param("<script>alert(1)</script>", PASSWORD, id="html"),
    pytest.param("０９１２３４５６７８\u200b", "wrong", id="wrong-password"),
]


@pytest.mark.parametrize(("username", "password"), LOGIN_REFUSED)
def test_login_refuses_bad_input_without_error_or_session(client, username, password):
    UserFactory(phone="0912345678", password=PASSWORD)
    tried(username, password)

    response = client.post(LOGIN, {"username": username, "password": password})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert "Internal" not in response.content.decode()


@pytest.mark.parametrize(
    "username",
    ["０９１２３４５６７８", "+84 912 345 678", "\u200b0912345678", "0912.345.678"],
)
def test_login_accepts_any_form_of_the_phone(client, username):
    user = UserFactory(phone="0912345678", password=PASSWORD)
    tried(username)

    client.post(LOGIN, {"username": username, "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_repeated_keys_take_the_last_value_like_any_form(client):
    user = UserFactory(gender=User.Gender.MALE)
    client.force_login(user)
    tried(["male", "female"])

    response = client.post(PROFILE, profile_data(user, gender=["male", "female"]))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.gender == User.Gender.FEMALE
