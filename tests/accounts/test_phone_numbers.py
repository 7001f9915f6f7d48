"""Phone numbers from any country, checked against the numbering plans; nationality.

Decisions: a Vietnamese number is stored in national form (mobile 0912345678,
landline 02438251234), any other in E.164 (+12025550123). Digits without "+" are
read as Vietnamese, so a foreign number needs its country code. Valid numbers that
belong to no one person (toll-free, premium rate) are refused.
"""

import phonenumbers
import pytest
from django.db import IntegrityError
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from accounts.countries import NATIONALITY_CHOICES, OTHER, VIETNAM
from accounts.forms import RegistrationForm
from accounts.models import User
from accounts.normalize import fold, normalize_phone
from tests.factories import UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

PASSWORD = "Thi-sinh-2024!"
US_NUMBER = "+12025550123"

ACCEPTED = [
    pytest.param("0912345678", "0912345678", id="vn-mobile"),
    pytest.param("+84 912 345 678", "0912345678", id="vn-mobile-plus-84"),
    pytest.param("84912345678", "0912345678", id="vn-mobile-84"),
    pytest.param("0084 912 345 678", "0912345678", id="vn-mobile-0084"),
    pytest.param("+84 (0) 912 345 678", "0912345678", id="vn-mobile-plus-84-zero"),
    pytest.param("0987.654.321", "0987654321", id="vn-mobile-dots"),
    pytest.param("024 3825 1234", "02438251234", id="vn-landline-hanoi"),
    pytest.param("+84 28 3822 1234", "02838221234", id="vn-landline-hcmc-plus-84"),
    pytest.param("0203 382 5123", "02033825123", id="vn-landline-quang-ninh"),
    pytest.param("+1 202 555 0123", US_NUMBER, id="us"),
    pytest.param("+1 (202) 555-0123", US_NUMBER, id="us-brackets"),
    pytest.param("001 202 555 0123", US_NUMBER, id="us-00-prefix"),
    pytest.param("＋１ ２０２ ５５５ ０１２３", US_NUMBER, id="us-full-width"),
    pytest.param("+1 416 555 0123", "+14165550123", id="canada"),
    pytest.param("+44 20 7946 0958", "+442079460958", id="uk-landline"),
    pytest.param("+44 7911 123456", "+447911123456", id="uk-mobile"),
    pytest.param("+81 90 1234 5678", "+819012345678", id="japan-mobile"),
    pytest.param("+81 3 1234 5678", "+81312345678", id="japan-landline"),
    pytest.param("+86 138 1234 5678", "+8613812345678", id="china"),
    pytest.param("+856 20 5512 3456", "+8562055123456", id="laos"),
    pytest.param("+39 06 1234 5678", "+390612345678", id="italy-leading-zero"),
]

REFUSED = [
    pytest.param("091234567", id="vn-9-digits"),
    pytest.param("09123456789", id="vn-mobile-11-digits"),
    pytest.param("0912 345 67", id="vn-mobile-short"),
    pytest.param("0438251234", id="vn-pre-2017-landline"),
    pytest.param("024 3825 123", id="vn-landline-short"),
    pytest.param("0012345678", id="zero-after-zero"),
    pytest.param("1234567890", id="no-leading-zero"),
    pytest.param("0112345678", id="vn-unused-prefix-01"),
    pytest.param("0612345678", id="vn-unused-prefix-06"),
    pytest.param("1800 1234", id="vn-toll-free"),
    pytest.param("1900 1234", id="vn-premium-rate"),
    pytest.param("+1 912 345 678", id="us-9-digits"),
    pytest.param("+1 202 555 01234", id="us-11-digits"),
    pytest.param("+1 800 555 0123", id="us-toll-free"),
    pytest.param("202 555 0123", id="us-without-country-code"),
    pytest.param("12025550123", id="us-without-plus"),
    pytest.param("+44 20 7946 095", id="uk-short"),
    pytest.param("+81 90 1234 567", id="japan-short"),
    pytest.param("+8512345678", id="unassigned-country-code"),
    pytest.param("+999 123 4567", id="unknown-country-code"),
    pytest.param("0912345678x", id="trailing-letter"),
    pytest.param("+1 202 555 0123 ext. 12", id="extension"),
    pytest.param("1-800-FLOWERS", id="vanity-letters"),
    pytest.param("٠٩١٢٣٤٥٦٧٨", id="arabic-indic-digits"),
    pytest.param("++84912345678", id="double-plus"),
    pytest.param("0912+345678", id="plus-inside"),
]


