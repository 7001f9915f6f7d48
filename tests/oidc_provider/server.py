"""Start the stand-in provider as a separate server on a free loopback port."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "contest-portal"
CLIENT_SECRET = "portal-secret-for-tests-only"


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    data_dir: Path

    def set_claims(self, claims: Mapping[str, Mapping[str, Any]]) -> None:
        """username -> claims, read by the provider at each token it issues."""
        (self.data_dir / "claims.json").write_text(json.dumps(claims))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@contextmanager
def run_provider(
    data_dir: Path, *, users: Mapping[str, str], redirect_uris: list[str]
) -> Iterator[Provider]:
    """A provider with these users (username -> password) and one client."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    (data_dir / "key.pem").write_text(rsa_private_key_pem())
    (data_dir / "seed.json").write_text(
        json.dumps(
            {
                "users": dict(users),
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
            }
        )
    )
    provider = Provider(issuer, CLIENT_ID, CLIENT_SECRET, data_dir)
    provider.set_claims({})
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_PROVIDER_DIR": str(data_dir),
        "OIDC_PROVIDER_ISSUER": issuer,
        "PYTHONPATH": str(PROJECT_DIR),
    }
    subprocess.run(
        [sys.executable, "-m", "tests.oidc_provider.seed"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
    )
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "runserver",
            "--noreload",
            f"127.0.0.1:{port}",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = requests.get(
                    f"{issuer}/.well-known/openid-configuration", timeout=2
                )
                if response.ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the provider did not start:\n"
                    + (data_dir / "server.log").read_text()
                )
            time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
