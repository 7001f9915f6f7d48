"""Fault injection with real processes: gunicorn workers killed, PostgreSQL restarted.

Each test starts a PRIVATE PostgreSQL cluster (initdb into a temporary directory, a
free port, owned by the postgres user when run as root) and gunicorn with 2 sync
workers and DEBUG off against it, then takes an attempt over HTTP with a cookie jar
and CSRF like a browser. An answer counts as acknowledged only on 200 {"ok": true};
a failed save is sent again until acknowledged, as static/js/attempt.js does. The
goal: every acknowledged answer is in the database afterwards, the deadline never
moves, and a save while the database is down is never acknowledged but answered 503
with a retry hint. The export worker (`manage.py db_worker`) must outlive a restart of
PostgreSQL and still build the exports queued afterwards.

The machine's shared PostgreSQL is never touched.
"""

import contextlib
import glob
import http.cookiejar
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import requires_postgres

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG_BIN = next(
    (
        Path(path).parent
        for path in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    ),
    None,
)
IS_ROOT = os.geteuid() == 0
RUNUSER = shutil.which("runuser")


def _postgres_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


pytestmark = [
    pytest.mark.faults,
    requires_postgres(),
    pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL server binaries missing"),
    pytest.mark.skipif(
        IS_ROOT and (RUNUSER is None or _postgres_user() is None),
        reason="as root, initdb needs runuser and a postgres user",
    ),
    pytest.mark.skipif(not Path(GUNICORN).exists(), reason="gunicorn not installed"),
]

PHONE = "0966000001"
PASSWORD = "MatKhau@2024"  # tests.factories.UserFactory's
QUESTIONS = 20
STEP_TIMEOUT = 20  # seconds for any one step: a start, a stop, a retried save
MID_REQUEST_KILLS = 6
WORKER_INTERVAL = 1  # `make run` and deploy/compose.yaml poll every 2 seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a private PostgreSQL cluster -------------------------------------------------


@dataclass
class Cluster:
    home: Path
    port: int

    @property
    def data(self) -> Path:
        return self.home / "data"

    def _as_postgres(self, *command: str, timeout: float = 60) -> str:
        prefix = [RUNUSER, "-u", "postgres", "--"] if IS_ROOT else []
        done = subprocess.run(
            [*prefix, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.home,
        )
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def init(self) -> None:
        self._as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.home} -c fsync=off "
            "-c max_connections=40 -c shared_buffers=32MB"
        )
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.home / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            str(STEP_TIMEOUT),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"
        )

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(
            self.url(database), autocommit=True, connect_timeout=5
        ) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []


