"""The portal's callback at the HTTP level, against a provider the test controls:
only an ID token signed by the issuer's key, for this client and this sign-in's
nonce, brought back with this browser's state, signs anybody in."""

import time

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.middleware import CREDENTIAL_SESSION_KEY, user_credential
from accounts.models import User
from tests.oidc_provider.fake import (
    CLIENT_ID,
    CLIENT_SECRET,
    new_key,
    run_fake_provider,
)
from tests.oidc_provider.portal import callback_url, provider_settings, start_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    with run_fake_provider() as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
            issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        yield provider


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def callback(client: Client, state: str, code: str = "the-code"):
    return client.get(callback_url(), {"code": code, "state": state})


def test_the_sign_in_asks_for_code_pkce_state_nonce_and_configured_scopes(client, fake):
    sent = start_sign_in(client, scope="email", auth_params="nonce=chosen")

    assert sent["response_type"] == "code"
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) >= 43
    assert len(sent["state"]) >= 16
    assert len(sent["nonce"]) >= 32
    assert sent["nonce"] != "chosen"
    assert set(sent["scope"].split()) == {"openid", "profile", "phone"}


def test_a_valid_token_reaches_the_first_time_questions(client, fake):
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(fake.claims(nonce=sent["nonce"]))

    response = callback(client, sent["state"])

    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/oidc/lan-dau/"
    # The code was exchanged with the PKCE verifier and the client's secret.
    (request,) = fake.token_requests
    assert request["code"] == "the-code"
    assert len(request["code_verifier"]) >= 43
    assert request["client_secret"] == CLIENT_SECRET


def test_a_verified_phone_links_the_existing_account(client, fake):
    existing = User.objects.create_user(
        "0912345678", "Mat-khau-2024!", full_name="Nguyễn Thị Hoa"
    )
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(
        fake.claims(
            nonce=sent["nonce"],
            phone_number="+84912345678",
            phone_number_verified=True,
        )
    )

    callback(client, sent["state"])

    assert int(client.session[SESSION_KEY]) == existing.pk
    # Kept by the login, as every login keeps it (accounts.middleware.log_in).
    assert client.session[CREDENTIAL_SESSION_KEY] == user_credential(existing.password)
    assert User.objects.count() == 1
    assert existing.socialaccount_set.get().uid == "fake-subject-1"


def test_an_unverified_phone_links_nothing(client, fake):
    User.objects.create_user("0912345678", "Mat-khau-2024!", full_name="Nguyễn Hoa")
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(
        fake.claims(nonce=sent["nonce"], phone_number="+84912345678")
    )

    response = callback(client, sent["state"])

    assert not signed_in(client)
    assert response["Location"] == "/tai-khoan/oidc/lan-dau/"


def test_an_administrator_is_never_signed_in_by_a_claim(client, fake):
    User.objects.create_user(
        "0912345678", "Mat-khau-2024!", full_name="Quản Trị", is_staff=True
    )
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(
        fake.claims(
            nonce=sent["nonce"],
            phone_number="+84912345678",
            phone_number_verified=True,
        )
    )

    response = callback(client, sent["state"])

    assert not signed_in(client)
    assert response["Location"] == "/tai-khoan/dang-nhap/"


def forged_with_another_key(fake, nonce):
    return fake.sign(fake.claims(nonce=nonce), key=new_key())


def tampered_payload(fake, nonce):
    header, _payload, signature = fake.sign(fake.claims(nonce=nonce)).split(".")
    other = fake.sign(
        fake.claims(
            nonce=nonce, phone_number="+84912345678", phone_number_verified=True
        )
    )
    return ".".join([header, other.split(".")[1], signature])


def unsigned(fake, nonce):
    import jwt

    return jwt.encode(fake.claims(nonce=nonce), None, algorithm="none")


def keyed_with_the_public_key(fake, nonce):
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "kid": fake.kid}).encode())
    payload = b64(json.dumps(fake.claims(nonce=nonce)).encode())
    from cryptography.hazmat.primitives import serialization

    secret = fake.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(mac)}"


def another_nonce(fake, nonce):
    return fake.sign(fake.claims(nonce="not-the-nonce-of-this-sign-in"))


def no_nonce(fake, nonce):
    return fake.sign(fake.claims())


def another_audience(fake, nonce):
    return fake.sign(fake.claims(nonce=nonce, aud="another-client"))


def another_issuer(fake, nonce):
    return fake.sign(fake.claims(nonce=nonce, iss="https://evil.example"))


def expired(fake, nonce):
    past = int(time.time()) - 3600
    return fake.sign(fake.claims(nonce=nonce, iat=past - 300, exp=past))


def shared_audience_without_azp(fake, nonce):
    return fake.sign(fake.claims(nonce=nonce, aud=[CLIENT_ID, "another-client"]))


def unknown_key_id(fake, nonce):
    return fake.sign(fake.claims(nonce=nonce), kid="not-published")


