"""Login lockout (django-axes): 5 failures per account and address lock for 15 minutes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import account_key, login_identifier
from accounts.services import user_issue_one_time_password
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "MatKhau@2024"
WRONG = "Sai-mat-khau-1"
SITE_LOGIN = reverse("accounts:login")
ADMIN_LOGIN = "/quan-tri/login/"
LOCKOUT_TEXT = "tạm bị khóa trong 15 phút"
OFFICE = "203.0.113.10"


@pytest.fixture
def user():
    return UserFactory(phone="0912345678", citizen_id="001090012345", is_staff=True)


def log_in(client, url: str, username: str, password: str, address: str = OFFICE):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, url: str, username: str, times: int, address: str = OFFICE):
    return [log_in(client, url, username, WRONG, address) for _ in range(times)]


@pytest.mark.parametrize("url", [SITE_LOGIN, ADMIN_LOGIN], ids=["site", "admin"])
def test_fifth_failure_locks_out_with_a_vietnamese_page(client, user, url):
    responses = fail(client, url, "0912345678", 5)

    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    assert LOCKOUT_TEXT in responses[4].content.decode()
    assert AccessAttempt.objects.get().failures_since_start == 5


@pytest.mark.parametrize("url", [SITE_LOGIN, ADMIN_LOGIN], ids=["site", "admin"])
def test_locked_out_pair_is_refused_even_with_the_right_password(client, user, url):
    fail(client, url, "0912345678", 5)

    response = log_in(client, url, "0912345678", PASSWORD)

    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert not logged_in(client)


def test_four_failures_do_not_lock(client, user):
    fail(client, SITE_LOGIN, "0912345678", 4)

    response = log_in(client, SITE_LOGIN, "0912345678", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_one_time_password_login_is_locked_out_too(client, user):
    one_time = user_issue_one_time_password(user=user)
    fail(client, SITE_LOGIN, "0912345678", 5)

    response = log_in(client, SITE_LOGIN, "0912345678", one_time)

    assert response.status_code == 429
    assert not logged_in(client)


@pytest.mark.parametrize(
    "spellings",
    [
        [
            "0912345678",
            "+84912345678",
            "84912345678",
            "0912 345 678",
            "(+84) 912-345-678",
        ],
        [
            "001090012345",
            "0912345678",
            "001 090 012 345",
            "+84 912 345 678",
            "84912345678",
        ],
    ],
    ids=["phone-forms", "citizen-id-and-phone"],
)
def test_every_spelling_of_one_account_counts_together(client, user, spellings):
    responses = [log_in(client, SITE_LOGIN, name, WRONG) for name in spellings]

    assert responses[-1].status_code == 429
    assert log_in(client, SITE_LOGIN, "0912345678", PASSWORD).status_code == 429
    assert not logged_in(client)


def test_another_address_is_not_locked_out(client, user):
    fail(client, SITE_LOGIN, "0912345678", 5, address=OFFICE)

    response = log_in(client, SITE_LOGIN, "0912345678", PASSWORD, "198.51.100.7")

    assert response.status_code == 302
    assert logged_in(client)


def test_a_colleague_behind_the_same_address_is_not_locked_out(client, user):
    colleague = UserFactory(phone="0987654321")
    fail(client, SITE_LOGIN, "0912345678", 5)

    response = log_in(client, SITE_LOGIN, colleague.phone, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_lockout_ends_after_fifteen_minutes(client, user):
    fail(client, SITE_LOGIN, "0912345678", 5)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(minutes=15, seconds=5)
    )

    response = log_in(client, SITE_LOGIN, "0912345678", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_lockout_still_holds_before_fifteen_minutes(client, user):
    fail(client, SITE_LOGIN, "0912345678", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))

    response = log_in(client, SITE_LOGIN, "0912345678", PASSWORD)

    assert response.status_code == 429


def test_forged_forwarded_for_does_not_escape_the_lockout(client, user):
    for n in range(5):
        client.post(
            SITE_LOGIN,
            {"username": "0912345678", "password": WRONG},
            REMOTE_ADDR=OFFICE,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )

    response = log_in(client, SITE_LOGIN, "0912345678", PASSWORD)

    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == OFFICE


def test_unknown_account_and_wrong_password_get_the_same_message(client, user):
    wrong_password = log_in(client, SITE_LOGIN, "0912345678", WRONG)
    unknown = log_in(client, SITE_LOGIN, "0999999999", WRONG)

    assert wrong_password.status_code == unknown.status_code == 200
    assert (
        wrong_password.context["form"].non_field_errors()
        == unknown.context["form"].non_field_errors()
        == ["Số điện thoại/CCCD hoặc mật khẩu không đúng."]
    )


def test_unknown_account_is_locked_out_the_same_way(client, user):
    unknown = fail(client, SITE_LOGIN, "0999999999", 5)[-1]
    known = fail(client, SITE_LOGIN, "0912345678", 5)[-1]

    assert unknown.status_code == known.status_code == 429
    assert unknown.content == known.content


def test_success_clears_earlier_failures(client, user):
    fail(client, SITE_LOGIN, "0912345678", 4)
    log_in(client, SITE_LOGIN, "0912345678", PASSWORD)
    client.post(reverse("accounts:logout"))

    response = fail(client, SITE_LOGIN, "0912345678", 4)[-1]

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("0912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("０９１２３４５６７８", "0912345678"),
        ("001 090 012 345", "001090012345"),
        ("  Admin ", "admin"),
        ("", ""),
    ],
    ids=["spaces", "plus-84", "84", "full-width", "cccd", "text", "empty"],
)
def test_login_identifier_is_normalised(typed, key):
    assert login_identifier(typed) == key


def test_citizen_id_of_an_account_counts_as_its_phone(user):
    assert account_key("001 090 012 345") == "0912345678"
    assert account_key("001090099999") == "001090099999"
