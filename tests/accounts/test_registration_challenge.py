"""Registration proof of work: issued signed, solved by the page's script, used once."""

import hashlib
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings as project_settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.challenge import (
    OPEN_PER_SESSION,
    SALT,
    SESSION_KEY,
    challenge_issue,
    challenge_verify,
)
from accounts.models import User
from accounts.proof_of_work import difficulty_for, is_solution, leading_zero_bits, solve
from tests.factories import ContestFactory, UnitFactory, solved_challenge

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "static/js/registration-challenge.js"
PASSWORD = "Thi-sinh-2024!"


def form_data(client, unit, **overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Đinh Văn Khánh",
        "date_of_birth": "12/12/1990",
        "gender": User.Gender.MALE,
        "phone": "0912345678",
        "occupation": User.Occupation.WORKER,
        "unit": str(unit.pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        **solved_challenge(client),
    }
    data.update(overrides)
    return data


def wrong_nonce(token: str) -> str:
    prefix = signing.loads(token, salt=SALT)["p"]
    difficulty = project_settings.REGISTRATION_CHALLENGE_DIFFICULTY
    return next(
        str(n) for n in range(10_000) if not is_solution(prefix, str(n), difficulty)
    )


def non_field_codes(response) -> set[str]:
    return {e.code for e in response.context["form"].non_field_errors().as_data()}


# --- the pure rule -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("digest", "bits"),
    [
        (b"\x80" + b"\x00" * 31, 0),
        (b"\x01" + b"\xff" * 31, 7),
        (b"\x00\x00\x0f" + b"\xff" * 29, 20),
        (b"\x00" * 32, 256),
    ],
    ids=["none", "seven", "twenty", "all"],
)
def test_leading_zero_bits(digest, bits):
    assert leading_zero_bits(digest) == bits


def test_solve_finds_a_nonce_that_really_has_the_zero_bits():
    nonce = solve("challenge", 12)

    digest = hashlib.sha256(f"challenge{nonce}".encode()).digest()
    assert leading_zero_bits(digest) >= 12
    assert is_solution("challenge", nonce, 12)


@pytest.mark.parametrize(
    "nonce",
    ["", "-1", "1e3", "٣", "1" * 17],
    ids=["empty", "sign", "exp", "arabic", "long"],
)
def test_malformed_nonces_are_never_solutions(nonce):
    assert not is_solution("challenge", nonce, 0)


# --- the service -------------------------------------------------------------------


def issued(session: dict) -> dict[str, str]:
    challenge = challenge_issue(session)
    return {
        "token": challenge.token,
        "nonce": solve(challenge.prefix, challenge.difficulty),
    }


def test_a_solved_challenge_is_accepted_once():
    session: dict = {}
    fields = issued(session)

    challenge_verify(session, **fields)
    with pytest.raises(ValidationError) as reused:
        challenge_verify(session, **fields)

    assert reused.value.code == "challenge_reused"


def test_a_solution_is_refused_in_any_other_session():
    asked: dict = {}
    fields = issued(asked)

    with pytest.raises(ValidationError) as foreign:
        challenge_verify({}, **fields)
    with pytest.raises(ValidationError) as other:
        challenge_verify({SESSION_KEY: ["another-prefix"]}, **fields)

    assert foreign.value.code == other.value.code == "challenge_foreign"
    challenge_verify(asked, **fields)  # still good where it was asked for


def test_a_session_keeps_only_its_last_few_open_challenges():
    session: dict = {}
    first = issued(session)
    for _ in range(OPEN_PER_SESSION):
        issued(session)

    with pytest.raises(ValidationError) as dropped:
        challenge_verify(session, **first)

    assert dropped.value.code == "challenge_foreign"
    assert len(session[SESSION_KEY]) == OPEN_PER_SESSION


def test_an_old_challenge_has_expired(monkeypatch):
    session: dict = {}
    fields = issued(session)
    later = time.time() + project_settings.REGISTRATION_CHALLENGE_MAX_AGE + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)

    with pytest.raises(ValidationError) as expired:
        challenge_verify(session, **fields)

    assert expired.value.code == "challenge_expired"


def test_the_difficulty_signed_at_issue_counts(settings):
    settings.REGISTRATION_CHALLENGE_DIFFICULTY = 0
    session: dict = {}
    easy = challenge_issue(session)
    settings.REGISTRATION_CHALLENGE_DIFFICULTY = 12

    challenge_verify(session, token=easy.token, nonce="0")

    assert signing.loads(easy.token, salt=SALT)["d"] == 0


@pytest.mark.parametrize(
    ("recent", "bits"),
    [(0, 16), (2, 16), (3, 17), (5, 17), (6, 18), (9, 19), (12, 20), (500, 20)],
)
def test_the_difficulty_rises_with_an_addresss_registrations(recent, bits):
    assert difficulty_for(base=16, recent=recent, free=3, per_bit=3, maximum=20) == bits


