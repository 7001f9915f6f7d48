"""Error reports (contest_portal/ops/sentry.py) sent to a real HTTP receiver.

A loopback server stands in for Sentry's ingest endpoint; the portal runs in a
process of its own with SENTRY_DSN pointing at it (sentry-sdk patches Django for
the life of a process, which the test run must not inherit). A view raises while
the request carries a password, session and CSRF cookies and a session value: the
envelope must tell the error and its request id, and none of those values.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "MatKhau-Bi-Mat-2024"
SESSION_VALUE = "gia-tri-phien-bi-mat"
CSRF_TOKEN = "c" * 32
REQUEST_ID = "sentry-test-req-1"

# A WSGI server (Django's WSGIHandler, as under gunicorn) that serves one request.
FAILING_SERVER = f"""
import sys, types
import django
django.setup()
import sentry_sdk
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.contrib.sessions.backends.cache import SessionStore
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.urls import include, path

def boom(request):
    note = request.session["note"]
    password = request.POST["password"]
    raise RuntimeError("the view failed")

urls = types.ModuleType("failing_urls")
urls.urlpatterns = [path("hong/", boom), path("", include("contest_portal.urls"))]
sys.modules["failing_urls"] = urls

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

with override_settings(
    ROOT_URLCONF="failing_urls",
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
):
    session = SessionStore()
    session["note"] = "{SESSION_VALUE}"
    session.save()
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    print(server.server_port, session.session_key, flush=True)
    server.handle_request()
sentry_sdk.flush(timeout=10)
"""


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def ingest() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def envelope_items(body: bytes) -> list[tuple[dict, dict]]:
    """(item header, payload) pairs of a Sentry envelope."""
    lines = body.split(b"\n")[1:]  # the first line is the envelope's header
    items = []
    while len(lines) >= 2 and lines[0].strip():
        header = json.loads(lines[0])
        payload = lines[1]
        items.append((header, json.loads(payload) if payload.startswith(b"{") else {}))
        lines = lines[2:]
    return items


def test_an_unhandled_error_reaches_the_dsn_without_secrets(ingest, tmp_path):
    port = ingest.server_address[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults_settings",
        DJANGO_SECRET_KEY="ops-sentry-test-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="cuocthi.example.vn",
        DJANGO_LOG_LEVEL="CRITICAL",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
        SENTRY_ENVIRONMENT="ci-test",
        SENTRY_RELEASE="portal@test",
    )

    server = subprocess.Popen(
        [sys.executable, "-c", FAILING_SERVER],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        app_port, session_key = server.stdout.readline().split()
        request = urllib.request.Request(
            f"http://127.0.0.1:{app_port}/hong/",
            data=urllib.parse.urlencode(
                {"phone": "0912345678", "password": PASSWORD}
            ).encode(),
            headers={
                "Host": "cuocthi.example.vn",
                "X-Forwarded-Proto": "https",
                "X-Request-ID": REQUEST_ID,
                "Cookie": f"sessionid={session_key}; csrftoken={CSRF_TOKEN}",
                "X-CSRFToken": CSRF_TOKEN,
                "Origin": "https://cuocthi.example.vn",
                "Referer": "https://cuocthi.example.vn/",
            },
        )
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=30)
        server.wait(timeout=30)
    finally:
        server.kill()
        server.wait()

    assert failed.value.code == 500, server.stderr.read()[-3000:]
    events = [
        payload
        for path, body in ingest.received
        for header, payload in envelope_items(body)
        if path == "/api/1/envelope/" and header.get("type") == "event"
    ]
    assert len(events) == 1, ingest.received
    [event] = events
    [error] = event["exception"]["values"]
    assert (error["type"], error["value"]) == ("RuntimeError", "the view failed")
    assert event["tags"]["request_id"] == REQUEST_ID
    assert event["environment"] == "ci-test"
    assert event["release"] == "portal@test"
    # The WSGI scheme (plain HTTP behind the proxy), not X-Forwarded-Proto.
    assert event["request"]["url"].endswith("://cuocthi.example.vn/hong/")
    assert event["request"]["method"] == "POST"
    headers = event["request"]["headers"]
    assert headers.get("Cookie", "[Filtered]") == "[Filtered]"
    assert headers.get("X-Csrftoken", "[Filtered]") == "[Filtered]"
    assert not event["request"].get("data")  # no request bodies at all
    assert "cookies" not in event["request"]
    everything = b"".join(body for _, body in ingest.received).decode()
    for secret in (PASSWORD, SESSION_VALUE, session_key, CSRF_TOKEN, "0912345678"):
        assert secret not in everything
