"""Passwords: at least 8 characters, common ones refused, long ones accepted, never
trimmed, on registration, password change (both forms) and reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import user_issue_one_time_password
from tests.factories import UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

OLD = "MatKhau@2024"
LONG = "Đây là một câu mật khẩu rất dài " * 3  # 96 characters, spaces inside
SPACED = "  Mat khau co dau cach  "

ACCEPTED = [
    pytest.param(LONG, id="96-characters"),
    pytest.param("x" * 64 + "Y7!", id="67-characters"),
    pytest.param(SPACED, id="leading-and-trailing-spaces"),
]
REFUSED = [
    pytest.param("Ab1!xyz", "password_too_short", id="7-characters"),
    pytest.param("password", "password_too_common", id="common"),
    pytest.param("matkhau123", "password_too_common", id="common-vietnamese"),
    pytest.param("1234567890", "password_too_common", id="digits"),
]


def register(client, password: str):
    unit = UnitFactory()
    return client.post(
        reverse("accounts:register"),
        {
            "full_name": "Vi Thị Hạnh",
            "date_of_birth": "02/03/1999",
            "gender": User.Gender.FEMALE,
            "phone": "0912345678",
            "occupation": User.Occupation.STUDENT,
            "unit": str(unit.pk),
            "password1": password,
            "password2": password,
            "privacy_consent": "on",
            **solved_challenge(client),
        },
    )


def change(client, password: str, *, forced: bool = False):
    user = UserFactory(phone="0912345678", email="hanh@example.com")
    old = user_issue_one_time_password(user=user) if forced else OLD
    client.force_login(user)
    data = {"new_password1": password, "new_password2": password}
    if not forced:
        data["old_password"] = old
    return user, client.post(reverse("accounts:password-change"), data)


def reset(client, password: str):
    user = UserFactory(phone="0912345678", email="hanh@example.com")
    client.post(reverse("accounts:password-reset"), {"email": "hanh@example.com"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    response = client.post(
        form_url, {"new_password1": password, "new_password2": password}
    )
    return user, response


def errors(response, field: str) -> set[str]:
    return {e.code for e in response.context["form"].errors.as_data().get(field, [])}


# --- registration ------------------------------------------------------------------


@pytest.mark.parametrize("password", ACCEPTED)
def test_registration_keeps_the_password_exactly(client, password):
    response = register(client, password)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.check_password(password)
    assert password == password.strip() or not user.check_password(password.strip())


@pytest.mark.parametrize(("password", "code"), REFUSED)
def test_registration_refuses_a_weak_password(client, password, code):
    response = register(client, password)

    assert code in errors(response, "password1")
    assert not User.objects.exists()


def test_registration_refuses_a_short_password_in_vietnamese(client):
    response = register(client, "Ab1!xyz")

    assert "Mật khẩu này quá ngắn: cần ít nhất 8 ký tự." in response.content.decode()


# --- change ------------------------------------------------------------------------


@pytest.mark.parametrize("forced", [False, True], ids=["with-old", "after-one-time"])
@pytest.mark.parametrize("password", ACCEPTED)
def test_password_change_keeps_the_password_exactly(client, password, forced):
    user, response = change(client, password, forced=forced)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)
    assert password == password.strip() or not user.check_password(password.strip())


@pytest.mark.parametrize("forced", [False, True], ids=["with-old", "after-one-time"])
@pytest.mark.parametrize(("password", "code"), REFUSED)
def test_password_change_refuses_a_weak_password(client, password, code, forced):
    user, response = change(client, password, forced=forced)

    assert code in errors(response, "new_password2")
    stored = User.objects.get(pk=user.pk)
    assert not stored.check_password(password)


def test_old_password_is_not_trimmed_either(client):
    user = UserFactory(phone="0912345678", password=SPACED)
    client.force_login(user)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": SPACED.strip(),
            "new_password1": LONG,
            "new_password2": LONG,
        },
    )

    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(SPACED)


# --- reset -------------------------------------------------------------------------


@pytest.mark.parametrize("password", ACCEPTED)
def test_reset_keeps_the_password_exactly(client, password):
    user, response = reset(client, password)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)
    assert password == password.strip() or not user.check_password(password.strip())


@pytest.mark.parametrize(("password", "code"), REFUSED)
def test_reset_refuses_a_weak_password(client, password, code):
    user, response = reset(client, password)

    assert code in errors(response, "new_password2")
    user.refresh_from_db()
    assert user.check_password(OLD)


# --- login -------------------------------------------------------------------------


def test_login_uses_the_password_as_typed_with_its_spaces(client):
    UserFactory(phone="0912345678", password=SPACED)

    trimmed = client.post(
        reverse("accounts:login"),
        {"username": "0912345678", "password": SPACED.strip()},
    )
    exact = client.post(
        reverse("accounts:login"), {"username": "0912345678", "password": SPACED}
    )

    assert trimmed.status_code == 200
    assert exact.status_code == 302
