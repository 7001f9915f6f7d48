"""The SMS pages under malformed input: never a 500, nothing sent, nothing verified,
no password changed."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import PhoneCode
from tests.bad_input import tried
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BAD = [
    "",
    " ",
    "abc",
    "-1",
    "0" * 40,
    "' OR 1=1--",
    "<script>alert(1)</script>",
    "x" * 5000,
    "%00",
    "a\x00b",
    "١٢٣٤٥٦",
    "+84",
    "https://evil.example/",
    "//evil.example",
]
SEND_ONE = "0912345678"


@pytest.mark.parametrize("bad", BAD)
def test_the_reset_request_refuses_a_bad_phone_in_words(client, sms_gateway, bad):
    tried(("password-reset-sms", bad))

    response = client.post(reverse("accounts:password-reset-sms"), {"phone": bad})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not PhoneCode.objects.exists()
    assert sms_gateway.messages == []


@pytest.mark.parametrize("bad", BAD)
def test_the_reset_confirm_survives_any_field(client, sms_gateway, bad):
    user = UserFactory(phone=SEND_ONE)
    client.post(reverse("accounts:password-reset-sms"), {"phone": SEND_ONE})
    tried(("password-reset-sms-confirm", bad))

    response = client.post(
        reverse("accounts:password-reset-sms-confirm"),
        {"code": bad, "new_password1": bad, "new_password2": bad},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("MatKhau@2024")
    assert user.phone_verified_at is None


@pytest.mark.parametrize("bad", BAD)
def test_the_verify_page_survives_any_field(sms_gateway, bad):
    user = UserFactory(phone=SEND_ONE)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    tried(("phone-verify", bad))

    page = client.get(reverse("accounts:phone-verify"), {"next": bad})
    checked = client.post(reverse("accounts:phone-verify"), {"code": bad, "next": bad})
    sent = client.post(reverse("accounts:phone-verify"), {"send": bad, "next": bad})

    # A NUL in the address is refused before any view (contest_portal.bad_input).
    assert page.status_code == (400 if "\x00" in bad else 200)
    assert checked.status_code == 200
    assert sent.status_code == 302
    assert "evil" not in sent["Location"].split("?")[0]
    user.refresh_from_db()
    assert user.phone_verified_at is None
