"""OpenID Connect providers read from the environment (DJANGO_OIDC_PROVIDERS).

Imported by the settings module: no model, no app registry, only the standard
library and ImproperlyConfigured. The value is a JSON list, one object per provider:

    [{"id": "hue-s", "name": "Hue-S",
      "issuer": "https://id.example.gov.vn/realms/citizens",
      "client_id": "contest-portal", "client_secret": "…",
      "scopes": ["openid", "profile", "phone"],
      "claims": {"name": "name", "phone": "phone_number",
                 "phone_verified": "phone_number_verified",
                 "date_of_birth": "birthdate", "citizen_id": "citizen_id",
                 "gender": "gender"},
      "citizen_id_verified": true,
      "algorithms": ["RS256"]}]

"client_secret" may instead come from DJANGO_OIDC_SECRET_<ID> (ID upper-cased,
"-" as "_"), so the JSON itself holds no secret.
"""

import json
import os
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

ALLAUTH_PROVIDER = "openid_connect"
# Asymmetric only: an HMAC "signature" keyed with the client secret, or none at
# all, would let whoever holds (or guesses) the secret write any claim.
SAFE_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
DEFAULT_CLAIMS = {
    "name": "name",
    "phone": "phone_number",
    "phone_verified": "phone_number_verified",
    "date_of_birth": "birthdate",
    "citizen_id": "citizen_id",
    "gender": "gender",
}
DEFAULT_SCOPES = ["openid", "profile", "phone"]
# https; plain http only on loopback (development and the tests).
_ISSUER = re.compile(
    r"^(?:https://[^/\s]+|http://(?:localhost|127\.0\.0\.1)(?::\d+)?)(?:/\S*)?$"
)
_ORIGIN_OF = re.compile(r"^https?://[^/\s?#]+")
_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _secret_from_env(provider_id: str) -> str:
    return os.environ.get(
        "DJANGO_OIDC_SECRET_" + provider_id.upper().replace("-", "_"), ""
    )


def _provider(raw: Mapping[str, Any]) -> dict[str, Any]:
    provider_id = str(raw.get("id", ""))
    if not _PROVIDER_ID.match(provider_id):
        raise ImproperlyConfigured(
            f"DJANGO_OIDC_PROVIDERS: id {provider_id!r} must be lower-case letters, "
            "digits and '-'."
        )
    issuer = str(raw.get("issuer", "")).rstrip("/")
    if not _ISSUER.match(issuer):
        raise ImproperlyConfigured(
            f"DJANGO_OIDC_PROVIDERS[{provider_id}]: issuer must be an https:// URL."
        )
    client_id = str(raw.get("client_id", ""))
    secret = str(raw.get("client_secret", "") or _secret_from_env(provider_id))
    if not client_id:
        raise ImproperlyConfigured(
            f"DJANGO_OIDC_PROVIDERS[{provider_id}]: client_id is required."
        )
    algorithms = list(raw.get("algorithms") or ["RS256"])
    unsafe = set(algorithms) - SAFE_ALGORITHMS
    if unsafe:
        raise ImproperlyConfigured(
            f"DJANGO_OIDC_PROVIDERS[{provider_id}]: algorithms {sorted(unsafe)} are "
            f"not accepted; use {sorted(SAFE_ALGORITHMS)}."
        )
    claims = {**DEFAULT_CLAIMS, **dict(raw.get("claims") or {})}
    unknown = set(claims) - set(DEFAULT_CLAIMS)
    if unknown:
        raise ImproperlyConfigured(
            f"DJANGO_OIDC_PROVIDERS[{provider_id}]: unknown claim keys "
            f"{sorted(unknown)}; known: {sorted(DEFAULT_CLAIMS)}."
        )
    scopes = list(raw.get("scopes") or DEFAULT_SCOPES)
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    settings: dict[str, Any] = {
        "server_url": issuer,
        "scope": scopes,
        # Only the signed ID token is read (accounts.oidc_protocol): never the
        # userinfo answer, which nobody signs.
        "fetch_userinfo": False,
        "oauth_pkce_enabled": True,
        "claims": claims,
        # True only when the deployment knows the provider checked the number
        # against the national register (e.g. VNeID-backed accounts): a match
        # then links an existing portal account.
        "citizen_id_verified": bool(raw.get("citizen_id_verified", False)),
        "algorithms": algorithms,
    }
    if raw.get("token_auth_method"):
        settings["token_auth_method"] = str(raw["token_auth_method"])
    return {
        "provider_id": provider_id,
        "name": str(raw.get("name") or provider_id),
        "client_id": client_id,
        "secret": secret,
        "settings": settings,
    }


def providers_from_json(raw: str) -> list[dict[str, Any]]:
    """allauth APPS entries from the JSON of DJANGO_OIDC_PROVIDERS ("" is none)."""
    if not raw.strip():
        return []
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(
            f"DJANGO_OIDC_PROVIDERS is not valid JSON: {error}"
        ) from error
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list) or not all(isinstance(p, dict) for p in parsed):
        raise ImproperlyConfigured(
            "DJANGO_OIDC_PROVIDERS must be a JSON list of objects."
        )
    apps = [_provider(entry) for entry in parsed]
    ids = [app["provider_id"] for app in apps]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured("DJANGO_OIDC_PROVIDERS: two providers share an id.")
    return apps


def socialaccount_providers(apps: list[dict[str, Any]]) -> dict[str, Any]:
    """The SOCIALACCOUNT_PROVIDERS setting for these apps."""
    return {
        ALLAUTH_PROVIDER: {
            "APPS": apps,
            "OAUTH_PKCE_ENABLED": True,
            # Adds and checks the nonce, verifies every ID token's signature.
            "provider_class": "accounts.oidc_protocol.PortalOIDCProvider",
        }
    }


def provider_origins(providers_setting: Mapping[str, Any]) -> tuple[str, ...]:
    """The origins (scheme://host[:port]) of the configured issuers, where the
    login page's buttons lead: the page's form-action must allow them."""
    apps = providers_setting.get(ALLAUTH_PROVIDER, {}).get("APPS", [])
    origins = []
    for app in apps:
        match = _ORIGIN_OF.match(app.get("settings", {}).get("server_url", ""))
        if match:
            origins.append(match[0])
    return tuple(dict.fromkeys(origins))
