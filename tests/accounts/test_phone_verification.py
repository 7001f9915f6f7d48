"""Phone verification and password reset by SMS, end to end: the contestant's and
the organizer's requests through the whole stack, the codes through the real HTTP
adapter to the stand-in gateway on loopback (tests/sms_gateway.py), read back from
the messages it received as a phone would show them."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from accounts.models import User
from rounds.models import Attempt, Contest
from tests.factories import ContestFactory, UnitFactory, UserFactory, solved_challenge
from tests.plans.organizer import admin_change, admin_errors, admin_form_data, organizer

pytestmark = pytest.mark.django_db

PASSWORD = "Thi-sinh-2024!"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
NEW_PASSWORD = "Mat-khau-moi-2026"


@pytest.fixture
def verified_contest(round_):
    contest = round_.contest
    contest.require_phone_verification = True
    contest.save()
    return contest


def register(client, contest: Contest, phone: str = "0912 345 678"):
    url = reverse("rounds:contest-register", kwargs={"slug": contest.slug})
    return client.post(
        url,
        {
            "full_name": "Trần Thị Ngọc Ánh",
            "date_of_birth": "03/11/2000",
            "gender": User.Gender.FEMALE,
            "phone": phone,
            "occupation": User.Occupation.CIVIL_SERVANT,
            "unit": str(UnitFactory().pk),
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
            **solved_challenge(client, url),
        },
    )


def start(client, contest: Contest):
    round_ = contest.rounds.get()
    return client.post(reverse("rounds:attempt-start", args=[round_.pk]))


def contest_url(contest: Contest) -> str:
    return reverse("rounds:contest-detail", kwargs={"slug": contest.slug})


def verify_url(contest: Contest) -> str:
    return f"{reverse('accounts:phone-verify')}?next={contest_url(contest)}"


# --- a contest that asks for a verified phone ----------------------------------------


def test_registration_leads_to_verification_then_the_attempt(
    client, sms_gateway, verified_contest
):
    response = register(client, verified_contest)
    assertRedirects(
        response, verify_url(verified_contest), fetch_redirect_response=False
    )
    assertContains(client.get(response.url), "0912345678")

    sent = client.post(
        response.url, {"send": "1", "next": contest_url(verified_contest)}
    )
    assertRedirects(sent, verify_url(verified_contest), fetch_redirect_response=False)
    assert "Đã gửi mã xác thực" in client.get(sent.url).content.decode()
    code = sms_gateway.last_code("+84912345678")
    verified = client.post(
        reverse("accounts:phone-verify"),
        {"code": f"{code[:3]} {code[3:]}", "next": contest_url(verified_contest)},
    )

    assertRedirects(
        verified, contest_url(verified_contest), fetch_redirect_response=False
    )
    assert User.objects.get().phone_verified_at is not None
    started = start(client, verified_contest)
    attempt = Attempt.objects.get()
    assertRedirects(
        started,
        reverse("rounds:attempt", kwargs={"public_id": attempt.public_id}),
        fetch_redirect_response=False,
    )


def test_an_unverified_contestant_cannot_start_and_is_sent_to_verify(
    client, sms_gateway, verified_contest
):
    client.force_login(UserFactory())

    page = client.get(contest_url(verified_contest))
    response = start(client, verified_contest)

    assertContains(page, "yêu cầu xác thực số điện thoại")
    assertRedirects(
        response, verify_url(verified_contest), fetch_redirect_response=False
    )
    assert not Attempt.objects.exists()
    assertContains(client.get(response.url), "Gửi mã")


def test_a_wrong_code_is_said_in_words_and_verifies_nothing(
    client, sms_gateway, verified_contest
):
    user = UserFactory(phone="0912345678")
    client.force_login(user)
    client.post(reverse("accounts:phone-verify"), {"send": "1"})
    code = sms_gateway.last_code("+84912345678")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = client.post(reverse("accounts:phone-verify"), {"code": wrong})

    assert response.status_code == 200
    assertContains(response, "Mã xác thực không đúng. Bạn còn 4 lần nhập.")
    user.refresh_from_db()
    assert user.phone_verified_at is None


@pytest.mark.parametrize(
    "code",
    ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "x" * 500],
    ids=["empty", "short", "long", "letters", "arabic-digits", "huge"],
)
def test_a_malformed_code_is_refused_before_any_check(
    client, sms_gateway, verified_contest, code
):
    user = UserFactory(phone="0912345678")
    client.force_login(user)
    client.post(reverse("accounts:phone-verify"), {"send": "1"})

    response = client.post(reverse("accounts:phone-verify"), {"code": code})

    assert response.status_code == 200
    assert response.context["form"].errors
    user.refresh_from_db()
    assert user.phone_verified_at is None


def test_asking_again_within_the_minute_is_refused_in_words(client, sms_gateway):
    client.force_login(UserFactory(phone="0912345678"))
    client.post(reverse("accounts:phone-verify"), {"send": "1"})

    response = client.post(reverse("accounts:phone-verify"), {"send": "1"})

    assert response.status_code == 302
    assertContains(client.get(response.url), "rồi yêu cầu mã mới")
    assert len(sms_gateway.messages) == 1


def test_a_contest_without_the_setting_asks_nothing(client, sms_gateway, round_):
    client.force_login(UserFactory())

    start(client, round_.contest)

    assert Attempt.objects.count() == 1
    assert sms_gateway.messages == []


# --- the organizer turns it on ------------------------------------------------------


def test_an_organizer_turns_verification_on_in_the_admin(sms_gateway):
    contest = ContestFactory()

    stored = admin_change(organizer(), contest, {"require_phone_verification": True})

    assert stored.require_phone_verification


def test_verification_cannot_be_turned_on_without_an_sms_gateway(settings):
    settings.SMS_BACKEND = ""
    contest = ContestFactory()
    client = organizer()
    url = reverse("admin:rounds_contest_change", args=[contest.pk])

    response = client.post(
        url, admin_form_data(client, url, {"require_phone_verification": True})
    )

    assert response.status_code == 200
    assert "chưa cấu hình cổng gửi SMS" in str(admin_errors(response))
    contest.refresh_from_db()
    assert not contest.require_phone_verification


# --- a new password by SMS ----------------------------------------------------------


def test_forgotten_password_offers_sms_when_a_gateway_is_set(client, sms_gateway):
    response = client.get(reverse("accounts:password-forgotten"))

    assertContains(response, reverse("accounts:password-reset-sms"))
    assertContains(response, reverse("accounts:password-reset"))


def test_a_contestant_without_email_sets_a_new_password_by_sms(client, sms_gateway):
    user = UserFactory(phone="0912345678", email=None)
    client.force_login(user)
    elsewhere = client.session.session_key
    client.logout()

    asked = client.post(
        reverse("accounts:password-reset-sms"), {"phone": "+84 912 345 678"}
    )
    assertRedirects(
        asked,
        reverse("accounts:password-reset-sms-confirm"),
        fetch_redirect_response=False,
    )
    code = sms_gateway.last_code("+84912345678")
    done = client.post(
        asked.url,
        {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assertRedirects(done, reverse("accounts:login"), fetch_redirect_response=False)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.phone_verified_at is not None
    logged_in = client.post(
        reverse("accounts:login"),
        {"username": "0912345678", "password": NEW_PASSWORD},
    )
    assert logged_in.status_code == 302
    assert client.session.session_key != elsewhere


def test_a_reset_for_an_unknown_number_answers_the_same_and_sends_nothing(
    sms_gateway,
):
    UserFactory(phone="0912345678")

    def ask(phone: str) -> tuple[str, str]:
        client = Client()
        asked = client.post(reverse("accounts:password-reset-sms"), {"phone": phone})
        page = client.get(asked.url).content.decode().replace(phone, "N")
        return asked.url, CSRF_TOKEN.sub("", page)

    assert ask("0912345678") == ask("0987654321")
    assert [m["to"] for m in sms_gateway.messages] == ["+84912345678"]


def test_a_wrong_reset_code_changes_no_password(client, sms_gateway):
    user = UserFactory(phone="0912345678")
    client.post(reverse("accounts:password-reset-sms"), {"phone": "0912345678"})
    code = sms_gateway.last_code("+84912345678")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = client.post(
        reverse("accounts:password-reset-sms-confirm"),
        {"code": wrong, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assertContains(response, "Mã xác thực không đúng")
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_the_reset_pages_without_a_gateway_lead_to_the_other_ways(client, settings):
    settings.SMS_BACKEND = ""

    response = client.get(reverse("accounts:password-reset-sms"))

    assertRedirects(
        response,
        reverse("accounts:password-forgotten"),
        fetch_redirect_response=False,
    )
