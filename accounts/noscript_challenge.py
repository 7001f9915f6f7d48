"""Registration without JavaScript: a picture of distorted digits, read by a person.

The proof of work (accounts.challenge) needs the page's script. A browser without
JavaScript is shown, inside <noscript>, a picture of a few digits instead. The
picture's id is remembered in the session that loaded the page (its last few, like
the proof of work's prefixes); its digits are drawn at random the first time that
session fetches the picture and kept in the cache only, never in the page or the
cookie, so a browser with JavaScript, which never fetches the picture, costs
nothing but the id. Any answer, right or wrong, spends the picture: a wrong one
gets a new picture, never a second guess at the same digits.

Reading five digits costs a script far less than the proof of work costs it, and
the proof of work grows harder per address while a picture does not, so this path
has its own, much tighter limit per address (settings.RATE_LIMITS
"register-picture"): each picture drawn and each answer posted counts, which also
bounds blind guessing. An accepted picture counts towards the address's
registrations like a solved proof of work, so that ramp sees it too.
"""

import hashlib
import hmac
import io
import math
import random
import secrets
import unicodedata
from collections.abc import MutableMapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw, ImageFont

from accounts.challenge import OPEN_PER_SESSION, registration_count

SESSION_KEY = "registration_pictures"
DIGITS_PREFIX = "reg-picture"
USED_PREFIX = "reg-picture-used"
RATE_SCOPE = "register-picture"
ID_LENGTH = 22  # secrets.token_urlsafe(16)
MAX_ANSWER_LENGTH = 20
WIDTH, HEIGHT = 240, 90
# No 1 or 7: tilted, this font draws them alike.
ALPHABET = "02345689"

MESSAGES = {
    "picture_missing": _("Vui lòng nhập các chữ số trong hình."),
    "picture_wrong": _(
        "Các chữ số chưa đúng. Vui lòng nhập các chữ số trong hình mới bên dưới."
    ),
    "picture_expired": _(
        "Hình kiểm tra đã hết hạn hoặc chưa được tải. Vui lòng nhập các chữ số "
        "trong hình mới bên dưới."
    ),
    "picture_reused": _(
        "Hình kiểm tra này đã được dùng. Vui lòng nhập các chữ số trong hình mới "
        "bên dưới."
    ),
    "picture_foreign": _(
        "Hình kiểm tra này không được cấp cho trình duyệt của bạn (trang đăng ký "
        "mở ở nơi khác, hoặc phiên làm việc đã hết). Vui lòng nhập các chữ số trong "
        "hình mới bên dưới."
    ),
}

Session = MutableMapping[str, Any]


def _digits_key(picture_id: str) -> str:
    return f"{DIGITS_PREFIX}:{picture_id}"


def _lifetime() -> int:
    return settings.REGISTRATION_CHALLENGE_MAX_AGE + 60


def picture_issue(session: Session) -> str:
    """A new picture id for this session; its digits are drawn when it is fetched."""
    picture_id = secrets.token_urlsafe(16)
    kept = list(session.get(SESSION_KEY, []))[-(OPEN_PER_SESSION - 1) :]
    session[SESSION_KEY] = [*kept, picture_id]
    return picture_id


def picture_digits(session: Session, picture_id: str) -> str | None:
    """The digits to draw for an open picture of this session; None otherwise."""
    if picture_id not in session.get(SESSION_KEY, []):
        return None
    if cache.get(f"{USED_PREFIX}:{picture_id}"):
        return None
    count = settings.REGISTRATION_PICTURE_DIGITS
    drawn = "".join(secrets.choice(ALPHABET) for _ in range(count))
    # add(): two fetches racing keep the first digits, so every copy shows the same.
    cache.add(_digits_key(picture_id), drawn, timeout=_lifetime())
    return cache.get(_digits_key(picture_id))


def picture_answer(picture_id: str) -> str | None:
    """The digits a fetched picture shows (for the organisers' tests), else None."""
    return cache.get(_digits_key(picture_id))


def normalize_answer(raw: str) -> str:
    """Full-width digits and spaces typed between the digits are accepted."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split())


def _error(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def picture_verify(
    session: Session, *, picture_id: str, answer: str, client: str = ""
) -> None:
    """Accept the right answer to a picture of this session once; raise otherwise.

    Any answer spends the picture, so each guess costs a new one."""
    open_ids = list(session.get(SESSION_KEY, []))
    if not picture_id or picture_id not in open_ids:
        raise _error("picture_foreign")
    session[SESSION_KEY] = [p for p in open_ids if p != picture_id]
    if not cache.add(f"{USED_PREFIX}:{picture_id}", 1, timeout=_lifetime()):
        raise _error("picture_reused")
    expected = cache.get(_digits_key(picture_id))
    cache.delete(_digits_key(picture_id))
    typed = normalize_answer(answer)
    if not typed:
        raise _error("picture_missing")
    if expected is None:
        raise _error("picture_expired")
    if len(typed) > MAX_ANSWER_LENGTH or not hmac.compare_digest(
        typed.encode(), expected.encode()
    ):
        raise _error("picture_wrong")
    registration_count(client)


# --- drawing -----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: no system font needs to be installed on the server.
    return ImageFont.load_default(size=size)


def _ink(rng: random.Random) -> tuple[int, int, int]:
    # Dark enough on the light ground for low vision (contrast well above 7:1).
    return (rng.randint(0, 60), rng.randint(0, 60), rng.randint(40, 110))


def picture_render(digits: str, *, seed: str) -> bytes:
    """A PNG of the digits, rotated, shifted, waved and crossed by lines.

    The same seed draws the same picture, so fetching it again gives a script no
    second look at the digits with other noise."""
    key = hmac.new(settings.SECRET_KEY.encode(), seed.encode(), hashlib.sha256)
    rng = random.Random(key.digest())
    ground = (rng.randint(238, 255), rng.randint(238, 255), rng.randint(225, 245))
    canvas = Image.new("RGB", (WIDTH, HEIGHT), ground)
    step = (WIDTH - 30) / max(1, len(digits))
    for index, digit in enumerate(digits):
        size = rng.randint(44, 56)
        tile = Image.new("RGBA", (70, 80), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text(
            (35, 40), digit, font=_font(size), fill=_ink(rng), anchor="mm"
        )
        tile = tile.rotate(rng.uniform(-22, 22), resample=Image.Resampling.BICUBIC)
        x = int(15 + index * step + step / 2 - 35 + rng.randint(-4, 4))
        y = int((HEIGHT - 80) / 2 + rng.randint(-6, 6))
        canvas.paste(tile, (x, y), tile)
    canvas = _wave(canvas, rng, ground)
    draw = ImageDraw.Draw(canvas)
    for _line in range(3):
        points = [(x, rng.randint(15, HEIGHT - 15)) for x in range(-10, WIDTH + 40, 40)]
        draw.line(points, fill=_ink(rng), width=rng.randint(1, 2), joint="curve")
    for _dot in range(160):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        shade = rng.randint(60, 200)
        draw.point((x, y), fill=(shade, shade, shade))
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def _wave(image: Image.Image, rng: random.Random, ground: tuple) -> Image.Image:
    """Shift each column up or down along a sine, so no digit stays straight."""
    amplitude = rng.uniform(4, 7)
    period = rng.uniform(70, 110)
    phase = rng.uniform(0, 2 * math.pi)
    waved = Image.new("RGB", image.size, ground)
    for x in range(0, WIDTH, 2):
        shift = round(amplitude * math.sin(2 * math.pi * x / period + phase))
        waved.paste(image.crop((x, 0, x + 2, HEIGHT)), (x, shift))
    return waved
