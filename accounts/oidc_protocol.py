"""The OpenID Connect protocol on top of django-allauth's `openid_connect` provider.

allauth does the authorization-code flow, the state (one use, bound to the browser's
session, ten minutes) and PKCE (S256, required by our settings). What it leaves out,
added here: a nonce sent with each sign-in and checked in the ID token, the ID
token's signature always verified (allauth skips it for a token from the token
endpoint), only the ID token read (never the unsigned userinfo answer), the
provider's discovery document and keys cached, and the scope and parameters of the
request taken from the settings only, never from the query string.
"""

import hashlib
import secrets
from typing import Any

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin, SocialToken
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2CallbackView,
    OAuth2LoginView,
)
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider,
)
from allauth.socialaccount.providers.openid_connect.views import (
    OpenIDConnectOAuth2Adapter,
)
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from requests import RequestException

from accounts.oidc_config import SAFE_ALGORITHMS
from accounts.oidc_tokens import IdTokenError, KeySet, verify_id_token
from contest_portal.ratelimit import ratelimit

DISCOVERY_SECONDS = 3600
KEYS_SECONDS = 3600
# A token naming an unknown key refetches the key set at most this often.
KEYS_REFRESH_SECONDS = 60
NONCE_STATE_KEY = "oidc_nonce"
CLAIMS_STATE_KEY = "oidc_claims"
PROTOCOL_CLAIMS = ("iss", "sub", "aud", "azp", "iat", "exp", "auth_time", "acr")


def _cache_key(kind: str, url: str) -> str:
    return f"oidc:{kind}:" + hashlib.sha256(url.encode()).hexdigest()


def _fetch_json(url: str) -> dict[str, Any]:
    with get_adapter().get_requests_session() as session:
        response = session.get(url)
        response.raise_for_status()
        data = response.json()
    if not isinstance(data, dict):
        raise OAuth2Error(f"{url} did not answer a JSON object")
    return data


class PortalOIDCAdapter(OpenIDConnectOAuth2Adapter):
    # Set by PortalCallbackView from the stashed state of this sign-in.
    expected_nonce: str | None = None
    sign_in_state: dict[str, Any] | None = None

    @property
    def openid_config(self) -> dict[str, Any]:
        if not hasattr(self, "_openid_config"):
            provider = self.get_provider()
            url = provider.server_url
            key = _cache_key("discovery", url)
            config = cache.get(key)
            if config is None:
                config = _fetch_json(url)
                issuer = provider.app.settings["server_url"].rstrip("/")
                if str(config.get("issuer", "")).rstrip("/") != issuer:
                    raise OAuth2Error("discovery document names another issuer")
                cache.set(key, config, DISCOVERY_SECONDS)
            self._openid_config = config
        return self._openid_config

    def _keys(self, refresh: bool) -> KeySet:
        url = self.openid_config["jwks_uri"]
        key = _cache_key("jwks", url)
        keys = cache.get(key)
        if keys is None or (
            refresh
            and cache.add(_cache_key("jwks-refresh", url), 1, KEYS_REFRESH_SECONDS)
        ):
            keys = _fetch_json(url)
            cache.set(key, keys, KEYS_SECONDS)
        return keys

    def complete_login(
        self, request: HttpRequest, app: SocialApp, token: SocialToken, **kwargs: Any
    ) -> SocialLogin:
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("the token endpoint returned no ID token")
        allowed = set(app.settings.get("algorithms") or ["RS256"]) & SAFE_ALGORITHMS
        try:
            claims = verify_id_token(
                id_token,
                issuer=self.openid_config["issuer"],
                client_id=app.client_id,
                nonce=self.expected_nonce,
                algorithms=allowed,
                keys=self._keys,
            )
        except IdTokenError as error:
            raise OAuth2Error(f"ID token refused: {error}") from error
        # The person's claims travel with this sign-in only (its state, kept in the
        # session until the first-time questions are answered); the stored link
        # keeps the protocol claims, so no copy of a phone or CCCD outlives the
        # account's own (and its anonymisation).
        if self.sign_in_state is not None:
            self.sign_in_state[CLAIMS_STATE_KEY] = claims
        kept = {name: claims[name] for name in PROTOCOL_CLAIMS if name in claims}
        return self.get_provider().sociallogin_from_response(
            request, {"id_token": kept}
        )


class PortalOIDCProvider(OpenIDConnectProvider):
    oauth2_adapter_class = PortalOIDCAdapter

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        # Connecting a second provider to a signed-in account is not offered, and
        # the query string may not change the scope or the request's parameters.
        kwargs.pop("auth_params", None)
        kwargs.pop("scope", None)
        nonce = secrets.token_urlsafe(32)
        auth_params = {**self.get_auth_params(), "nonce": nonce}
        return super().redirect(
            request,
            AuthProcess.LOGIN,
            next_url,
            data,
            auth_params=auth_params,
            scope=self.get_scope(),
            **{NONCE_STATE_KEY: nonce},
            **kwargs,
        )


class PortalCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider: Any) -> tuple[Any, Any]:
        state, response = super()._get_state(request, provider)
        self.adapter.expected_nonce = (state or {}).get(NONCE_STATE_KEY)
        self.adapter.sign_in_state = state
        return state, response


@require_http_methods(["GET", "POST"])
@ratelimit("login")
def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Start a sign-in: a POST from the login page's button, CSRF-checked, so no
    other site can sign a visitor in with its own provider account. A GET (a link
    opened directly) goes to the login page, which has the button."""
    if request.method == "GET":
        query = request.GET.urlencode()
        target = reverse("accounts:login")
        return redirect(f"{target}?{query}" if query else target)
    try:
        view = OAuth2LoginView.adapter_view(PortalOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
    except (OAuth2Error, RequestException):
        # The provider's discovery document cannot be had: it is down, or it
        # names another issuer.
        messages.error(
            request,
            _(
                "Hệ thống đăng nhập %(provider)s đang không phản hồi. Vui lòng thử lại sau."
            )
            % {"provider": provider_id},
        )
        return redirect("accounts:login")


@require_GET
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Where the provider sends the browser back with a code and the state."""
    try:
        view = PortalCallbackView.adapter_view(PortalOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