def django_env(database_url: str, port: int | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults_settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="faults-test-secret-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(database_url: str, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=django_env(database_url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


MAKE_DATA = f"""
from tests.factories import RoundFactory, UserFactory, make_bank
round_ = RoundFactory(question_count={QUESTIONS}, time_limit_seconds=1800)
round_.contest.topics.set(make_bank(topics=2, per_topic=12))
UserFactory(phone="{PHONE}")
print(round_.pk)
"""


@dataclass
class Database:
    cluster: Cluster
    name: str
    round_id: int

    @property
    def url(self) -> str:
        return self.cluster.url(self.name)

    def attempt_row(self, public_id: str) -> tuple:
        [row] = self.cluster.sql(
            "SELECT status, deadline, started_at, answers FROM rounds_attempt "
            f"WHERE public_id = '{public_id}'",
            self.name,
        )
        return row


@pytest.fixture(scope="module")
def template() -> Iterator[tuple[Cluster, int]]:
    """One private cluster per module, holding a migrated database with a round."""
    home = Path(tempfile.mkdtemp(prefix="cp-faults-pg-"))
    if IS_ROOT:
        owner = _postgres_user()
        os.chown(home, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(home=home, port=free_port())
    cluster.init()
    cluster.start()
    try:
        cluster.sql("CREATE DATABASE cp_template")
        manage(cluster.url("cp_template"), "migrate", "--noinput", "-v", "0")
        round_id = int(
            manage(cluster.url("cp_template"), "shell", "-c", MAKE_DATA).split()[-1]
        )
        yield cluster, round_id
    finally:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            cluster.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def database(template, request) -> Database:
    cluster, round_id = template
    name = f"cp_{request.node.name.split('[')[0][-40:]}".lower()
    cluster.sql(f"DROP DATABASE IF EXISTS {name}")
    cluster.sql(f"CREATE DATABASE {name} TEMPLATE cp_template")
    return Database(cluster=cluster, name=name, round_id=round_id)


# --- gunicorn ---------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> set[int]:
        """The master's live children, read from /proc."""
        found = set()
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                text = Path(stat).read_text()
            except OSError:
                continue
            # The command name may hold spaces: fields after the last ')'.
            fields = text.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                found.add(int(Path(stat).parent.name))
        return found

    def wait_for_workers(self, count: int, *, gone: int | None = None) -> set[int]:
        """The master's children once there are `count` of them, `gone` not among
        them: a killed worker stays listed until the kernel has delivered the
        signal, which a loaded machine can delay past the next look."""
        limit = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < limit:
            pids = self.workers()
            if len(pids) == count and gone not in pids:
                return pids
            time.sleep(0.1)
        raise AssertionError(f"gunicorn has {self.workers()} workers, not {count}")


@pytest.fixture
def server(database, tmp_path) -> Iterator[Server]:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                GUNICORN,
                "contest_portal.wsgi:application",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "2",
            ],
            cwd=ROOT,
            env=django_env(database.url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, port=port, log=log)
    try:
        limit = time.monotonic() + STEP_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{server.base}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > limit:
                    raise AssertionError(
                        "gunicorn did not start:\n" + log.read_text()
                    ) from None
                time.sleep(0.2)
        server.wait_for_workers(2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# --- the export worker ------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def assert_alive(self) -> None:
        assert self.process.poll() is None, (
            f"db_worker exited with {self.process.returncode}:\n{self.log.read_text()}"
        )


@pytest.fixture
def worker(database, tmp_path) -> Iterator[Worker]:
    """`manage.py db_worker` as make run and deploy/compose.yaml start it."""
    log = tmp_path / "db_worker.log"
    env = django_env(database.url)
    env["DJANGO_MEDIA_ROOT"] = str(tmp_path / "media")  # never the working tree
    with log.open("w") as out:
        process = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--interval", str(WORKER_INTERVAL)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


QUEUE_EXPORT = f"""
from accounts.models import User
from reports.services import export_job_start
user = User.objects.get(phone="{PHONE}")
print(export_job_start(user=user, kind="bank", key="", personal=False).pk)
"""


def queue_export(database: Database) -> int:
    """Queue a question-bank export the way the export page does; its job id."""
    return int(manage(database.url, "shell", "-c", QUEUE_EXPORT).split()[-1])


def wait_for_export(database: Database, worker: Worker, job_id: int) -> str:
    limit = time.monotonic() + STEP_TIMEOUT
    while True:
        [(status,)] = database.cluster.sql(
            f"SELECT status FROM reports_exportjob WHERE id = {job_id}", database.name
        )
        if status in ("done", "failed") or time.monotonic() > limit:
            return status
        worker.assert_alive()
        time.sleep(0.2)


# --- a contestant over HTTP -------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Contestant:
    """A browser's worth of HTTP: cookies, CSRF, and a save queue like attempt.js."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    seq: int = 0
    acknowledged: dict[int, tuple[int, int]] = field(default_factory=dict)
    sent: int = 0
    failed: int = 0
    public_id: str = ""
    last: tuple = ()
    last_body: str = ""
    last_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body); status 0 when the connection itself failed."""
        body = None
        headers = {"Referer": self.base + path}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = self.csrf()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        self.last_headers = {}
        try:
            with self.opener.open(request, timeout=10) as response:
                self.last_headers = dict(response.headers)
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as error:
            self.last_headers = dict(error.headers)
            return error.code, error.headers.get("Location", ""), error.read().decode()
        except (OSError, http.client.HTTPException):
            return 0, "", ""

    def login_and_start(self, round_id: int) -> str:
        status, _, _ = self.request("/tai-khoan/dang-nhap/")
        assert status == 200
        status, location, _ = self.request(
            "/tai-khoan/dang-nhap/", {"username": PHONE, "password": PASSWORD}
        )
        assert status == 302, "login refused"
        self.request("/")  # a fresh CSRF token after login rotated it
        status, location, _ = self.request(f"/tuan-thi/{round_id}/vao-thi/", {})
        assert status == 302, (status, location)
        assert "/bai-thi/" in location, location
        self.public_id = location.rstrip("/").rsplit("/", 1)[1]
        status, _, page = self.request(f"/bai-thi/{self.public_id}/")
        assert status == 200
        assert 'id="attempt-form"' in page
        return self.public_id

    def save_once(self, position: int, shown: int, seq: int) -> bool:
        """One POST; True only for an explicit acknowledgement."""
        self.sent += 1
        status, _, body = self.request(
            f"/bai-thi/{self.public_id}/luu/",
            {"seq": seq, "position": position, "choice": shown},
        )
        self.last = (status, body[:200])
        self.last_body = body
        try:
            ok = status == 200 and json.loads(body) == {"ok": True, "seq": seq}
        except ValueError:
            ok = False
        if ok:
            self.acknowledged[position] = (shown, seq)
        else:
            self.failed += 1
        return ok

    def save(self, position: int, shown: int) -> None:
        """Click an answer and resend it until the server acknowledges it."""
        self.seq += 1
        limit = time.monotonic() + STEP_TIMEOUT
        delay = 0.1
        while not self.save_once(position, shown, self.seq):
            assert time.monotonic() < limit, (
                f"answer {position} never acknowledged; last reply {self.last}"
            )
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def assert_nothing_lost(database: Database, contestant: Contestant, deadline) -> int:
    """Every acknowledged answer is stored (same choice, same or newer seq)."""
    status, stored_deadline, _, answers = database.attempt_row(contestant.public_id)
    [draw] = database.cluster.sql(
        f"SELECT draw FROM rounds_attempt WHERE public_id = '{contestant.public_id}'",
        database.name,
    )[0]
    lost = {
        position: (shown, seq)
        for position, (shown, seq) in contestant.acknowledged.items()
        if answers[position] is None
        or answers[position][1] < seq
        or (
            answers[position][1] == seq
            and answers[position][0] != draw[position][1][shown]
        )
    }
    assert lost == {}, f"acknowledged but lost: {lost}"
    assert status == "open"
    assert stored_deadline == deadline
    return len(contestant.acknowledged)


def report(request, **figures) -> None:
    line = ", ".join(f"{k}={v}" for k, v in figures.items())
    request.node.user_properties.append(("faults", line))
    print(f"\n[faults] {request.node.name}: {line}")


# --- the tests --------------------------------------------------------------------


def test_killing_gunicorn_workers_loses_no_acknowledged_answer(
    database, server, request
):
    contestant = Contestant(base=server.base)
    public_id = contestant.login_and_start(database.round_id)
    _, deadline, started_at, _ = database.attempt_row(public_id)
    kills = 0

    for position in range(QUESTIONS):
        if position in (5, 10, 15):
            # SIGKILL: no cleanup, no graceful finish of what the worker was doing.
            victim = sorted(server.workers())[position % 2]
            os.kill(victim, signal.SIGKILL)
            kills += 1
            # Saves sent at once may hit the dead worker: they fail, and are resent.
            contestant.save(position, position % 4)
            server.wait_for_workers(2, gone=victim)  # raises while the victim lingers
        else:
            contestant.save(position, position % 4)

    found = assert_nothing_lost(database, contestant, deadline)
    assert database.attempt_row(public_id)[2] == started_at
    assert server.process.poll() is None
    status, location, _ = contestant.request(f"/bai-thi/{public_id}/nop-bai/", {})
    assert (status, location.endswith("/ket-qua/")) == (302, True)
    assert database.attempt_row(public_id)[0] == "finished"
    report(
        request,
        kills=kills,
        acknowledged=len(contestant.acknowledged),
        found=found,
        saves_sent=contestant.sent,
        saves_failed=contestant.failed,
    )


def test_killing_a_worker_in_the_middle_of_saves_loses_no_acknowledged_answer(
    database, server, request
):
    import threading

    contestant = Contestant(base=server.base)
    public_id = contestant.login_and_start(database.round_id)
    _, deadline, _, _ = database.attempt_row(public_id)
    stop = threading.Event()
    kills = 0

    def killer() -> None:
        # A kill about every second, whatever request the worker is serving; a new
        # worker is left time to boot so the server is never down for good.
        nonlocal kills
        while kills < MID_REQUEST_KILLS and not stop.wait(0.8):
            pids = sorted(server.workers())
            if len(pids) == 2:
                os.kill(pids[kills % 2], signal.SIGKILL)
                kills += 1

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        while thread.is_alive():
            for position in range(QUESTIONS):
                contestant.save(position, (position + contestant.seq) % 4)
    finally:
        stop.set()
        thread.join(timeout=5)

    found = assert_nothing_lost(database, contestant, deadline)
    assert kills == MID_REQUEST_KILLS
    report(
        request,
        kills=kills,
        acknowledged=len(contestant.acknowledged),
        found=found,
        saves_sent=contestant.sent,
        saves_failed=contestant.failed,
    )


def test_restarting_postgresql_loses_no_acknowledged_answer(database, server, request):
    cluster = database.cluster
    contestant = Contestant(base=server.base)
    public_id = contestant.login_and_start(database.round_id)
    _, deadline, _, _ = database.attempt_row(public_id)
    restarts = 0
    refused_while_down = 0

    for position in range(6):
        contestant.save(position, 1)

    # 1. The database stops as if it crashed: no save is acknowledged, each is
    # answered 503 with a retry hint (static/js/attempt.js sends it again).
    cluster.stop("immediate")
    restarts += 1
    try:
        for position in range(6, 10):
            contestant.seq += 1
            assert not contestant.save_once(position, 2, contestant.seq)
            assert contestant.last[0] == 503, contestant.last
            assert json.loads(contestant.last_body)["retry"] is True
            assert int(contestant.last_headers["Retry-After"]) > 0
            refused_while_down += 1
    finally:
        cluster.start()
    for position in range(6, 10):  # the page sends them again
        contestant.save(position, 2)

    # 2. A fast restart between two saves.
    cluster.restart()
    restarts += 1
    for position in range(10, QUESTIONS):
        contestant.save(position, 3)

    found = assert_nothing_lost(database, contestant, deadline)
    assert found == QUESTIONS
    report(
        request,
        restarts=restarts,
        refused_while_down=refused_while_down,
        acknowledged=len(contestant.acknowledged),
        found=found,
        saves_sent=contestant.sent,
        saves_failed=contestant.failed,
    )


def test_the_export_worker_survives_a_postgresql_restart(database, worker, request):
    cluster = database.cluster
    before = queue_export(database)
    assert wait_for_export(database, worker, before) == "done"

    # The database is away for several of the worker's polls, then back.
    cluster.stop("fast")
    try:
        time.sleep(WORKER_INTERVAL * 4)
        worker.assert_alive()
    finally:
        cluster.start()
    # And a fast restart between two polls.
    cluster.restart()
    time.sleep(WORKER_INTERVAL * 2)
    worker.assert_alive()
    after = queue_export(database)

    assert wait_for_export(database, worker, after) == "done"
    worker.assert_alive()
    report(request, restarts=2, exports_done=2)
