"""Nobody invents accounts cheaply and nothing is learned by asking.

A registration challenge belongs to the browser session that asked for it and is
spent by one use; the more one address registers, the harder its next challenge;
whether a phone, email or CCCD is registered is told only to a solved challenge,
and only a few times per browser or account.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
PROFILE = reverse("accounts:profile")
PASSWORD = "Thi-sinh-2024!"
TAKEN = "đã được đăng ký"
TOO_FAST = "Bạn thao tác quá nhanh"
DIFFICULTY = re.compile(r'data-challenge-difficulty="(\d+)"')


@pytest.fixture
def unit():
    return UnitFactory()


def person(unit, number: int, **overrides: str) -> dict[str, str]:
    return {
        "full_name": "Lê Thị Hoa",
        "date_of_birth": "01/02/1995",
        "gender": User.Gender.FEMALE,
        "phone": f"09120000{number:02d}",
        "occupation": User.Occupation.WORKER,
        "unit": str(unit.pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        **overrides,
    }


def profile_form(me: User, unit, citizen_id: str) -> dict[str, str]:
    return {
        "full_name": me.full_name,
        "date_of_birth": me.date_of_birth.strftime("%d/%m/%Y"),
        "gender": me.gender,
        "occupation": me.occupation,
        "unit": str(unit.pk),
        "email": "",
        "citizen_id": citizen_id,
    }


def page_difficulty(client: Client, address: str) -> int:
    page = client.get(REGISTER, REMOTE_ADDR=address).content.decode()
    return int(DIFFICULTY.search(page).group(1))


def test_a_solution_made_in_another_browser_registers_nobody(unit):
    maker, user = Client(), Client()
    prepared = solved_challenge(maker)
    user.get(REGISTER)  # the user's own session exists, with its own challenge

    response = user.post(REGISTER, {**person(unit, 1), **prepared})

    codes = {e.code for e in response.context["form"].non_field_errors().as_data()}
    assert codes == {"challenge_foreign"}
    assert "không được cấp cho trình duyệt của bạn" in response.content.decode()
    assert not User.objects.exists()


def test_twelve_registrations_from_one_address_pay_more_and_more(unit, settings):
    base = settings.REGISTRATION_CHALLENGE_DIFFICULTY
    ramp = settings.REGISTRATION_CHALLENGE_RAMP
    address, elsewhere = "203.0.113.50", "198.51.100.9"
    seen = []
    for number in range(12):
        browser = Client()
        seen.append(page_difficulty(browser, address))
        fields = solved_challenge(browser, REMOTE_ADDR=address)
        response = browser.post(
            REGISTER, {**person(unit, number), **fields}, REMOTE_ADDR=address
        )
        assert response.status_code == 302

    assert User.objects.count() == 12
    free, per_bit = ramp["free"], ramp["per_bit"]
    assert seen[:free] == [base] * free
    assert seen[free] == base + 1
    assert seen == sorted(seen)
    assert seen[-1] == min(ramp["max"], base + (11 - free) // per_bit + 1)
    # Another address still gets the base difficulty.
    assert page_difficulty(Client(), elsewhere) == base


def test_an_unsolved_challenge_learns_nothing_about_registered_people(client, unit):
    UserFactory(phone="0912000001", email="hoa@example.com", citizen_id="001195000001")

    response = client.post(
        REGISTER,
        person(
            unit,
            1,
            email="hoa@example.com",
            citizen_id="001195000001",
            challenge_token="forged",
            challenge_nonce="1",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert TAKEN not in html
    assert "không hợp lệ" in html
    assert User.objects.count() == 1


def test_a_solved_challenge_is_told_only_a_few_times(client, unit, settings):
    UserFactory(phone="0912000001")
    told_limit = settings.RATE_LIMITS["identity-probe"]["user"][0]
    answers = []
    for _ in range(told_limit + 1):
        fields = solved_challenge(client)
        response = client.post(REGISTER, {**person(unit, 1), **fields})
        answers.append(response.status_code)

    assert answers == [200] * told_limit + [429]
    assert TAKEN not in response.content.decode()
    assert TOO_FAST in response.content.decode()
    assert User.objects.count() == 1


def test_the_profile_cannot_test_citizen_ids_without_limit(client, unit, settings):
    UserFactory(citizen_id="001195000001")
    me = UserFactory(unit=unit)
    client.force_login(me)
    told_limit = settings.RATE_LIMITS["identity-probe"]["user"][0]
    form = profile_form(me, unit, "001195000001")

    statuses = [client.post(PROFILE, form).status_code for _ in range(40)]

    assert statuses[:told_limit] == [200] * told_limit
    assert set(statuses[told_limit:]) == {429}
    me.refresh_from_db()
    assert me.citizen_id != "001195000001"


def test_profile_saves_are_limited_like_registration(client, unit, settings):
    me = UserFactory(unit=unit)
    client.force_login(me)
    limit = settings.RATE_LIMITS["profile"]["user"][0]
    statuses = []
    for number in range(limit + 1):
        form = profile_form(me, unit, f"0011950001{number:02d}")
        statuses.append(client.post(PROFILE, form).status_code)

    assert statuses == [302] * limit + [429]
