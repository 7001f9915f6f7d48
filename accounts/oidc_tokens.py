"""Verifying an OpenID Connect ID token: the only thing of a provider the portal trusts.

Contract: `verify_id_token` returns the token's claims only when its signature
verifies with a key of the issuer's published key set, under an algorithm the
deployment allows (asymmetric only, taken from the configuration, never from the
token alone), and when iss, aud (and azp), exp, iat and the nonce of this sign-in
all match. Anything else raises `IdTokenError`. allauth checks no nonce and, for a
token fetched from the token endpoint, no signature: hence this module.
"""

import hmac
from collections.abc import Callable, Collection
from typing import Any

import jwt

# Clocks of the portal and the provider may differ by this much.
LEEWAY_SECONDS = 60
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nonce"]


class IdTokenError(Exception):
    """The ID token is not one the portal may trust."""


KeySet = dict[str, Any]
# Returns the issuer's key set; `refresh=True` asks for a fresh copy (key rotation).
KeysFetcher = Callable[[bool], KeySet]


def _find_key(keys: KeySet, kid: str | None, alg: str) -> Any:
    candidates = [
        key
        for key in keys.get("keys", [])
        if isinstance(key, dict)
        and key.get("use", "sig") == "sig"
        and key.get("alg", alg) == alg
        and (kid is None or key.get("kid") == kid)
    ]
    if len(candidates) != 1:
        return None
    try:
        return jwt.PyJWK(candidates[0], algorithm=alg).key
    except jwt.PyJWTError:
        return None


def verify_id_token(
    token: str,
    *,
    issuer: str,
    client_id: str,
    nonce: str | None,
    algorithms: Collection[str],
    keys: KeysFetcher,
) -> dict[str, Any]:
    """The claims of a verified ID token; IdTokenError for anything else."""
    if not nonce:
        raise IdTokenError("no nonce was issued for this sign-in")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise IdTokenError("malformed token") from error
    alg = header.get("alg")
    if alg not in algorithms:
        raise IdTokenError(f"algorithm {alg!r} is not accepted")
    kid = header.get("kid")
    key = _find_key(keys(False), kid, alg)
    if key is None:
        # The provider may have rotated its keys since they were cached.
        key = _find_key(keys(True), kid, alg)
    if key is None:
        raise IdTokenError(f"no key {kid!r} in the issuer's key set")
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS, "verify_signature": True},
        )
    except jwt.PyJWTError as error:
        raise IdTokenError(f"invalid token: {error}") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenError("token issued to another party (azp)")
    if not isinstance(claims["nonce"], str) or not hmac.compare_digest(
        claims["nonce"].encode(), nonce.encode()
    ):
        raise IdTokenError("nonce does not match this sign-in")
    return claims
