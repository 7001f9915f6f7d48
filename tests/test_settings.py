import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.utils import formats, translation

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Variables the settings module reads; the test run itself sets DJANGO_DEBUG.
READ_BY_SETTINGS = ("DJANGO_", "DATABASE_URL", "REDIS_URL")
PROBE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def run_settings(**variables: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(READ_BY_SETTINGS)
    }
    env.update(variables, DJANGO_SETTINGS_MODULE="contest_portal.settings")
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def loaded(**variables: str) -> dict:
    result = run_settings(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_without_a_secret_key_refuses_to_start():
    result = run_settings(DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_development_mode_is_a_developer_copy_on_sqlite():
    values = loaded(DJANGO_DEVELOPMENT="true")

    assert values["debug"] is True
    # django-prometheus's SQLite backend: Django's, with query metrics.
    assert values["engine"] == "django_prometheus.db.backends.sqlite3"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_secret_key_alone_turns_debug_off():
    values = loaded(DJANGO_SECRET_KEY="a-real-secret-for-this-test")

    assert values["debug"] is False


@pytest.mark.parametrize(
    ("variables", "key", "expected"),
    [
        pytest.param(
            {"DATABASE_URL": "postgres://u@h:5432/db"},
            "engine",
            "contest_portal.db.postgresql_measured",
            id="database-url",
        ),
        pytest.param(
            {"REDIS_URL": "redis://localhost:6379/0"},
            "cache",
            "contest_portal.ops.cache.RedisCache",
            id="redis-url",
        ),
    ],
)
def test_service_urls_select_their_backends(variables, key, expected):
    values = loaded(DJANGO_DEVELOPMENT="true", **variables)

    assert values[key] == expected


def test_the_portal_speaks_vietnamese_on_vietnam_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_vietnamese_date_input_is_day_first():
    with translation.override("vi"):
        field = forms.DateField(input_formats=formats.get_format("DATE_INPUT_FORMATS"))

        value = field.clean("03/11/2026")

    assert value == date(2026, 11, 3)


def test_a_plain_date_field_reads_day_first_in_vietnamese():
    with translation.override("vi"):
        value = forms.DateField().clean("03/11/2026")

    assert value == date(2026, 11, 3)
