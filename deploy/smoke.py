#!/usr/bin/env python3
"""Smoke test of a running stack (deploy/compose.yaml), through nginx, as people use it.

Standard library only: it runs with any Python 3.11 next to the stack.

  1. nginx: /healthz over HTTP and HTTPS, HTTP redirected to HTTPS, /metrics refused,
     /readyz, a request id on every answer.
  2. The home page and every stylesheet and script it links under /static/.
  3. A registration, with the form's proof-of-work challenge solved as the page's
     script solves it (SHA-256 of prefix + nonce with `difficulty` leading zero bits).
  4. A complete attempt in the demo contest: start, save each answer, submit, result.
  5. An approved result: the round of that attempt is closed and its result computed
     and approved with the portal's own services (`manage.py shell -c` in an
     application container, --exec), then the public ranking and the checksum check.
  6. A background export: an organizer asks for the ranking of that round in the
     background, the export worker (db_worker) builds it in the media volume, it is
     downloaded.

Needs the demo data (`manage.py seed_demo`). Exits non-zero on the first failure.

    python3 deploy/smoke.py --https https://localhost:18443 --http http://localhost:18080 \\
        --cafile certs/fullchain.pem --exec "podman exec -i portal-ci_app1_1"
"""

import argparse
import hashlib
import http.cookiejar
import json
import re
import secrets
import shlex
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

