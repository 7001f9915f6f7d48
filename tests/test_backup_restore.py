"""The backup of deploy/BACKUP.md, done for real: `pg_dump -Fc` of a database with
approved lists, `pg_restore` into a fresh database, then the project started on the
restored copy (a `manage.py shell` with DATABASE_URL pointing at it) recomputes every
approved list's checksum through its own function and opens the public page that
verifies it. The restored database is dropped afterwards."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from awards import services
from awards.models import RoundResult
from tests.accounts.test_anonymise import closed_round, take_part
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump and pg_restore back up PostgreSQL only; run with DATABASE_URL",
    ),
    # Committed rows: pg_dump reads through its own connection.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CLIENT_TOOLS = ("pg_dump", "pg_restore", "createdb", "dropdb")
TIMEOUT = 300

# Run by the restored project: every approved list checked, as JSON on stdout.
CHECK = """
import json
from django.test import Client
from django.test.utils import setup_test_environment
from awards.models import RoundResult
from awards.services import result_checksum
setup_test_environment()
client = Client()
found = []
for result in RoundResult.objects.filter(status="approved").order_by("pk"):
    page = client.get(f"/ket-qua/kiem-tra/{result.checksum}/")
    found.append({
        "round": result.round_id,
        "stored": result.checksum,
        "recomputed": result_checksum(result=result),
        "page": page.status_code,
        "named": result.round.name in page.content.decode(),
    })
print("RESULTS=" + json.dumps(found))
"""


def libpq_env() -> dict[str, str]:
    """The client tools' connection to the server the tests use, as libpq reads it."""
    db = connection.settings_dict
    env = {**os.environ}
    for key, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", str(db.get("PORT") or "")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
    ):
        if value:
            env[key] = value
    return env


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}:{port}/{name}"


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, check=True, capture_output=True, text=True, timeout=TIMEOUT, **kwargs
    )


@pytest.fixture
def approved_lists() -> list[RoundResult]:
    """Two weeks of one contest, each with its list approved."""
    first = closed_round(days_ago=20, name="Tuần thi thứ nhất")
    second = closed_round(days_ago=10, contest=first.contest, name="Tuần thi thứ hai")
    judge = UserFactory(is_staff=True)
    results = []
    for round_ in (first, second):
        for correct in (5, 4, 3):
            take_part(UserFactory(), round_, correct=correct)
        result = services.result_compute(
            round_=round_, actor=judge, now=round_.closes_at + timedelta(hours=1)
        )
        results.append(services.result_approve(result=result, actor=judge))
    return results


def test_a_restored_backup_still_verifies_every_approved_list(
    approved_lists, tmp_path: Path
):
    missing = [tool for tool in CLIENT_TOOLS if shutil.which(tool) is None]
    assert not missing, f"PostgreSQL client tools missing: {missing}"
    env = libpq_env()
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "portal.dump"

    run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source], env=env)
    run(["createdb", restored], env=env)
    try:
        run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
            env=env,
        )
        project = {
            **os.environ,
            "DATABASE_URL": database_url(restored),
            "DJANGO_SETTINGS_MODULE": "contest_portal.settings_test",
        }
        project.pop("REDIS_URL", None)
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        run([*manage, "migrate", "--check"], env=project)
        shell = run([*manage, "shell", "-c", CHECK], env=project)
    finally:
        run(["dropdb", "--if-exists", "--force", restored], env=env)

    line = next(x for x in shell.stdout.splitlines() if x.startswith("RESULTS="))
    checked = json.loads(line.removeprefix("RESULTS="))
    assert [entry["round"] for entry in checked] == [
        result.round_id for result in approved_lists
    ]
    for entry, result in zip(checked, approved_lists, strict=True):
        assert entry["stored"] == entry["recomputed"] == result.checksum
        assert entry["page"] == 200
        assert entry["named"]
