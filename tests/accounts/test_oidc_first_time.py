"""After a first sign-in with a provider: the first-time questions ask only what the
provider did not give, under the registration's own rules, and a second sign-in
asks nothing."""

from datetime import date

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import User
from tests.factories import UnitFactory, UserFactory
from tests.oidc_provider.fake import CLIENT_ID, CLIENT_SECRET, run_fake_provider
from tests.oidc_provider.portal import callback_url, provider_settings, start_sign_in

pytestmark = pytest.mark.django_db

FIRST_TIME = "/tai-khoan/oidc/lan-dau/"
HOA = {
    "name": "Nguyễn Thị Hoa",
    "phone_number": "+84912345678",
    "phone_number_verified": True,
    "birthdate": "1990-09-05",
    "citizen_id": "046190000123",
}


@pytest.fixture
def fake(settings):
    with run_fake_provider() as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
            issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        yield provider


def sign_in(client: Client, fake, sub: str = "hoa-sub", **claims):
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(
        fake.claims(nonce=sent["nonce"], sub=sub, **claims)
    )
    return client.get(callback_url(), {"code": "c", "state": sent["state"]})


def answers(unit, **extra):
    return {
        "unit": unit.pk,
        "occupation": "civil_servant",
        "gender": "female",
        "privacy_consent": "on",
        **extra,
    }


def asked(response) -> set[str]:
    return {field.name for field in response.context["form"].asked_fields}


def test_only_what_the_provider_did_not_give_is_asked(client, fake):
    sign_in(client, fake, **HOA)

    response = client.get(FIRST_TIME)

    assert response.status_code == 200
    assert asked(response) == {"gender", "occupation", "unit"}
    assert "Nguyễn Thị Hoa" in response.content.decode()


def test_the_answers_make_the_account_and_sign_it_in(client, fake):
    unit = UnitFactory()
    sign_in(client, fake, **HOA)

    response = client.post(FIRST_TIME, answers(unit))

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.full_name, user.phone, user.citizen_id) == (
        "Nguyễn Thị Hoa",
        "0912345678",
        "046190000123",
    )
    assert user.date_of_birth == date(1990, 9, 5)
    assert user.unit == unit
    assert not user.has_usable_password()
    assert user.privacy_consent_at is not None
    assert SocialAccount.objects.get(user=user).uid == "hoa-sub"
    assert int(client.session[SESSION_KEY]) == user.pk


def test_a_posted_value_cannot_replace_what_the_provider_gave(client, fake):
    unit = UnitFactory()
    sign_in(client, fake, **HOA)

    client.post(FIRST_TIME, answers(unit, phone="0987654321", full_name="Ai Đó"))

    assert User.objects.get().phone == "0912345678"
    assert User.objects.get().full_name == "Nguyễn Thị Hoa"


def test_the_second_sign_in_asks_nothing(client, fake):
    unit = UnitFactory()
    sign_in(client, fake, **HOA)
    client.post(FIRST_TIME, answers(unit))
    client.logout()

    response = sign_in(Client(), fake, **HOA)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert User.objects.count() == 1


def test_without_consent_no_account_is_made(client, fake):
    unit = UnitFactory()
    sign_in(client, fake, **HOA)
    data = answers(unit)
    del data["privacy_consent"]

    response = client.post(FIRST_TIME, data)

    assert response.status_code == 200
    assert response.context["form"].has_error("privacy_consent")
    assert not User.objects.exists()


def test_a_provider_without_phone_or_birth_date_gets_them_asked(client, fake):
    sign_in(client, fake, name="Lò Văn Pó")

    response = client.get(FIRST_TIME)

    assert asked(response) == {
        "date_of_birth",
        "gender",
        "phone",
        "citizen_id",
        "occupation",
        "unit",
    }


@pytest.mark.parametrize(
    ("claims", "field"),
    [
        ({**HOA, "name": "Hoa ★ Nguyễn"}, "full_name"),
        ({**HOA, "birthdate": "2999-01-01"}, "date_of_birth"),
        ({**HOA, "citizen_id": "12345"}, "citizen_id"),
    ],
    ids=["name-with-symbols", "birth-in-the-future", "malformed-citizen-id"],
)
def test_a_value_the_registration_would_refuse_is_asked(client, fake, claims, field):
    sign_in(client, fake, **claims)

    response = client.get(FIRST_TIME)

    assert field in asked(response)


def test_a_registered_unverified_phone_is_asked_again(client, fake):
    UserFactory(phone="0912345678")
    sign_in(client, fake, **{**HOA, "phone_number_verified": False})
    assert "phone" in asked(client.get(FIRST_TIME))

    response = client.post(FIRST_TIME, answers(UnitFactory(), phone="0912345678"))

    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["phone"]] == ["taken"]
    assert User.objects.count() == 1


def test_a_citizen_id_of_another_account_is_not_taken_twice(client, fake, settings):
    UserFactory(citizen_id="046190000123")
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
        issuer=fake.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        citizen_id_verified=False,
    )
    sign_in(client, fake, **{**HOA, "phone_number_verified": False})
    assert "citizen_id" in asked(client.get(FIRST_TIME))

    response = client.post(
        FIRST_TIME,
        answers(UnitFactory(), phone="0912345678", citizen_id="046190000123"),
    )

    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["citizen_id"]] == ["taken"]
    assert User.objects.count() == 1


def test_a_verified_citizen_id_links_the_account(client, fake):
    existing = UserFactory(citizen_id="046190000123")

    sign_in(client, fake, **{**HOA, "phone_number_verified": False})

    assert int(client.session[SESSION_KEY]) == existing.pk
    assert User.objects.count() == 1


def test_a_linked_account_without_a_unit_is_sent_to_its_profile(client, fake):
    User.objects.create_user("0912345678", "Mat-khau-2024!", full_name="Nguyễn Hoa")

    response = sign_in(client, fake, **HOA)

    assert response["Location"] == "/tai-khoan/ca-nhan/"


def test_the_page_without_a_pending_sign_in_goes_to_login(client):
    response = client.get(FIRST_TIME)

    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/tai-khoan/oidc/dang-nhap/", "/tai-khoan/dang-nhap/"),
        ("/tai-khoan/oidc/dang-ky/", "/dang-ky/"),
    ],
    ids=["login", "signup"],
)
def test_allauths_own_pages_lead_to_the_portals(client, path, target):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/tai-khoan/oidc/password/reset/", "/tai-khoan/oidc/email/"],
)
def test_allauths_account_pages_are_not_served(client, path):
    assert client.get(path).status_code == 404


def test_the_stored_link_keeps_no_personal_claim(client, fake):
    sign_in(client, fake, **HOA)
    client.post(FIRST_TIME, answers(UnitFactory()))

    stored = SocialAccount.objects.get().extra_data

    assert set(stored["id_token"]) <= {"iss", "sub", "aud", "iat", "exp"}
    assert "0912345678" not in str(stored)
    assert "046190000123" not in str(stored)