def test_the_ramp_never_goes_below_the_base_or_divides_by_zero():
    assert difficulty_for(base=16, recent=9, free=0, per_bit=0, maximum=20) == 16
    assert difficulty_for(base=16, recent=9, free=0, per_bit=1, maximum=10) == 16


def test_the_default_difficulty_is_about_a_second_on_a_cheap_phone():
    from contest_portal import settings as production

    # 2**16 hashes on average: ~0.15 s in this script on a server, 1-2 s on a
    # low-end phone; ~20 bits would take 15-30 s there.
    assert 14 <= production.REGISTRATION_CHALLENGE_DIFFICULTY <= 18


# --- the views ---------------------------------------------------------------------


@pytest.fixture
def unit():
    return UnitFactory()


@pytest.fixture(params=["accounts:register", "rounds:contest-register"])
def register_url(request):
    if request.param == "rounds:contest-register":
        return reverse(request.param, kwargs={"slug": ContestFactory().slug})
    return reverse(request.param)


def test_a_solved_challenge_registers(client, unit, register_url):
    response = client.post(register_url, form_data(client, unit))

    assert response.status_code == 302
    assert User.objects.get().phone == "0912345678"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.pop("challenge_nonce"), "challenge_missing"),
        (lambda d: d.pop("challenge_token"), "challenge_missing"),
        (
            lambda d: d.update(challenge_nonce=wrong_nonce(d["challenge_token"])),
            "challenge_invalid",
        ),
        (
            lambda d: d.update(challenge_token=d["challenge_token"][:-2] + "xx"),
            "challenge_invalid",
        ),
        (lambda d: d.update(challenge_token="not-signed"), "challenge_invalid"),
    ],
    ids=["no-nonce", "no-token", "wrong-nonce", "tampered-token", "garbage-token"],
)
def test_a_bad_solution_is_refused_in_vietnamese_and_creates_nothing(
    client, unit, register_url, change, code
):
    data = form_data(client, unit)
    change(data)

    response = client.post(register_url, data)

    assert response.status_code == 200
    assert non_field_codes(response) == {code}
    assert "chống đăng ký tự động" in response.content.decode()
    assert not User.objects.exists()


def test_a_reused_solution_is_refused(client, unit, register_url):
    data = form_data(client, unit)
    client.post(register_url, data)
    client.logout()

    response = client.post(register_url, {**data, "phone": "0987654321"})

    assert non_field_codes(response) == {"challenge_reused"}
    assert "đã được dùng" in response.content.decode()
    assert list(User.objects.values_list("phone", flat=True)) == ["0912345678"]


def test_an_expired_solution_is_refused(client, unit, register_url, monkeypatch):
    data = form_data(client, unit)
    later = time.time() + project_settings.REGISTRATION_CHALLENGE_MAX_AGE + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.post(register_url, data)

    assert non_field_codes(response) == {"challenge_expired"}
    assert not User.objects.exists()


def test_the_page_carries_a_fresh_challenge_and_its_script(client, register_url):
    first = client.get(register_url).content.decode()
    second = client.get(register_url).content.decode()

    prefix = re.compile(r'data-challenge-prefix="([^"]+)"')
    assert prefix.search(first).group(1) != prefix.search(second).group(1)
    assert 'name="challenge_token" value="' in first
    assert 'src="/static/js/registration-challenge.js"' in first
    assert "<noscript>" in first
    assert "bật JavaScript" in first
    # No inline script: a Content-Security-Policy without 'unsafe-inline' holds.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", first)


def test_a_refused_form_comes_back_with_a_new_challenge(client, unit, register_url):
    data = form_data(client, unit, password2="Khac-mat-khau-1")

    response = client.post(register_url, data)

    html = response.content.decode()
    assert data["challenge_token"] not in html
    assert 'name="challenge_token" value="' in html


def test_registration_records_the_client_address(client, unit, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    client.post(
        reverse("accounts:register"),
        form_data(client, unit),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.77",
    )

    assert User.objects.get().registered_ip == "203.0.113.77"


# --- the script --------------------------------------------------------------------

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is absent")


def run_script(expression: str) -> object:
    program = (
        f"const pow = require({json.dumps(str(SCRIPT))});"
        f"process.stdout.write(JSON.stringify({expression}));"
    )
    done = subprocess.run(
        ["node", "-e", program], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout)


@needs_node
def test_the_script_sha256_matches_python():
    texts = ["", "abc", "a" * 55, "a" * 56, "a" * 64, "x" * 200, "Q2hhbGxlbmdl12345"]

    hashes = run_script(f"{json.dumps(texts)}.map(pow.sha256Hex)")

    assert hashes == [hashlib.sha256(t.encode()).hexdigest() for t in texts]


@needs_node
def test_the_script_solution_verifies_on_the_server():
    challenge = challenge_issue({})

    nonce = run_script(f"pow.solve({json.dumps(challenge.prefix)}, 12)")

    assert is_solution(challenge.prefix, nonce, 12)
    assert nonce == solve(challenge.prefix, 12)