def registration_data(client, **overrides: str) -> dict[str, str]:
    data = {
        "full_name": "John Smith",
        "date_of_birth": "03/11/2000",
        "gender": User.Gender.MALE,
        "phone": "+1 (202) 555-0123",
        "email": "",
        "citizen_id": "",
        "occupation": User.Occupation.WORKER,
        "unit": str(UnitFactory().pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        **solved_challenge(client),
    }
    data.update(overrides)
    return data


def phone_error_codes(typed: str) -> set[str]:
    form = RegistrationForm(data={"phone": typed})
    form.is_valid()
    return {error.code for error in form.errors.as_data().get("phone", [])}


def log_in(client, username: str):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD}
    )


# --- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED)
def test_valid_numbers_give_their_stored_form(typed, stored):
    result = normalize_phone(typed)

    assert result == stored


@pytest.mark.parametrize("typed", REFUSED)
def test_invalid_numbers_give_none(typed):
    result = normalize_phone(typed)

    assert result is None


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED)
def test_the_registration_form_stores_valid_numbers_normalised(typed, stored):
    form = RegistrationForm(data={"phone": typed})

    form.is_valid()

    assert "phone" not in form.errors
    assert form.cleaned_data["phone"] == stored


@pytest.mark.parametrize("typed", REFUSED)
def test_the_registration_form_refuses_invalid_numbers(typed):
    codes = phone_error_codes(typed)

    assert codes == {"invalid_phone"}


def library_calls_valid(typed: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(typed, "VN"))
    except phonenumbers.NumberParseException:
        return False


@given(st.from_regex(r"(\+|00)?[0-9]{4,15}", fullmatch=True))
def test_random_digits_the_library_calls_invalid_are_refused_by_the_form(typed):
    assume(not library_calls_valid(typed))

    codes = phone_error_codes(typed)

    assert codes == {"invalid_phone"}


def test_the_refusal_says_how_to_write_a_foreign_number():
    form = RegistrationForm(data={"phone": "202 555 0123"})

    form.is_valid()

    assert "mã quốc gia" in form.errors["phone"][0]
    assert "+1 202 555 0123" in form.errors["phone"][0]


def test_the_phone_help_text_asks_for_the_country_code():
    help_text = str(RegistrationForm().fields["phone"].help_text)

    assert "mã quốc gia (+...)" in help_text


# --- the database --------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["0912345678", "02438251234", US_NUMBER, "+6834002", "+123456789012345"],
    ids=["vn-mobile", "vn-landline", "us", "shortest-e164", "longest-e164"],
)
def test_the_database_admits_both_stored_forms(phone):
    UserFactory(phone=phone)

    assert User.objects.filter(phone=phone).exists()


@pytest.mark.parametrize(
    "phone",
    ["912345678", "+84912345678", "+1 2025550123", "+0123456789", "+12345", "0012345"],
    ids=["no-zero", "vn-as-e164", "space", "plus-zero", "e164-too-short", "zero-zero"],
)
def test_the_database_refuses_other_forms(phone):
    with pytest.raises(IntegrityError):
        UserFactory(phone=phone)


@pytest.mark.parametrize("code", ["vn", "V ", "1A"], ids=["lower", "space", "digit"])
def test_the_database_refuses_a_nationality_that_is_not_alpha_2(code):
    with pytest.raises(IntegrityError):
        UserFactory(nationality=code)


# --- registration and login with a foreign number ------------------------------------


def test_registration_with_a_us_number_stores_it_in_e164(client):
    response = client.post(
        reverse("accounts:register"),
        registration_data(
            client,
        ),
    )

    assert response.status_code == 302
    assert User.objects.get().phone == US_NUMBER


