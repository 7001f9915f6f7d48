import re
import unicodedata
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from accounts.models import Unit, User
from tests.factories import ContestFactory, UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

PASSWORD = "Thi-sinh-2024!"


@pytest.fixture
def unit():
    return UnitFactory()


def registration_data(client, unit: Unit, /, **overrides: str) -> dict[str, str]:
    """A registration form that passes every check unless overridden."""
    data = {
        "full_name": "Trần Thị Ngọc Ánh",
        "date_of_birth": "03/11/2000",
        "gender": User.Gender.FEMALE,
        "phone": "0912 345 678",
        "email": "ngoc.anh@example.com",
        "citizen_id": "001300012345",
        "occupation": User.Occupation.CIVIL_SERVANT,
        "unit": str(unit.pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        **solved_challenge(client),
    }
    data.update(overrides)
    return data


def error_codes(response, field: str) -> set[str]:
    return {error.code for error in response.context["form"].errors.as_data()[field]}


def dd_mm_yyyy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- success ---------------------------------------------------------------------


def test_registration_creates_one_user_with_normalized_fields(client, unit):
    data = registration_data(
        client, unit, full_name=unicodedata.normalize("NFD", "Trần Thị Ngọc Ánh")
    )

    client.post(reverse("accounts:register"), data)

    user = User.objects.get()
    assert user.phone == "0912345678"
    assert user.date_of_birth == date(2000, 11, 3)
    assert user.full_name == "Trần Thị Ngọc Ánh"
    assert unicodedata.is_normalized("NFC", user.full_name)
    assert user.gender == User.Gender.FEMALE
    assert user.email == "ngoc.anh@example.com"
    assert user.citizen_id == "001300012345"
    assert user.unit == unit
    assert user.check_password(PASSWORD)
    assert not user.must_change_password


def test_registration_logs_the_new_user_in(client, unit):
    response = client.post(
        reverse("accounts:register"), registration_data(client, unit)
    )

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_registration_without_email_and_citizen_id_stores_nulls(client, unit):
    data = registration_data(client, unit, email="", citizen_id="")

    client.post(reverse("accounts:register"), data)

    user = User.objects.get()
    assert user.email is None
    assert user.citizen_id is None


def test_registration_page_has_a_unit_picker_grouped_by_district(client):
    province = UnitFactory(name="UBND tỉnh Hà Giang", level=Unit.Level.PROVINCE)
    district = UnitFactory(
        name="UBND huyện Quản Bạ", level=Unit.Level.DISTRICT, parent=province
    )
    UnitFactory(name="UBND xã Tùng Vài", parent=district)

    response = client.get(reverse("accounts:register"))

    html = response.content.decode()
    select = re.search(r"<select[^>]*name=\"unit\"[^>]*>", html)
    assert select is not None
    assert "data-unit-picker" in select.group(0)
    assert '<optgroup label="UBND huyện Quản Bạ">' in html
    assert '<optgroup label="UBND tỉnh Hà Giang">' in html


# --- refusals --------------------------------------------------------------------


def test_same_phone_in_another_form_is_refused(client, unit):
    UserFactory(phone="0912345678")
    data = registration_data(client, unit, phone="+84912345678")

    response = client.post(reverse("accounts:register"), data)

    assertContains(response, "Số điện thoại này đã được đăng ký")
    assert error_codes(response, "phone") == {"taken"}
    assert User.objects.count() == 1


def test_email_differing_only_by_case_is_refused(client, unit):
    UserFactory(email="ngoc.anh@example.com")
    data = registration_data(client, unit, email="Ngoc.Anh@Example.COM")

    response = client.post(reverse("accounts:register"), data)

    assertContains(response, "Email này đã được đăng ký")
    assert error_codes(response, "email") == {"taken"}
    assert User.objects.count() == 1


def test_duplicate_citizen_id_is_refused(client, unit):
    UserFactory(citizen_id="001300012345")
    data = registration_data(client, unit, citizen_id="001 300 012 345")

    response = client.post(reverse("accounts:register"), data)

    assertContains(response, "Số CCCD này đã được đăng ký")
    assert error_codes(response, "citizen_id") == {"taken"}
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code", "message"),
    [
        ("citizen_id", "00130001234", "invalid_citizen_id", "gồm đúng 12 chữ số"),
        ("phone", "1234567890", "invalid_phone", "Số điện thoại không hợp lệ"),
        ("date_of_birth", "31/02/2000", "invalid", "phải có dạng ngày/tháng/năm"),
        ("date_of_birth", "2000/11/03", "invalid", "phải có dạng ngày/tháng/năm"),
        ("date_of_birth", "15/06/1890", "too_old", "Ngày sinh không hợp lệ"),
        ("full_name", " \u200b ", "required", "Vui lòng nhập họ và tên"),
        ("full_name", "12345", "invalid_name", "Họ và tên không hợp lệ"),
        ("unit", "999999", "invalid_choice", "chọn đơn vị trong danh sách"),
        ("unit", "", "required", "Vui lòng kiểm tra lại"),
    ],
    ids=[
        "citizen-id-11-digits",
        "phone-not-vietnamese",
        "date-31-february",
        "date-year-first-with-slashes",
        "date-before-1900",
        "name-only-invisible",
        "name-without-letters",
        "unit-unknown",
        "unit-missing",
    ],
)
def test_invalid_field_is_refused(client, unit, field, value, code, message):
    data = registration_data(client, unit, **{field: value})

    response = client.post(reverse("accounts:register"), data)

    assertContains(response, message)
    assert code in error_codes(response, field)
    assert not User.objects.exists()


