"""A stand-in SMS gateway on loopback: an HTTP server that takes what the portal's
HTTP adapter (accounts.sms.HttpBackend) posts, as a provider's API would, and keeps
the messages for the test to read, like a phone would."""

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TOKEN = "stand-in-token"


@dataclass
class Gateway:
    url: str
    messages: list[dict] = field(default_factory=list)
    # The status the gateway answers with; 200 unless a test makes it fail.
    status: int = 200
    refused: int = 0

    def to(self, phone: str) -> list[str]:
        return [m["text"] for m in self.messages if m["to"] == phone]

    def last_code(self, phone: str) -> str:
        texts = self.to(phone)
        assert texts, f"no SMS reached {phone}"
        found = re.search(r"\b(\d{6})\b", texts[-1])
        assert found, texts[-1]
        return found[1]


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            authorized = self.headers.get("Authorization") == f"Bearer {TOKEN}"
            if not authorized or gateway.status != 200:
                gateway.refused += 1
                self.send_response(401 if not authorized else gateway.status)
                self.end_headers()
                return
            message = json.loads(body)
            gateway.messages.append(message)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "accepted"}')

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def sms_gateway(settings) -> Iterator[Gateway]:
    """The stand-in gateway, started on a free loopback port, and the portal's
    settings pointing its HTTP adapter at it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    gateway = Gateway(url=f"http://127.0.0.1:{server.server_port}/sms/send")
    server.RequestHandlerClass = _handler(gateway)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.SMS_BACKEND = "accounts.sms.HttpBackend"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = TOKEN
    settings.SMS_HTTP_SENDER = "CUOCTHI"
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