@pytest.mark.parametrize(
    "forge",
    [
        forged_with_another_key,
        tampered_payload,
        unsigned,
        keyed_with_the_public_key,
        another_nonce,
        no_nonce,
        another_audience,
        another_issuer,
        expired,
        shared_audience_without_azp,
        unknown_key_id,
    ],
    ids=lambda forge: forge.__name__,
)
def test_a_forged_or_misdirected_token_signs_nobody_in(client, fake, forge):
    User.objects.create_user("0912345678", "Mat-khau-2024!", full_name="Nguyễn Hoa")
    sent = start_sign_in(client)
    fake.id_token = lambda form: forge(fake, sent["nonce"])

    response = callback(client, sent["state"])

    assert not signed_in(client)
    assert "socialaccount_sociallogin" not in client.session
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/"


@pytest.mark.parametrize(
    "state",
    ["", "a-state-never-issued"],
    ids=["no-state", "unknown-state"],
)
def test_a_callback_without_this_browsers_state_signs_nobody_in(client, fake, state):
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(fake.claims(nonce=sent["nonce"]))

    response = callback(client, state)

    assert not signed_in(client)
    assert fake.token_requests == []
    assert response["Location"] == "/tai-khoan/dang-nhap/"


def test_another_browser_cannot_use_the_state(client, fake):
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(fake.claims(nonce=sent["nonce"]))
    attacker = Client()

    callback(attacker, sent["state"])

    assert not signed_in(attacker)
    assert fake.token_requests == []


def test_a_state_is_used_once(client, fake):
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(fake.claims(nonce=sent["nonce"]))
    callback(client, sent["state"])

    response = callback(client, sent["state"])

    assert len(fake.token_requests) == 1
    assert response["Location"] == "/tai-khoan/dang-nhap/"


def test_the_sign_in_starts_only_with_a_post(client, fake):
    response = client.get("/tai-khoan/oidc/hue-s/login/")

    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/"
    assert fake.token_requests == []


def test_an_unknown_provider_is_not_found(client, fake):
    response = client.post("/tai-khoan/oidc/khong-co/login/")

    assert response.status_code == 404


def test_a_rotated_key_is_fetched_again(client, fake):
    sent = start_sign_in(client)
    fake.id_token = lambda form: fake.sign(fake.claims(nonce=sent["nonce"]))
    callback(client, sent["state"])  # the first key set is now cached
    fake.key, fake.kid = new_key(), "key-2"
    other = Client()
    sent = start_sign_in(other)
    fake.id_token = lambda form: fake.sign(fake.claims(nonce=sent["nonce"]))

    response = callback(other, sent["state"])

    assert response["Location"] == "/tai-khoan/oidc/lan-dau/"


def test_a_provider_that_does_not_answer_sends_back_to_the_login(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
        issuer="http://127.0.0.1:9", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )

    response = client.post("/tai-khoan/oidc/hue-s/login/", follow=True)

    assert response.redirect_chain == [("/tai-khoan/dang-nhap/", 302)]
    assert "không phản hồi" in response.content.decode()
    assert not signed_in(client)


def test_a_discovery_naming_another_issuer_is_refused(client, fake, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
        issuer=fake.issuer + "/realms/other",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )

    response = client.post("/tai-khoan/oidc/hue-s/login/", follow=True)

    assert response.redirect_chain == [("/tai-khoan/dang-nhap/", 302)]
    assert "không phản hồi" in response.content.decode()


def test_the_login_page_may_send_its_form_on_to_the_provider_only(client, fake):
    from tests.test_security_headers import directives

    response = client.get("/tai-khoan/dang-nhap/")

    policy = directives(response["Content-Security-Policy"])
    assert policy["form-action"] == ["'self'", fake.issuer]
    assert 'action="/tai-khoan/oidc/hue-s/login/"' in response.content.decode()
    assert "Đăng nhập bằng Hue-S" in response.content.decode()


def verified_hoa(fake, nonce, sub="fake-subject-1"):
    return fake.sign(
        fake.claims(
            nonce=nonce,
            sub=sub,
            phone_number="+84912345678",
            phone_number_verified=True,
            citizen_id="046190000123",
        )
    )


def test_verified_claims_naming_two_accounts_link_neither(client, fake):
    User.objects.create_user("0912345678", "Mat-khau-2024!", full_name="Nguyễn Hoa")
    User.objects.create_user(
        "0987654321", "Mat-khau-2024!", full_name="Ai Khác", citizen_id="046190000123"
    )
    sent = start_sign_in(client)
    fake.id_token = lambda form: verified_hoa(fake, sent["nonce"])

    response = callback(client, sent["state"])

    assert not signed_in(client)
    assert response["Location"] == "/tai-khoan/dang-nhap/"
    assert not SocialAccount.objects.exists()


def test_an_account_links_one_provider_account_only(client, fake):
    existing = User.objects.create_user(
        "0912345678", "Mat-khau-2024!", full_name="Nguyễn Hoa"
    )
    sent = start_sign_in(client)
    fake.id_token = lambda form: verified_hoa(fake, sent["nonce"])
    callback(client, sent["state"])
    other = Client()
    sent = start_sign_in(other)
    fake.id_token = lambda form: verified_hoa(fake, sent["nonce"], sub="another-sub")

    callback(other, sent["state"])

    assert not signed_in(other)
    assert list(SocialAccount.objects.values_list("user", "uid")) == [
        (existing.pk, "fake-subject-1")
    ]
