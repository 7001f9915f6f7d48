"""A provider the test controls, for the attacks a real one never makes: its token
endpoint answers whatever ID token the test forged. Discovery, keys and token
endpoint only (the browser never reaches it: tests post to the portal's callback)."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "contest-portal"
CLIENT_SECRET = "fake-secret"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


@dataclass
class FakeProvider:
    issuer: str
    key: rsa.RSAPrivateKey
    kid: str = "key-1"
    # Given the token request's form, returns the ID token to answer.
    id_token: Callable[[dict[str, str]], str] | None = None
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "fake-subject-1",
            "iat": now,
            "exp": now + 300,
            **overrides,
        }

    def sign(
        self, claims: dict[str, Any], *, key: Any = None, kid: str | None = None
    ) -> str:
        return jwt.encode(
            claims,
            key or self.key,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )


@contextmanager
def run_fake_provider() -> Iterator[FakeProvider]:
    holder: dict[str, FakeProvider] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return None

        def _json(self, data: dict[str, Any]) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            provider = holder["provider"]
            if self.path.endswith("/.well-known/openid-configuration"):
                self._json(
                    {
                        "issuer": provider.issuer,
                        "authorization_endpoint": provider.issuer + "/authorize",
                        "token_endpoint": provider.issuer + "/token",
                        "userinfo_endpoint": provider.issuer + "/userinfo",
                        "jwks_uri": provider.issuer + "/jwks",
                        "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    }
                )
            elif self.path == "/jwks":
                self._json({"keys": [public_jwk(provider.key, provider.kid)]})
            elif self.path == "/userinfo":
                # Never trusted by the portal: says something else on purpose.
                self._json({"sub": "fake-subject-1", "phone_number": "+84900000000"})
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            provider = holder["provider"]
            length = int(self.headers.get("Content-Length", 0))
            form = {
                k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()
            }
            provider.token_requests.append(form)
            if self.path != "/token" or provider.id_token is None:
                self.send_error(400)
                return
            self._json(
                {
                    "access_token": "fake-access-token",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(form),
                }
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["provider"] = FakeProvider(
        issuer=f"http://127.0.0.1:{server.server_address[1]}", key=new_key()
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["provider"]
    finally:
        server.shutdown()
        server.server_close()
