"""Registration challenges: issued signed, solved by the browser, accepted once.

The token is signed with the project's secret and carries its issue time, so the
server stores nothing until a solution comes back; then the challenge id is
marked used in the cache, so one solution registers one account.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.proof_of_work import is_solution

SALT = "accounts.registration-challenge"
USED_PREFIX = "reg-challenge-used"

MESSAGES = {
    "challenge_missing": _(
        "Trình duyệt chưa hoàn tất bước kiểm tra chống đăng ký tự động. "
        "Vui lòng bật JavaScript, chờ vài giây rồi bấm Đăng ký lại."
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
}


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str  # signed; goes back with the form
    prefix: str  # what the browser hashes the nonce after
    difficulty: int


def challenge_issue() -> Challenge:
    """A fresh signed challenge at the configured difficulty."""
    difficulty = settings.REGISTRATION_CHALLENGE_DIFFICULTY
    prefix = secrets.token_urlsafe(16)
    token = signing.dumps({"p": prefix, "d": difficulty}, salt=SALT, compress=False)
    return Challenge(token=token, prefix=prefix, difficulty=difficulty)


def _error(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def challenge_verify(*, token: str, nonce: str) -> None:
    """Accept a solved challenge once; raise ValidationError otherwise."""
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
    if not cache.add(used_key, 1, timeout=settings.REGISTRATION_CHALLENGE_MAX_AGE + 60):
        raise _error("challenge_reused")
