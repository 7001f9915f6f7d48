"""Security headers on every page, a strict Content-Security-Policy that the pages
really keep (no inline script, handler or style; nothing from other hosts), and the
production settings loaded the way a server loads them."""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from contest_portal.security import CONTENT_SECURITY_POLICY
from tests.websec import World, build_world

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "testserver"
# MIME types of <script> data blocks: browsers never run them, CSP does not apply.
DATA_BLOCK_TYPES = {"application/json", "application/ld+json", "text/template"}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data"}


class PageInspector(HTMLParser):
    """Collects everything a strict CSP would block or a third party would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> inline handler")
            elif name == "style":
                self.problems.append(f"<{tag} style={value!r}> inline style")
            elif name in URL_ATTRIBUTES and value:
                self._check_url(tag, name, value)
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self._script = dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is None or not data.strip():
            return
        if (self._script.get("type") or "").lower() not in DATA_BLOCK_TYPES:
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def _check_url(self, tag: str, name: str, value: str) -> None:
        for candidate in value.split(","):
            url = candidate.strip().split(" ")[0]
            parts = urlsplit(url)
            if parts.scheme == "javascript":
                self.problems.append(f"<{tag} {name}={url!r}> javascript: URL")
            elif (parts.scheme in {"http", "https"} or url.startswith("//")) and (
                parts.hostname != HOST
            ):
                self.problems.append(f"<{tag} {name}={url!r}> third-party URL")


def inspect(html: str) -> list[str]:
    inspector = PageInspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# (page id, who looks at it, how to reach it)
PAGES = [
    ("home", None, lambda w: reverse("rounds:home")),
    ("home-all", None, lambda w: reverse("rounds:home") + "?tat-ca=1"),
    (
        "contest",
        None,
        lambda w: reverse("rounds:contest-detail", args=[w.contest.slug]),
    ),
    ("contest-signed-in", "alice", lambda w: f"/cuoc-thi/{w.contest.slug}/"),
    ("register", None, lambda w: reverse("accounts:register")),
    (
        "contest-register",
        None,
        lambda w: reverse("rounds:contest-register", args=[w.contest.slug]),
    ),
    ("login", None, lambda w: reverse("accounts:login")),
    ("password-forgotten", None, lambda w: reverse("accounts:password-reset")),
    ("profile", "alice", lambda w: reverse("accounts:profile")),
    ("password-change", "alice", lambda w: reverse("accounts:password-change")),
    (
        "attempt",
        "alice",
        lambda w: reverse("rounds:attempt", args=[w.open_attempt.public_id]),
    ),
    (
        "result",
        "alice",
        lambda w: reverse("rounds:attempt-result", args=[w.finished.public_id]),
    ),
    ("my-attempts", "alice", lambda w: reverse("rounds:attempt-list")),
    ("my-certificates", "alice", lambda w: reverse("certificates:mine")),
    (
        "certificate-verify",
        None,
        lambda w: reverse("certificates:verify") + f"?ma={w.certificate.grouped_code}",
    ),
    (
        "round-results",
        None,
        lambda w: reverse("awards:round-results", args=[w.past.pk]),
    ),
    (
        "live-round-results",
        None,
        lambda w: reverse("awards:round-results", args=[w.current.pk]),
    ),
    (
        "unit-results",
        None,
        lambda w: reverse("awards:unit-results", args=[w.contest.slug]),
    ),
    ("dashboard", "organizer", lambda w: reverse("reports:dashboard")),
    ("exports", "organizer", lambda w: reverse("reports:export-list")),
    ("export-job", "judge", lambda w: reverse("reports:export-job", args=[w.job.pk])),
    ("not-found", None, lambda w: "/khong-co-trang-nay/"),
]


def viewer(world: World, who: str | None):
    if who == "alice":
        return world.alice
    return world.staff.get(who) if who else None


@pytest.mark.parametrize(
    ("who", "path"),
    [(who, path) for _id, who, path in PAGES],
    ids=[p[0] for p in PAGES],
)
def test_each_contestant_page_keeps_the_policy(client, who, path):
    world = build_world()
    user = viewer(world, who)
    if user is not None:
        client.force_login(user)

    response = client.get(path(world))

    assert response.status_code in {200, 404}
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert inspect(response.content.decode()) == []


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    policy = directives(CONTENT_SECURITY_POLICY)

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<script>alert(1)</script>", id="inline-script"),
        pytest.param('<button onclick="go()">x</button>', id="handler"),
        pytest.param('<div style="width: 40%"></div>', id="style-attribute"),
        pytest.param("<style>p{}</style>", id="style-element"),
        pytest.param('<script src="https://cdn.example.com/x.js"></script>', id="cdn"),
        pytest.param('<a href="javascript:go()">x</a>', id="javascript-url"),
        pytest.param('<img src="//tracker.example.com/p.gif">', id="scheme-relative"),
    ],
)
def test_the_inspector_catches_what_the_policy_would_block(html):
    assert inspect(html) != []


def test_the_inspector_lets_through_what_the_policy_allows():
    html = (
        '<script src="/static/js/attempt.js" defer></script>'
        '<script type="application/json" id="d">{"a": 1}</script>'
        '<a href="http://testserver/x">x</a><img src="data:image/png;base64,AA">'
        '<svg><rect width="40" fill="#0b5cab"></rect></svg>'
    )

    assert inspect(html) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ],
)
def test_the_usual_headers_are_set(client, header, expected):
    response = client.get(reverse("accounts:login"))

    assert response[header] == expected


ADMIN_PAGES = [
    ("index", lambda w: reverse("admin:index")),
    ("question-add", lambda w: reverse("admin:quizzes_question_add")),
    ("question-list", lambda w: reverse("admin:quizzes_question_changelist")),
    ("question-import", lambda w: reverse("admin:quizzes_question_import")),
    (
        "contest-change",
        lambda w: reverse("admin:rounds_contest_change", args=[w.contest.pk]),
    ),
    (
        "round-change",
        lambda w: reverse("admin:rounds_round_change", args=[w.current.pk]),
    ),
    (
        "result-change",
        lambda w: reverse("admin:awards_roundresult_change", args=[w.result.pk]),
    ),
    ("audit-log", lambda w: reverse("admin:awards_adminchange_changelist")),
]


@pytest.mark.parametrize(
    "path", [p for _id, p in ADMIN_PAGES], ids=[i for i, _p in ADMIN_PAGES]
)
def test_the_admin_keeps_the_same_policy(client, path):
    world = build_world()
    client.force_login(world.superuser)

    response = client.get(path(world))

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert inspect(response.content.decode()) == []


def test_a_file_download_gets_the_headers_too(client):
    world = build_world()
    client.force_login(world.staff["judge"])

    response = client.get(reverse("reports:export-job-download", args=[world.job.pk]))

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Production settings, loaded in a fresh interpreter as a server would ------------

PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory

def touch_session(request):
    request.session["probe"] = 1
    return HttpResponse()

request = RequestFactory().get("/", secure=True, HTTP_HOST="cuocthi.example.vn")
response = SessionMiddleware(touch_session)(request)
cookie = response.cookies[settings.SESSION_COOKIE_NAME]
request.session.delete()
client = Client(HTTP_HOST="cuocthi.example.vn")
secure = client.get("/healthz", secure=True)
plain = client.get("/tai-khoan/dang-nhap/")
print(json.dumps({
    "session_engine": settings.SESSION_ENGINE,
    "cookie": {
        "secure": bool(cookie["secure"]),
        "httponly": bool(cookie["httponly"]),
        "samesite": cookie["samesite"],
    },
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "headers": dict(secure.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
}))
"""


def production(**extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="contest_portal.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-secret-only-for-this-test-0123456789",
        DJANGO_ALLOWED_HOSTS="cuocthi.example.vn",
        # Database 13 and its own prefix: nothing shared with other test runs.
        REDIS_URL="redis://127.0.0.1:6379/13",
        DJANGO_CACHE_KEY_PREFIX="websec-test",
        **extra,
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def prod() -> dict:
    return production()


def test_production_session_cookie_is_secure_httponly_and_same_site(prod):
    assert prod["session_engine"] == "contest_portal.session_cache"
    assert prod["cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert prod["csrf_cookie_secure"] is True


def test_production_sends_hsts_and_the_policy(prod):
    headers = prod["headers"]

    assert headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_production_sends_plain_http_to_https(prod):
    assert prod["plain_status"] == 301
    assert prod["plain_location"] == "https://cuocthi.example.vn/tai-khoan/dang-nhap/"
