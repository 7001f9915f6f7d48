"""CPU per request of an attempt's steps, in one process, through the WSGI handler.

Run after `make bench` (full or small) on PostgreSQL and Redis, against the data it
left and the static files it collected (`--reuse` keeps both):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/contest_portal_h1_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.wsgi_cpu

Production's settings as the bench's server has them (DEBUG off, rate limits on,
sessions in Redis), the portal's WSGI application called directly, without gunicorn
or a network client: each simulated contestant (a fresh session of a contestant who
has not sat the open round) starts, opens the page, saves an answer, submits and
reads the result, as the page sends them. Prints the minimum over the batches of
the mean CPU milliseconds (process_time) of each step, and beside it the CPU the
PostgreSQL backend and the Redis server spent on the same step (read from the
kernel's scheduler accounting, /proc/PID/schedstat, so only where they run on this
machine and are visible to this user). Far steadier than the load run on a shared
machine: run it before and after a change, interleaved.

Environment: BATCHES (5), REPEAT (contestants per batch, 40), OFFSET (where in
the contestants to begin: use another for each run, each contestant starts once).
"""

import io
import os
import re
import secrets
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'name="q(\d+)" value="(\d+)"')
FORM = "application/x-www-form-urlencoded"
STEPS = ("start", "page", "save", "submit", "result")


def _settings() -> None:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must name the bench's database and Redis")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "contest_portal.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_CACHE_KEY_PREFIX": "cpwsgi",
            "DJANGO_LOG_LEVEL": "ERROR",
            "DJANGO_RATE_LIMIT_ENABLED": "true",
            "DJANGO_TRUSTED_PROXY_COUNT": "0",
        }
    )


class Browser:
    """One cookie jar calling the WSGI application as gunicorn would."""

    def __init__(self, app, cookies: dict[str, str]) -> None:
        self.app = app
        self.cookies = cookies

    def call(self, method: str, path: str, body: bytes = b"", **headers: str):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            **({"CONTENT_TYPE": FORM} if body else {}),
            **headers,
        }
        answer: dict = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        chunks = self.app(environ, start_response)
        text = b"".join(chunks).decode()
        chunks.close()
        location = ""
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
            elif name.lower() == "location":
                location = value
        return answer["status"], text, location


def _on_cpu_ns(pid: int | None) -> int:
    """The nanoseconds a process has run on a CPU, 0 where it cannot be read."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def _server_pids() -> tuple[int | None, int | None]:
    """The PostgreSQL backend of the default connection and the Redis server."""
    from django.core.cache import cache
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    client = cache._cache.get_client()
    redis = client.info("server").get("process_id")
    return backend, redis


def _expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{what} answered {status}, not {wanted}")


def main() -> None:
    _settings()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    from accounts.middleware import CREDENTIAL_SESSION_KEY, user_credential
    from accounts.models import User
    from rounds.models import Round

    batches = int(os.environ.get("BATCHES", "5"))
    repeat = int(os.environ.get("REPEAT", "40"))
    offset = int(os.environ.get("OFFSET", "0"))
    round_ = Round.objects.filter(max_attempts=0).order_by("-pk").first()
    if round_ is None:
        sys.exit("no open round of the bench's data set here: run make bench first")
    people = list(
        User.objects.filter(is_active=True, is_staff=False, must_change_password=False)
        .exclude(attempts__round=round_)
        .order_by("pk")[offset : offset + batches * repeat + 1]
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = "accounts.backends.PhoneOrCitizenIdBackend"

    def signed_in(user) -> Browser:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[CREDENTIAL_SESSION_KEY] = user_credential(user.password)
        session.create()
        return Browser(app, {settings.SESSION_COOKIE_NAME: session.session_key})

    def journey(browser: Browser, spent: dict[str, float]) -> None:
        status, contest, _ = browser.call("GET", f"/cuoc-thi/{round_.contest.slug}/")
        _expect(status, 200, "the contest page")
        token = CSRF_INPUT.search(contest).group(1)
        post = urlencode({"csrfmiddlewaretoken": token}).encode()
        state: dict = {}

        def start():
            status, _, state["url"] = browser.call(
                "POST", f"/tuan-thi/{round_.pk}/vao-thi/", post
            )
            _expect(status, 302, "the start")

        def page():
            status, state["page"], _ = browser.call("GET", state["url"])
            _expect(status, 200, "the attempt page")

        def save():
            status, text, _ = browser.call(
                "POST",
                state["url"] + "luu/",
                b"seq=1&position=0&choice=1",
                HTTP_X_CSRFTOKEN=token,
            )
            _expect(status, 200, f"the save: {text}")

        def submit():
            answers = dict(RADIO.findall(state["page"]))
            body = urlencode(
                {"csrfmiddlewaretoken": token, "prediction": "1234"}
                | {f"q{p}": v for p, v in answers.items()}
            ).encode()
            status, _, state["result"] = browser.call(
                "POST", state["url"] + "nop-bai/", body
            )
            _expect(status, 302, "the submit")

        def result():
            status, _, _ = browser.call("GET", state["result"])
            _expect(status, 200, "the result")

        for name, step in zip(STEPS, (start, page, save, submit, result), strict=True):
            began = time.process_time()
            servers = [_on_cpu_ns(pid) for pid in pids]
            step()
            spent[name] += time.process_time() - began
            for pid, before, key in zip(pids, servers, ("pg", "redis"), strict=True):
                spent[f"{name}_{key}"] += (_on_cpu_ns(pid) - before) / 1e9

    columns = [f"{name}{key}" for name in STEPS for key in ("", "_pg", "_redis")]
    pids: tuple[int | None, int | None] = (None, None)
    journey(signed_in(people.pop()), dict.fromkeys(columns, 0.0))  # warm
    pids = _server_pids()  # the connection the journey opened, kept (CONN_MAX_AGE)
    means: dict[str, list[float]] = {name: [] for name in columns}
    for _ in range(batches):
        spent = dict.fromkeys(columns, 0.0)
        for _ in range(repeat):
            journey(signed_in(people.pop()), spent)
        for name in columns:
            means[name].append(spent[name] * 1000 / repeat)
    print("CPU ms per request, minimum of the batches' means:")
    print(f"{'step':8} {'python':>8} {'postgres':>9} {'redis':>7} {'sum':>7}")
    for name in STEPS:
        python, pg, redis = (
            min(means[f"{name}{key}"]) for key in ("", "_pg", "_redis")
        )
        print(
            f"{name:8} {python:8.3f} {pg:9.3f} {redis:7.3f} {python + pg + redis:7.3f}"
        )


if __name__ == "__main__":
    main()