def test_the_same_us_number_typed_another_way_is_taken(client):
    UserFactory(phone=US_NUMBER)

    response = client.post(
        reverse("accounts:register"),
        registration_data(client, phone="001 202 555 0123"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["phone"][0].code == "taken"
    assert User.objects.count() == 1


def test_registration_stores_the_chosen_nationality(client):
    client.post(
        reverse("accounts:register"), registration_data(client, nationality="US")
    )

    assert User.objects.get().nationality == "US"


def test_registration_without_a_nationality_records_vietnam(client):
    data = registration_data(client, phone="0912 345 678", full_name="Nguyễn Văn An")

    client.post(reverse("accounts:register"), data)

    assert User.objects.get().nationality == VIETNAM


def test_registration_refuses_a_nationality_not_in_the_list(client):
    response = client.post(
        reverse("accounts:register"), registration_data(client, nationality="XX")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["nationality"]
    assert errors[0].code == "invalid_choice"
    assert "quốc tịch" in errors[0].messages[0]
    assert not User.objects.exists()


def test_the_registration_page_offers_nationality_with_vietnam_selected(client):
    response = client.get(reverse("accounts:register"))

    page = response.content.decode()
    assert '<option value="VN" selected>Việt Nam</option>' in page
    assert '<option value="US">Hoa Kỳ</option>' in page


@pytest.mark.parametrize(
    "username",
    [US_NUMBER, "+1 (202) 555-0123", "001 202 555 0123"],
    ids=["e164", "typed", "00-prefix"],
)
def test_login_with_a_us_number_in_any_form(client, username):
    user = UserFactory(phone=US_NUMBER, password=PASSWORD)

    log_in(client, username)

    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_a_us_number_without_its_country_code_fails(client):
    UserFactory(phone=US_NUMBER, password=PASSWORD)

    response = log_in(client, "202 555 0123")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_with_a_vietnamese_landline(client):
    user = UserFactory(phone="02438251234", password=PASSWORD)

    log_in(client, "+84 24 3825 1234")

    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_old_account_with_a_number_the_plans_refuse_still_logs_in(client):
    # Stored under the old check, which admitted any 0[1-9] and 8 digits.
    user = UserFactory(phone="0438251234", password=PASSWORD)

    log_in(client, "+84 43 825 1234")

    assert client.session["_auth_user_id"] == str(user.pk)


# --- admin ---------------------------------------------------------------------------


def change_user(client, user: User, **overrides: str):
    data = {
        "phone": user.phone,
        "full_name": user.full_name,
        "date_of_birth": user.date_of_birth.isoformat(),
        "gender": user.gender,
        "email": "",
        "citizen_id": "",
        "nationality": user.nationality,
        "occupation": user.occupation,
        "unit": str(user.unit_id),
        "contest_role": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **overrides,
    }
    return client.post(f"/quan-tri/accounts/user/{user.pk}/change/", data)


@pytest.fixture
def organizer_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_records_a_nationality_and_a_foreign_number(organizer_client):
    user = UserFactory(phone="0912345678")

    response = change_user(
        organizer_client, user, phone="+44 20 7946 0958", nationality="GB"
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.phone, user.nationality) == ("+442079460958", "GB")


def test_the_admin_refuses_an_invalid_number(organizer_client):
    user = UserFactory(phone="0912345678")

    response = change_user(organizer_client, user, phone="+1 912 345 678")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["phone"][0].code == (
        "invalid_phone"
    )
    user.refresh_from_db()
    assert user.phone == "0912345678"


def test_the_admin_keeps_an_old_accounts_number_when_editing_something_else(
    organizer_client,
):
    user = UserFactory(phone="0438251234", nationality=VIETNAM)

    response = change_user(organizer_client, user, nationality="LA")

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.phone, user.nationality) == ("0438251234", "LA")


# --- the list of nationalities -------------------------------------------------------


def test_vietnam_comes_first_and_other_last():
    codes = [code for code, _label in NATIONALITY_CHOICES]

    assert codes[0] == VIETNAM
    assert codes[-1] == OTHER
    assert str(NATIONALITY_CHOICES[0][1]) == "Việt Nam"
    assert str(NATIONALITY_CHOICES[-1][1]) == "Khác"


def test_nationality_codes_are_unique_iso_regions():
    codes = [code for code, _label in NATIONALITY_CHOICES[:-1]]

    assert len(codes) == len(set(codes)) >= 60
    assert set(codes) <= phonenumbers.SUPPORTED_REGIONS


def test_countries_after_vietnam_are_in_vietnamese_alphabetical_order():
    names = [str(label) for _code, label in NATIONALITY_CHOICES[1:-1]]

    assert names == sorted(names, key=fold)
