"""Request ids and log lines (contest_portal/ops/requestid.py, logs.py).

The log format is read from a real process: the settings' LOGGING configured by
django.setup(), a request through the whole middleware stack, standard error read
back line by line.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contest_portal.ops.requestid import pick_request_id

PROJECT_DIR = Path(__file__).resolve().parent.parent
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        pytest.param("3f2a9c0e-77d1-4b6a-9e0f-1a2b3c4d5e6f", True, id="uuid"),
        pytest.param("nginx.a1B2_c3-d4", True, id="all-allowed-characters"),
        pytest.param("x" * 64, True, id="64-characters"),
        pytest.param("x" * 65, False, id="65-characters"),
        pytest.param("abc def", False, id="space"),
        pytest.param("abc\r\nSet-Cookie: x=1", False, id="header-injection"),
        pytest.param("Nguyễn", False, id="non-ascii"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="absent"),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_sane(incoming, kept):
    request_id = pick_request_id(incoming)

    if kept:
        assert request_id == incoming
    else:
        assert GENERATED.fullmatch(request_id)


def test_the_response_carries_the_incoming_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")

    assert response["X-Request-ID"] == "lb-1234.abc"


def test_each_request_gets_its_own_new_id(client):
    first = client.get("/healthz")["X-Request-ID"]

    second = client.get("/healthz")["X-Request-ID"]

    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


LOGGING_PROBE = """
import logging
import django
django.setup()
from django.test import Client
logging.getLogger("portal.probe").warning("outside any request")
Client(HTTP_HOST="localhost").get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="req-42.abc")
logging.getLogger("portal.probe").info("an info line")
"""


def log_lines(**variables: str) -> list[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="contest_portal.settings",
        DJANGO_DEVELOPMENT="true",
        **variables,
    )
    done = subprocess.run(
        [sys.executable, "-c", LOGGING_PROBE],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr.splitlines()


TEXT_LINE = re.compile(
    r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>[A-Z]+) "
    r"(?P<logger>[\w.]+) \[(?P<request_id>[^\]]+)\] (?P<message>.*)"
)


def test_text_lines_carry_time_level_logger_and_request_id():
    lines = log_lines()

    parsed = [TEXT_LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    fields = [(m["level"], m["logger"], m["request_id"], m["message"]) for m in parsed]
    assert fields == [
        ("WARNING", "portal.probe", "-", "outside any request"),
        ("WARNING", "django.request", "req-42.abc", "Not Found: /khong-co-trang-nay/"),
        ("INFO", "portal.probe", "-", "an info line"),
    ]


def test_json_lines_carry_the_same_fields():
    lines = log_lines(DJANGO_LOG_JSON="true")

    records = [json.loads(line) for line in lines]
    assert [
        (r["level"], r["logger"], r["request_id"], r["message"]) for r in records
    ] == [
        ("WARNING", "portal.probe", "-", "outside any request"),
        ("WARNING", "django.request", "req-42.abc", "Not Found: /khong-co-trang-nay/"),
        ("INFO", "portal.probe", "-", "an info line"),
    ]
    assert all(re.fullmatch(r"\d{4}-.*\.\d{3}Z", r["time"]) for r in records)
    assert records[1]["status_code"] == 404  # Django's extra fields come along


def test_the_log_level_is_read_from_the_environment():
    lines = log_lines(DJANGO_LOG_LEVEL="ERROR")

    assert lines == []
