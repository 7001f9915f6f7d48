"""DJANGO_OIDC_PROVIDERS: what a deployment writes, and what it may not."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.oidc_config import providers_from_json

HUE_S = {
    "id": "hue-s",
    "name": "Hue-S",
    "issuer": "https://id.example.gov.vn/realms/citizens/",
    "client_id": "contest-portal",
    "client_secret": "s3cret",
}


def test_an_empty_value_configures_no_provider():
    assert providers_from_json("") == []


def test_a_provider_becomes_an_allauth_app_with_pkce_and_signed_claims_only():
    (app,) = providers_from_json(json.dumps([HUE_S]))

    assert app["provider_id"] == "hue-s"
    assert app["name"] == "Hue-S"
    assert app["secret"] == "s3cret"
    assert app["settings"]["server_url"] == "https://id.example.gov.vn/realms/citizens"
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["fetch_userinfo"] is False
    assert app["settings"]["algorithms"] == ["RS256"]
    assert app["settings"]["claims"]["phone"] == "phone_number"
    assert app["settings"]["citizen_id_verified"] is False


def test_the_claim_mapping_and_scopes_are_the_deployments():
    raw = {**HUE_S, "scopes": ["profile"], "claims": {"citizen_id": "cccd"}}

    (app,) = providers_from_json(json.dumps(raw))

    assert app["settings"]["scope"] == ["openid", "profile"]
    assert app["settings"]["claims"]["citizen_id"] == "cccd"
    assert app["settings"]["claims"]["name"] == "name"


def test_the_secret_may_come_from_its_own_variable(monkeypatch):
    monkeypatch.setenv("DJANGO_OIDC_SECRET_HUE_S", "from-env")
    raw = {key: value for key, value in HUE_S.items() if key != "client_secret"}

    (app,) = providers_from_json(json.dumps(raw))

    assert app["secret"] == "from-env"


@pytest.mark.parametrize(
    "change",
    [
        {"algorithms": ["HS256"]},
        {"algorithms": ["none"]},
        {"issuer": "http://id.example.gov.vn"},
        {"issuer": "id.example.gov.vn"},
        {"id": "Hue S"},
        {"client_id": ""},
        {"claims": {"unit": "department"}},
    ],
    ids=[
        "hmac",
        "unsigned",
        "plain-http",
        "no-scheme",
        "bad-id",
        "no-client",
        "unknown-claim",
    ],
)
def test_an_unsafe_or_wrong_provider_stops_the_start(change):
    with pytest.raises(ImproperlyConfigured):
        providers_from_json(json.dumps([{**HUE_S, **change}]))


def test_two_providers_need_two_ids():
    with pytest.raises(ImproperlyConfigured):
        providers_from_json(json.dumps([HUE_S, HUE_S]))


def test_loopback_http_is_allowed_for_development():
    (app,) = providers_from_json(
        json.dumps({**HUE_S, "issuer": "http://127.0.0.1:8001/o"})
    )

    assert app["settings"]["server_url"] == "http://127.0.0.1:8001/o"
