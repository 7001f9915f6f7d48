"""The two POSTs of the sign-in with a provider refuse a request without this
browser's CSRF token (tests/test_csrf.py lists them as covered here): no other site
can start a sign-in with its own provider account in a visitor's browser, nor finish
one with its own answers."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UnitFactory
from tests.oidc_provider.fake import CLIENT_ID, CLIENT_SECRET, run_fake_provider
from tests.oidc_provider.portal import (
    callback_url,
    login_url,
    provider_settings,
)
from tests.websec import csrf_client

pytestmark = pytest.mark.django_db

CSRF_PAGE = "Phiên làm việc đã hết hạn"


@pytest.fixture
def fake(settings):
    with run_fake_provider() as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
            issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        yield provider


@pytest.mark.parametrize("with_token", [False, True], ids=["forged", "control"])
def test_starting_a_sign_in_needs_the_token(fake, with_token):
    client, token = csrf_client()

    response = client.post(
        login_url(), {"csrfmiddlewaretoken": token} if with_token else {}
    )

    if with_token:
        assert response.status_code == 302
        assert response["Location"].startswith(fake.issuer + "/authorize?")
    else:
        assert response.status_code == 403
        assert CSRF_PAGE in response.content.decode()
        assert "socialaccount_states" not in client.session


@pytest.mark.parametrize("with_token", [False, True], ids=["forged", "control"])
def test_answering_the_first_time_questions_needs_the_token(fake, with_token):
    client, token = csrf_client()
    sent = client.post(login_url(), {"csrfmiddlewaretoken": token})
    nonce = dict(
        part.split("=", 1) for part in sent["Location"].split("?", 1)[1].split("&")
    )
    fake.id_token = lambda form: fake.sign(
        fake.claims(nonce=nonce["nonce"], name="Đỗ Thị Mai", birthdate="1994-03-12")
    )
    client.get(callback_url(), {"code": "c", "state": nonce["state"]})
    data = {
        "gender": "female",
        "phone": "0933111222",
        "occupation": "civil_servant",
        "unit": UnitFactory().pk,
        "privacy_consent": "on",
    }
    if with_token:
        data["csrfmiddlewaretoken"] = token

    response = client.post(reverse("socialaccount_signup"), data)

    assert response.status_code == (302 if with_token else 403)
    assert User.objects.filter(phone="0933111222").exists() is with_token
