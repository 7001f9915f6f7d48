"""Registration challenges: issued to one session, solved by the browser, used once.

The token is signed with the project's secret and carries the difficulty it was
issued at. The challenge's prefix is also remembered in the session that asked for
it, so a solution made in advance, or in another browser, is refused; accepting it
takes it out of the session and marks it spent in the cache (two posts racing with
one session still register one account). Each accepted challenge counts towards its
address's registration rate, and the next challenge that address gets is harder
(accounts.proof_of_work.difficulty_for, settings.REGISTRATION_CHALLENGE_RAMP).
A browser without JavaScript answers a picture of digits instead
(accounts.noscript_challenge), which counts towards the same rate.
"""

import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.proof_of_work import difficulty_for, is_solution
from contest_portal import ratelimit
from contest_portal.ratelimit import count_hit, window_for

SALT = "accounts.registration-challenge"
USED_PREFIX = "reg-challenge-used"
SESSION_KEY = "registration_challenges"
# Open challenges one session keeps: a few tabs of the registration page at once.
OPEN_PER_SESSION = 5
RATE_SCOPE = "registration-rate"

MESSAGES = {
    "challenge_missing": _(
        "Trình duyệt chưa hoàn tất bước kiểm tra chống đăng ký tự động. "
        "Vui lòng chờ vài giây rồi bấm Đăng ký lại (trình duyệt tắt JavaScript "
        "thì nhập các chữ số trong hình ở cuối biểu mẫu)."
    ),
    "challenge_invalid": _(
        "Bước kiểm tra chống đăng ký tự động không hợp lệ. "
        "Vui lòng tải lại trang và đăng ký lại."
    ),
    "challenge_expired": _(
        "Trang đăng ký đã mở quá lâu. Vui lòng bấm Đăng ký lại (trang đã được làm mới)."
    ),
    "challenge_reused": _(
        "Bước kiểm tra này đã được dùng. Vui lòng bấm Đăng ký lại "
        "(trang đã được làm mới)."
    ),
    "challenge_foreign": _(
        "Bước kiểm tra này không được cấp cho trình duyệt của bạn (trang đăng ký "
        "mở ở nơi khác, hoặc phiên làm việc đã hết). Vui lòng bấm Đăng ký lại "
        "(trang đã được làm mới)."
    ),
}

Session = MutableMapping[str, Any]


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str  # signed; goes back with the form
    prefix: str  # what the browser hashes the nonce after
    difficulty: int


def _rate_window(client: str) -> tuple[str, int]:
    seconds = settings.REGISTRATION_CHALLENGE_RAMP["window"]
    window = window_for(
        scope=RATE_SCOPE,
        kind="ip",
        ident=client,
        seconds=seconds,
        now=ratelimit.clock(),
    )
    return window.key, seconds


def recent_registrations(client: str) -> int:
    """Challenges this address solved in the current rate window."""
    if not client:
        return 0
    key, _seconds = _rate_window(client)
    return int(cache.get(key) or 0)


def challenge_difficulty(client: str) -> int:
    ramp = settings.REGISTRATION_CHALLENGE_RAMP
    return difficulty_for(
        base=settings.REGISTRATION_CHALLENGE_DIFFICULTY,
        recent=recent_registrations(client),
        free=ramp["free"],
        per_bit=ramp["per_bit"],
        maximum=ramp["max"],
    )


def challenge_issue(session: Session, *, client: str = "") -> Challenge:
    """A fresh challenge for this session, as hard as its address has earned."""
    difficulty = challenge_difficulty(client)
    prefix = secrets.token_urlsafe(16)
    token = signing.dumps({"p": prefix, "d": difficulty}, salt=SALT, compress=False)
    kept = list(session.get(SESSION_KEY, []))[-(OPEN_PER_SESSION - 1) :]
    session[SESSION_KEY] = [*kept, prefix]
    return Challenge(token=token, prefix=prefix, difficulty=difficulty)


def _error(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def challenge_verify(
    session: Session, *, token: str, nonce: str, client: str = ""
) -> None:
    """Accept a solved challenge of this session once; raise ValidationError otherwise."""
    if not token or not nonce:
        raise _error("challenge_missing")
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=settings.REGISTRATION_CHALLENGE_MAX_AGE
        )
    except signing.SignatureExpired as error:
        raise _error("challenge_expired") from error
    except signing.BadSignature as error:
        raise _error("challenge_invalid") from error
    prefix, difficulty = payload.get("p"), payload.get("d")
    if not isinstance(prefix, str) or not isinstance(difficulty, int):
        raise _error("challenge_invalid")
    # The difficulty signed at issue time counts, so lowering the setting never
    # lets an old easy challenge through and raising it never breaks an open page.
    if not is_solution(prefix, nonce, difficulty):
        raise _error("challenge_invalid")
    used_key = f"{USED_PREFIX}:{prefix}"
    if cache.get(used_key):
        raise _error("challenge_reused")
    open_prefixes = list(session.get(SESSION_KEY, []))
    if prefix not in open_prefixes:
        raise _error("challenge_foreign")
    if not cache.add(used_key, 1, timeout=settings.REGISTRATION_CHALLENGE_MAX_AGE + 60):
        raise _error("challenge_reused")
    session[SESSION_KEY] = [p for p in open_prefixes if p != prefix]
    registration_count(client)


def registration_count(client: str) -> None:
    """Count an accepted challenge (either kind) towards its address's rate."""
    if client:
        key, seconds = _rate_window(client)
        count_hit(key=key, seconds=seconds, store=cache)
