"""One person, one account: phone, CCCD and email are unique after normalisation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from accounts.services import user_register
from tests.factories import ContestFactory, UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

PASSWORD = "Thi-sinh-2024!"

SAME_PERSON = [
    pytest.param(
        "phone",
        "+84 912 345 678",
        "Số điện thoại này đã được đăng ký",
        id="phone-plus-84-spaced",
    ),
    pytest.param(
        "phone", "84912345678", "Số điện thoại này đã được đăng ký", id="phone-84"
    ),
    pytest.param(
        "phone", "0084912345678", "Số điện thoại này đã được đăng ký", id="phone-0084"
    ),
    pytest.param(
        "phone", "0912.345.678", "Số điện thoại này đã được đăng ký", id="phone-dots"
    ),
    pytest.param(
        "phone",
        "(091) 234-5678",
        "Số điện thoại này đã được đăng ký",
        id="phone-brackets",
    ),
    pytest.param(
        "phone",
        "０９１２ ３４５ ６７８",
        "Số điện thoại này đã được đăng ký",
        id="phone-full-width",
    ),
    pytest.param(
        "email",
        "Ngoc.Anh@Example.COM",
        "Email này đã được đăng ký",
        id="email-capitals",
    ),
    pytest.param(
        "email",
        "  ngoc.anh@example.com ",
        "Email này đã được đăng ký",
        id="email-spaces",
    ),
    pytest.param(
        "email",
        "NGOC.ANH@EXAMPLE.COM\u200b",
        "Email này đã được đăng ký",
        id="email-zero-width",
    ),
    pytest.param(
        "citizen_id", "001 300 012 345", "Số CCCD này đã được đăng ký", id="cccd-spaces"
    ),
    pytest.param(
        "citizen_id", "001-300-012-345", "Số CCCD này đã được đăng ký", id="cccd-dashes"
    ),
    pytest.param(
        "citizen_id",
        "００１３０００１２３４５",
        "Số CCCD này đã được đăng ký",
        id="cccd-full-width",
    ),
    pytest.param(
        "citizen_id", " 001300012345 ", "Số CCCD này đã được đăng ký", id="cccd-padded"
    ),
]

OTHER_PERSON = {
    "phone": "0987654321",
    "email": "someone.else@example.com",
    "citizen_id": "079200099999",
}


@pytest.fixture
def existing():
    return UserFactory(
        phone="0912345678", email="ngoc.anh@example.com", citizen_id="001300012345"
    )


def second_registration(client, unit, field: str, value: str) -> dict[str, str]:
    data = {
        "full_name": "Trần Thị Ngọc Ánh",
        "date_of_birth": "03/11/2000",
        "gender": User.Gender.FEMALE,
        "occupation": User.Occupation.CIVIL_SERVANT,
        "unit": str(unit.pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        **OTHER_PERSON,
        **solved_challenge(client),
    }
    data[field] = value
    return data


@pytest.mark.parametrize("url_name", ["accounts:register", "rounds:contest-register"])
@pytest.mark.parametrize(("field", "value", "message"), SAME_PERSON)
def test_same_person_in_another_form_is_refused(
    client, existing, url_name, field, value, message
):
    kwargs = {"slug": ContestFactory().slug} if url_name.startswith("rounds") else {}

    response = client.post(
        reverse(url_name, kwargs=kwargs),
        second_registration(client, UnitFactory(), field, value),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    codes = {e.code for e in response.context["form"].errors.as_data()[field]}
    assert codes == {"taken"}
    assert list(User.objects.values_list("pk", flat=True)) == [existing.pk]


def test_a_different_person_is_accepted(client, existing):
    response = client.post(
        reverse("accounts:register"),
        second_registration(client, UnitFactory(), "phone", OTHER_PERSON["phone"]),
    )

    assert response.status_code == 302
    assert User.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "+84912345678"),
        ("email", "NGOC.ANH@example.com"),
        ("citizen_id", "001 300 012 345"),
    ],
    ids=["phone", "email", "citizen-id"],
)
def test_the_service_refuses_a_duplicate_the_form_did_not_see(existing, field, value):
    # Two registrations racing past the form's checks: the model's constraints hold.
    data = {
        "phone": "0987654321",
        "password": PASSWORD,
        "full_name": "Trần Thị Ngọc Ánh",
        "date_of_birth": existing.date_of_birth,
        "gender": User.Gender.FEMALE,
        "occupation": User.Occupation.CIVIL_SERVANT,
        "unit": existing.unit,
        "privacy_consent": True,
        field: value,
    }

    with pytest.raises((ValidationError, IntegrityError)):
        user_register(**data)

    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "Ngoc.Anh@EXAMPLE.com", "Email này đã được đăng ký"),
        ("citizen_id", "001 300 012 345", "Số CCCD này đã được đăng ký"),
    ],
    ids=["email", "citizen-id"],
)
def test_profile_cannot_take_another_persons_details(
    client, existing, field, value, message
):
    other = UserFactory(phone="0987654321")
    client.force_login(other)
    data = {
        "full_name": other.full_name,
        "date_of_birth": other.date_of_birth.strftime("%d/%m/%Y"),
        "gender": other.gender,
        "occupation": other.occupation,
        "unit": str(other.unit_id),
        "email": "",
        "citizen_id": "",
        field: value,
    }

    response = client.post(reverse("accounts:profile"), data)

    assert message in response.content.decode()
    other.refresh_from_db()
    assert getattr(other, field) is None