def test_future_date_of_birth_is_refused(client, unit):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = registration_data(client, unit, date_of_birth=dd_mm_yyyy(tomorrow))

    response = client.post(reverse("accounts:register"), data)

    assertContains(response, "Ngày sinh không thể ở tương lai")
    assert error_codes(response, "date_of_birth") == {"future"}
    assert not User.objects.exists()


def test_inactive_unit_is_refused(client):
    closed = UnitFactory(is_active=False)

    response = client.post(
        reverse("accounts:register"), registration_data(client, closed)
    )

    assertContains(response, "chọn đơn vị trong danh sách")
    assert not User.objects.exists()


def test_mismatched_passwords_are_refused(client, unit):
    data = registration_data(client, unit, password2="Thi-sinh-2025!")

    response = client.post(reverse("accounts:register"), data)

    assertContains(response, "Hai mật khẩu không khớp")
    assert error_codes(response, "password2") == {"password_mismatch"}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("12345678", "password_too_common"),
        ("Ab1!", "password_too_short"),
        ("83920174650", "password_entirely_numeric"),
        ("ngoc.anh@example", "password_too_similar"),
    ],
    ids=["common", "short", "numeric", "like-email"],
)
def test_weak_password_is_refused(client, unit, password, code):
    data = registration_data(client, unit, password1=password, password2=password)

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 200
    assert code in error_codes(response, "password1")
    assert not User.objects.exists()


def test_password_like_the_phone_is_refused(client, unit):
    # The form hands the validators a probe user with phone and full name, so a
    # password that is the phone number with a letter added must be too similar.
    data = registration_data(
        client, unit, password1="0912345678x", password2="0912345678x"
    )

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 200
    assert "password_too_similar" in error_codes(response, "password1")
    assert not User.objects.exists()


# --- contest registration --------------------------------------------------------


def test_contest_registration_of_an_eligible_person_leads_to_the_contest(client, unit):
    contest = ContestFactory(min_age=14, require_citizen_id=True)
    url = reverse("rounds:contest-register", kwargs={"slug": contest.slug})

    response = client.post(url, registration_data(client, unit))

    assertRedirects(
        response,
        reverse("rounds:contest-detail", kwargs={"slug": contest.slug}),
        fetch_redirect_response=False,
    )
    assert User.objects.get().phone == "0912345678"
    assert "_auth_user_id" in client.session


def test_contest_registration_refuses_someone_under_the_minimum_age(client, unit):
    contest = ContestFactory(min_age=14)
    ten_years_old = date(timezone.localdate().year - 10, 1, 1)
    data = registration_data(client, unit, date_of_birth=dd_mm_yyyy(ten_years_old))

    response = client.post(
        reverse("rounds:contest-register", kwargs={"slug": contest.slug}), data
    )

    assertContains(response, "chưa đủ 14 tuổi")
    assert "date_of_birth" in response.context["form"].errors
    assert not User.objects.exists()


def test_contest_requiring_citizen_id_refuses_registration_without_it(client, unit):
    contest = ContestFactory(require_citizen_id=True)
    data = registration_data(client, unit, citizen_id="")

    response = client.post(
        reverse("rounds:contest-register", kwargs={"slug": contest.slug}), data
    )

    assertContains(response, "Cuộc thi này yêu cầu số CCCD")
    assert error_codes(response, "citizen_id") == {"required"}
    assert not User.objects.exists()


def test_plain_registration_does_not_require_citizen_id(client, unit):
    data = registration_data(client, unit, citizen_id="")

    client.post(reverse("accounts:register"), data)

    assert User.objects.get().citizen_id is None


@pytest.mark.parametrize("sub_unit", [False, True], ids=["unit", "sub-unit"])
def test_contest_refuses_a_person_of_an_excluded_unit(client, sub_unit):
    excluded = UnitFactory(name="Sở Tư pháp", level=Unit.Level.PROVINCIAL_DEPARTMENT)
    contest = ContestFactory()
    contest.excluded_units.add(excluded)
    chosen = UnitFactory(parent=excluded) if sub_unit else excluded

    response = client.post(
        reverse("rounds:contest-register", kwargs={"slug": contest.slug}),
        registration_data(client, chosen),
    )

    assertContains(response, "không thuộc đối tượng dự thi")
    assert "unit" in response.context["form"].errors
    assert not User.objects.exists()


def test_contest_with_excluded_unit_accepts_a_sibling_unit(client):
    parent = UnitFactory(level=Unit.Level.DISTRICT)
    excluded = UnitFactory(parent=parent)
    sibling = UnitFactory(parent=parent)
    contest = ContestFactory()
    contest.excluded_units.add(excluded)

    client.post(
        reverse("rounds:contest-register", kwargs={"slug": contest.slug}),
        registration_data(client, sibling),
    )

    assert User.objects.get().unit == sibling