DEMO_CONTEST = "de-an-06-ha-giang-2024"
# rounds/management/commands/seed_demo.py
ORGANIZER = ("0900000001", "BanToChuc@2024")
PASSWORD = "Kiem-Thu-Trien-Khai-2026!"
REQUEST_ID = re.compile(r"^[0-9A-Za-z._-]{8,200}$")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
START_FORM = re.compile(r'action="(/tuan-thi/\d+/vao-thi/)"')
SAVE_URL = re.compile(r'data-save-url="([^"]+)"')
RADIO = re.compile(r'name="q(\d+)" value="(\d+)"')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SmokeError(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeError(message)


# --- HTTP ------------------------------------------------------------------------------


@dataclass
class Response:
    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar, no automatic redirects, the Referer and CSRF header a browser sends."""

    def __init__(self, base: str, context: ssl.SSLContext | None) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect,
        )

    def go(
        self,
        method: str,
        path: str,
        data: dict[str, str] | list[tuple[str, str]] | None = None,
        *,
        expect: tuple[int, ...] = (200,),
        headers: dict[str, str] | None = None,
    ) -> Response:
        url = path if "://" in path else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("User-Agent", "contest-portal-smoke/1")
        request.add_header("Accept-Language", "vi")
        if method == "POST":
            # Django checks the Referer of HTTPS posts against the site's origin.
            request.add_header("Referer", self.base + "/")
            request.add_header("Origin", self.base)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        started = time.perf_counter()
        for attempt in range(3):
            try:
                with self.opener.open(request, timeout=30) as answer:
                    status, raw_headers, content = (
                        answer.status,
                        answer.headers,
                        answer.read(),
                    )
                break
            except urllib.error.HTTPError as error:
                status, raw_headers, content = error.code, error.headers, error.read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt == 2:
                    raise SmokeError(f"{method} {url}: {error}") from error
                time.sleep(2)
        response = Response(
            method,
            url,
            status,
            {k.lower(): v for k, v in raw_headers.items()},
            content,
            (time.perf_counter() - started) * 1000,
        )
        if status not in expect:
            excerpt = re.sub(r"\s+", " ", response.text)[:600]
            raise SmokeError(
                f"{method} {url}: HTTP {status}, expected {expect}; "
                f"Location={response.header('location')!r}; body: {excerpt}"
            )
        return response

    def location(self, response: Response) -> str:
        where = response.header("location")
        check(where, f"{response.method} {response.url}: no Location")
        return urllib.parse.urlsplit(where)._replace(scheme="", netloc="").geturl()


# --- Forms -------------------------------------------------------------------------------


@dataclass
class Form:
    attrs: dict[str, str]
    inputs: list[dict[str, str]] = field(default_factory=list)
    selects: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            self._form.inputs.append({"type": a.get("type", "text"), **a})
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.selects[self._select] = []
        elif tag == "option" and self._select:
            self._form.selects[self._select].append(
                (a.get("value", ""), "selected" in a)
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(page: str) -> list[Form]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


def form_with(page: str, field_name: str) -> Form:
    for form in forms_of(page):
        if (
            any(i["name"] == field_name for i in form.inputs)
            or field_name in form.selects
        ):
            return form
    raise SmokeError(f"no form with a field {field_name!r} on the page")


def defaults(form: Form) -> dict[str, str]:
    """What the browser would send untouched: values, checked boxes, selected options."""
    data: dict[str, str] = {}
    for i in form.inputs:
        if i["type"] in ("checkbox", "radio"):
            if "checked" in i:
                data[i["name"]] = i.get("value", "on")
        elif i["type"] not in ("submit", "button"):
            data.setdefault(i["name"], i.get("value", ""))
    for name, options in form.selects.items():
        chosen = [v for v, selected in options if selected] or [
            options[0][0] if options else ""
        ]
        data[name] = chosen[0]
    return data


# --- Proof of work (accounts/proof_of_work.py, static/js/registration-challenge.js) --------


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def solve(prefix: str, difficulty: int) -> str:
    nonce = 0
    while (
        leading_zero_bits(hashlib.sha256(f"{prefix}{nonce}".encode()).digest())
        < difficulty
    ):
        nonce += 1
    return str(nonce)


# --- The checks ------------------------------------------------------------------------------


class Smoke:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.context = ssl.create_default_context(cafile=args.cafile)
        self.passed = 0

    def ok(self, what: str, response: Response | None = None) -> None:
        self.passed += 1
        timing = f" ({response.ms:.0f} ms)" if response else ""
        print(f"  ok  {what}{timing}", flush=True)

    def browser(self) -> Browser:
        return Browser(self.args.https, self.context)

    def manage_shell(self, code: str) -> dict:
        command = [
            *shlex.split(self.args.exec),
            "python",
            "manage.py",
            "shell",
            "-c",
            code,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise SmokeError(f"manage.py shell failed: {done.stderr[-2000:]}")
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        check(lines, f"manage.py shell printed no result: {done.stdout[-1000:]}")
        return json.loads(lines[-1])

    # 1. nginx itself
    def probes(self) -> None:
        plain = Browser(self.args.http, None)
        r = plain.go("GET", "/healthz")
        check(r.text.strip() == "ok", f"/healthz over HTTP said {r.text[:100]!r}")
        self.ok("GET /healthz over HTTP through nginx: 200", r)
        r = plain.go("GET", "/", expect=(301,))
        check(r.header("location").startswith("https://"), "HTTP is not sent to HTTPS")
        self.ok(f"GET / over HTTP: 301 to {r.header('location')}", r)
        site = self.browser()
        r = site.go("GET", "/healthz")
        rid = r.header("x-request-id")
        check(REQUEST_ID.match(rid), f"no X-Request-ID on /healthz: {rid!r}")
        self.ok(f"GET /healthz over HTTPS: 200, X-Request-ID {rid}", r)
        r = site.go("GET", "/readyz", expect=(200,))
        self.ok(f"GET /readyz: 200 ({' '.join(r.text.split())[:60]})", r)
        for path in ("/metrics", "/metrics/"):
            r = site.go("GET", path, expect=(403, 404))
            self.ok(f"GET {path} through nginx: {r.status} (not public)", r)
        if self.args.app:
            r = Browser(self.args.app, None).go("GET", "/metrics", expect=(200,))
            check(
                b"django_http_requests" in r.body or b"# TYPE" in r.body,
                "/metrics on the app",
            )
            self.ok("GET /metrics straight from app1 (internal address): 200", r)

    # 2. the home page and its assets
    def home(self) -> None:
        site = self.browser()
        r = site.go("GET", "/")
        check("<html" in r.text.lower(), "the home page is not HTML")
        self.ok(f"GET / : 200, {len(r.body)} bytes", r)
        assets = re.findall(
            r'<link[^>]+rel="stylesheet"[^>]+href="(/static/[^"]+)"', r.text
        )
        css = len(assets)
        assets += re.findall(r'<script[^>]+src="(/static/[^"]+)"', r.text)
        check(css >= 1, "the home page links no stylesheet under /static/")
        check(len(assets) > css, "the home page links no script under /static/")
        for path in assets:
            a = site.go("GET", path)
            kind = a.header("content-type")
            expected = "text/css" if path.endswith(".css") else "javascript"
            check(expected in kind, f"{path}: Content-Type {kind!r}")
            check(len(a.body) > 0, f"{path} is empty")
            self.ok(f"GET {path}: 200, {kind.split(';')[0]}, {len(a.body)} bytes", a)

    # 3. registration
    def register(self) -> Browser:
        person = self.browser()
        r = person.go("GET", "/tai-khoan/dang-ky/")
        form = form_with(r.text, "challenge_token")
        data = defaults(form)
        names = {i["name"] for i in form.inputs} | set(form.selects)
        phone = "091" + "".join(secrets.choice("0123456789") for _ in range(7))
        data.update(
            full_name="Nguyễn Kiểm Thử Triển Khai",
            date_of_birth="15/06/1990",
            phone=phone,
            email="",
            citizen_id="",
            password1=PASSWORD,
            password2=PASSWORD,
        )
        radios = [
            i for i in form.inputs if i["type"] == "radio" and i["name"] == "gender"
        ]
        if radios:
            data["gender"] = radios[0]["value"]
        for name, options in form.selects.items():
            if not data.get(name):
                values = [v for v, _selected in options if v]
                check(values, f"no choice for {name!r}")
                data[name] = values[-1] if name == "unit" else values[0]
        for i in form.inputs:  # consent and any other box the form asks to tick
            if i["type"] == "checkbox":
                data[i["name"]] = i.get("value") or "on"
        nonce_input = next(i for i in form.inputs if i["name"] == "challenge_nonce")
        prefix = nonce_input["data-challenge-prefix"]
        difficulty = int(nonce_input["data-challenge-difficulty"])
        started = time.perf_counter()
        data["challenge_nonce"] = solve(prefix, difficulty)
        solved_ms = (time.perf_counter() - started) * 1000
        check(
            {"full_name", "phone", "password1"} <= names, "unexpected registration form"
        )
        r = person.go("POST", "/tai-khoan/dang-ky/", data, expect=(302, 200))
        if r.status == 200:
            errors = re.findall(
                r'class="[^"]*(?:error|errorlist)[^"]*"[^>]*>(.*?)</', r.text, re.S
            )
            raise SmokeError(f"registration refused: {[e.strip() for e in errors][:5]}")
        self.ok(
            f"registration of {phone}: 302 to {r.header('location')} "
            f"(proof of work {difficulty} bits solved in {solved_ms:.0f} ms)",
            r,
        )
        r = person.go("GET", "/tai-khoan/ca-nhan/")
        check(
            phone[-4:] in r.text or "Kiểm Thử" in r.text,
            "the profile does not show the new account",
        )
        self.ok("the new account is signed in (profile page 200)", r)
        return person

    # 4. one complete attempt
    def attempt(self, person: Browser) -> str:
        r = person.go("GET", f"/cuoc-thi/{self.args.contest}/")
        start = START_FORM.search(r.text)
        token = CSRF_INPUT.search(r.text)
        check(start and token, "the contest page has no start form for the new account")
        r = person.go(
            "POST",
            start.group(1),
            {"csrfmiddlewaretoken": token.group(1)},
            expect=(302,),
        )
        attempt = person.location(r)
        check(attempt.startswith("/bai-thi/"), f"start went to {attempt}")
        self.ok(f"attempt started: {attempt}", r)
        r = person.go("GET", attempt)
        save = SAVE_URL.search(r.text)
        token = CSRF_INPUT.search(r.text)
        check(save and token, "the attempt page has no save URL or CSRF token")
        choices: dict[str, list[str]] = {}
        for position, value in RADIO.findall(r.text):
            choices.setdefault(position, []).append(value)
        check(choices, "the attempt page shows no question")
        self.ok(f"attempt page: 200, {len(choices)} questions", r)
        answers = {pos: values[0] for pos, values in choices.items()}
        slowest = 0.0
        for seq, (position, choice) in enumerate(answers.items(), start=1):
            s = person.go(
                "POST",
                save.group(1),
                {"seq": str(seq), "position": position, "choice": choice},
                headers={
                    "X-CSRFToken": token.group(1),
                    "X-Requested-With": "XMLHttpRequest",
                },
            )
            slowest = max(slowest, s.ms)
        self.ok(
            f"{len(answers)} answers saved one by one: 200 each (slowest {slowest:.0f} ms)"
        )
        data = {"csrfmiddlewaretoken": token.group(1), "prediction": "42"}
        data.update({f"q{pos}": choice for pos, choice in answers.items()})
        r = person.go("POST", attempt + "nop-bai/", data, expect=(302,))
        result = person.location(r)
        self.ok(f"attempt submitted: 302 to {result}", r)
        r = person.go("GET", result)
        self.ok("result page: 200", r)
        return attempt.strip("/").split("/")[-1]

    # 5. an approved result
    def approve(self, public_id: str) -> dict:
        code = f"""
import json
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from awards.services import result_approve, result_compute
from rounds.models import Attempt, Round
attempt = Attempt.objects.select_related("round").get(public_id={public_id!r})
round_ = attempt.round
now = timezone.now()
# The round closes now (its grace included): the portal computes results only then.
Round.objects.filter(pk=round_.pk).update(
    closes_at=now - timedelta(seconds=round_.grace_seconds + 1)
)
round_.refresh_from_db()
organizer = User.objects.get(phone={ORGANIZER[0]!r})
result = result_approve(
    result=result_compute(round_=round_, actor=organizer, now=now),
    actor=organizer,
    now=now,
)
print(json.dumps({{"round": round_.pk, "checksum": result.checksum,
                   "status": result.status, "attempt": attempt.status}}))
"""
        approved = self.manage_shell(code)
        check(approved.get("checksum"), f"no checksum: {approved}")
        self.ok(
            f"round {approved['round']} closed, result computed and approved in app1 "
            f"(status {approved['status']}, checksum {approved['checksum'][:16]}…)"
        )
        site = self.browser()
        query = urllib.parse.urlencode({"tim": "Kiểm Thử Triển Khai"})
        r = site.go("GET", f"/ket-qua/tuan-thi/{approved['round']}/?{query}")
        check(
            "Triển Khai" in r.text,
            "the approved ranking does not list the smoke contestant",
        )
        self.ok("public ranking of the approved result lists the new contestant", r)
        r = site.go("GET", f"/ket-qua/kiem-tra/{approved['checksum']}/")
        check(
            'id="found"' in r.text, "the checksum check does not find the approved list"
        )
        self.ok("checksum check of the approved list: found, valid", r)
        return approved

    # 6. a background export
    def export(self, round_id: int) -> None:
        organizer = self.browser()
        r = organizer.go("GET", "/tai-khoan/dang-nhap/")
        form = form_with(r.text, "password")
        data = defaults(form)
        data.update(username=ORGANIZER[0], password=ORGANIZER[1])
        r = organizer.go("POST", "/tai-khoan/dang-nhap/", data, expect=(302,))
        self.ok("organizer signed in: 302", r)
        r = organizer.go("GET", "/bao-cao/xuat/")
        token = CSRF_INPUT.search(r.text)
        check(token, "the export page has no CSRF token")
        check(
            f'name="key" value="{round_id}"' in r.text,
            "no background export offered for the round",
        )
        r = organizer.go(
            "POST",
            "/bao-cao/xuat/nen/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "kind": "ranking",
                "key": str(round_id),
            },
            expect=(302,),
        )
        job = organizer.location(r)
        check("/bao-cao/xuat/viec/" in job, f"the export went to {job}")
        self.ok(f"background export of the ranking requested: {job}", r)
        deadline = time.monotonic() + self.args.export_timeout
        while True:
            r = organizer.go("GET", job)
            if "tai-ve/" in r.text:
                break
            check("msg-error" not in r.text, "the export worker failed the job")
            check(
                time.monotonic() < deadline, "the export worker did not finish in time"
            )
            time.sleep(1)
        self.ok("the export worker (db_worker) built the file", r)
        r = organizer.go("GET", job + "tai-ve/")
        check(
            r.header("content-type").startswith(XLSX),
            f"download type {r.header('content-type')}",
        )
        check(
            r.body[:2] == b"PK" and len(r.body) > 2000,
            "the download is not an .xlsx file",
        )
        self.ok(f"export downloaded: {len(r.body)} bytes of .xlsx", r)

    def run(self) -> None:
        steps = [
            ("nginx", self.probes),
            ("home page and static files", self.home),
        ]
        for title, step in steps:
            print(f"- {title}", flush=True)
            step()
        print("- registration", flush=True)
        person = self.register()
        print("- a complete attempt", flush=True)
        public_id = self.attempt(person)
        print("- an approved result", flush=True)
        approved = self.approve(public_id)
        print("- a background export", flush=True)
        self.export(approved["round"])
        print("- nginx again", flush=True)
        r = self.browser().go("GET", "/healthz")
        self.ok("GET /healthz: 200", r)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--https", required=True, help="nginx's HTTPS address")
    parser.add_argument("--http", required=True, help="nginx's plain HTTP address")
    parser.add_argument("--cafile", help="CA (or self-signed certificate) to trust")
    parser.add_argument(
        "--app", help="an application container's own address (metrics)"
    )
    parser.add_argument(
        "--exec",
        required=True,
        help="command prefix that runs a command in an application container",
    )
    parser.add_argument("--contest", default=DEMO_CONTEST)
    parser.add_argument("--export-timeout", type=float, default=90)
    args = parser.parse_args(argv)
    smoke = Smoke(args)
    started = time.monotonic()
    try:
        smoke.run()
    except SmokeError as failure:
        print(f"SMOKE TEST FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    print(
        f"smoke test: all {smoke.passed} checks passed in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
