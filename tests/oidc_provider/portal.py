"""The portal's side of the tests: its settings for a provider, and the first
steps of a sign-in through the test client."""

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse

from accounts.oidc_config import providers_from_json, socialaccount_providers

PROVIDER_ID = "hue-s"


def provider_settings(
    *, issuer: str, client_id: str, client_secret: str, **extra: Any
) -> dict[str, Any]:
    """SOCIALACCOUNT_PROVIDERS for one provider, as DJANGO_OIDC_PROVIDERS gives it."""
    entry = {
        "id": PROVIDER_ID,
        "name": "Hue-S",
        "issuer": issuer,
        "client_id": client_id,
        "client_secret": client_secret,
        "scopes": ["openid", "profile", "phone"],
        "citizen_id_verified": True,
        **extra,
    }
    return socialaccount_providers(providers_from_json(json.dumps([entry])))


def login_url() -> str:
    return reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})


def callback_url() -> str:
    return reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})


def start_sign_in(client: Client, **data: str) -> dict[str, str]:
    """Press the login page's button; the parameters sent to the provider."""
    response = client.post(login_url(), data)
    assert response.status_code == 302, response
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
