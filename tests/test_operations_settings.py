"""Safe by default: no secret key, no start, unless development mode is asked for.

Each case imports the real settings module in a process of its own with only the
variables it names (as tests/test_settings.py does).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
READ_BY_SETTINGS = ("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_", "PROMETHEUS_")
PROBE = f"""
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({{
    "debug": settings.DEBUG,
    "development": settings.DEVELOPMENT,
    "dev_key": settings.SECRET_KEY == {DEV_SECRET!r},
}}))
"""


def clean_env(**variables: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(READ_BY_SETTINGS)
    }
    env.update(variables)
    return env


def run(command: list[str], **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=clean_env(DJANGO_SETTINGS_MODULE="contest_portal.settings", **variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_of(**variables: str) -> dict:
    done = run([sys.executable, "-c", PROBE], **variables)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({}, id="nothing-set"),
        pytest.param({"DJANGO_DEBUG": "true"}, id="debug-alone-is-not-development"),
        pytest.param({"DJANGO_DEVELOPMENT": "false"}, id="development-off"),
        pytest.param({"DJANGO_SECRET_KEY": ""}, id="empty-secret"),
    ],
)
def test_without_a_secret_key_the_settings_refuse_to_load(variables):
    done = run([sys.executable, "-c", PROBE], **variables)

    assert done.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set." in done.stderr
    assert "DJANGO_DEVELOPMENT=true" in done.stderr  # the message says the way out


def test_manage_py_refuses_to_run_without_a_secret_key():
    done = run([sys.executable, "manage.py", "check"])

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr


def test_development_mode_means_debug_and_the_published_key():
    values = settings_of(DJANGO_DEVELOPMENT="true")

    assert values == {"debug": True, "development": True, "dev_key": True}


def test_a_secret_key_means_production():
    values = settings_of(DJANGO_SECRET_KEY="a-real-secret-" + "x" * 40)

    assert values == {"debug": False, "development": False, "dev_key": False}


def test_development_mode_keeps_a_secret_key_it_is_given():
    values = settings_of(
        DJANGO_DEVELOPMENT="true", DJANGO_SECRET_KEY="a-real-secret-" + "x" * 40
    )

    assert values == {"debug": True, "development": True, "dev_key": False}


def test_manage_py_runs_in_development_mode():
    done = run([sys.executable, "manage.py", "check"], DJANGO_DEVELOPMENT="true")

    assert done.returncode == 0, done.stderr[-3000:]


def test_make_run_asks_for_development_mode():
    makefile = (PROJECT_DIR / "Makefile").read_text()

    assert "run: export DJANGO_DEVELOPMENT ?= true" in makefile.splitlines()
