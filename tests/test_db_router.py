"""Reports read from the replica when one is configured; nothing else does, nothing writes there."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from contest_portal import db_router
from contest_portal.db_router import REPLICA, ReplicaRouter, replica_reads
from rounds.models import Attempt
from tests.factories import UserFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent
WITH_REPLICA = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    REPLICA: {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
}


@override_settings(DATABASES=WITH_REPLICA)
def test_reads_inside_the_block_go_to_the_replica_and_writes_never_do():
    router = ReplicaRouter()

    with replica_reads():
        inside = router.db_for_read(Attempt)
        write = router.db_for_write(Attempt)
    outside = router.db_for_read(Attempt)

    assert inside == REPLICA
    assert write == "default"
    assert outside is None  # Django's default: the primary


def test_without_a_replica_everything_reads_the_primary():
    with replica_reads():
        assert ReplicaRouter().db_for_read(User) is None


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()

    assert router.allow_migrate("default", "rounds")
    assert not router.allow_migrate(REPLICA, "rounds")


def test_the_replica_url_adds_the_alias_and_mirrors_it_in_tests():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="contest_portal.settings",
        DJANGO_DEVELOPMENT="true",
        DATABASE_URL="postgres://portal@primary:5432/portal",
        DATABASE_REPLICA_URL="postgres://portal@replica:5432/portal",
    )
    probe = (
        "import json, django; django.setup(); from django.conf import settings;"
        "r = settings.DATABASES['replica'];"
        "print(json.dumps([r['HOST'], r['TEST'], settings.DATABASE_ROUTERS]))"
    )

    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    host, test, routers = json.loads(out.stdout)
    assert host == "replica"
    assert test["MIRROR"] == "default"
    assert routers == ["contest_portal.db_router.ReplicaRouter"]


@pytest.mark.django_db
def test_an_export_and_the_dashboard_run_inside_replica_reads(client, monkeypatch):
    seen = []
    real = db_router.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(db_router._replica_reads.get())
        return real(self, model, **hints)

    monkeypatch.setattr(db_router.ReplicaRouter, "db_for_read", spy)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    seen.clear()
    assert client.get(reverse("reports:export-bank")).status_code == 200
    export_reads = list(seen)
    seen.clear()
    assert client.get(reverse("reports:dashboard")).status_code == 200
    dashboard_reads = list(seen)
    seen.clear()
    client.get(reverse("rounds:attempt-list"))

    assert any(export_reads)
    assert any(dashboard_reads)
    assert not any(seen)  # a contestant's page never reads the replica
