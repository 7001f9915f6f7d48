"""Normalisation of what people type: pure functions, standard library only.

Every text a person enters is NFC-normalised and trimmed, so "Nguyễn" typed on two
keyboards is one name. Phone numbers become the national 10-digit form (0xxxxxxxxx)
so that "0912 345 678", "+84912345678" and "84912345678" are one login.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Zero-width and bidirectional controls hide in pasted text and make two
# identical-looking names differ.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_NATIONAL_PHONE = re.compile(r"0[1-9]\d{8}")
_CITIZEN_ID = re.compile(r"\d{12}")


def clean_text(value: str | None) -> str:
    """NFC, invisible characters removed, runs of whitespace collapsed, trimmed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value.replace("\x00", ""))
    value = _INVISIBLE.sub("", value)
    return _SPACES.sub(" ", value).strip()


def normalize_phone(value: str | None) -> str | None:
    """The national form 0xxxxxxxxx, or None when it is not a Vietnamese number."""
    if not value:
        return None
    # NFKC turns full-width digits and the full-width plus into ASCII.
    digits = _PHONE_SEPARATORS.sub("", _digits_text(value))
    if digits.startswith("+84"):
        digits = "0" + digits[3:].removeprefix("0")  # "+84 0912..." is common
    elif digits.startswith("0084"):
        digits = "0" + digits[4:].removeprefix("0")
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not digits.isascii() or not _NATIONAL_PHONE.fullmatch(digits):
        return None
    return digits


def normalize_citizen_id(value: str | None) -> str | None:
    """Twelve ASCII digits, or None when the value is not a citizen ID number."""
    if not value:
        return None
    digits = _PHONE_SEPARATORS.sub("", _digits_text(value))
    if not digits.isascii() or not _CITIZEN_ID.fullmatch(digits):
        return None
    return digits


def _digits_text(value: str) -> str:
    """NFKC (full-width digits become ASCII) without pasted invisible characters."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", value))


def normalize_email(value: str | None) -> str:
    """Trimmed, NFC, lower case: addresses are compared case-insensitively."""
    return clean_text(value).lower()


def fold(value: str) -> str:
    """Accent-free lower case for searching: "Đặng" and "dang" fold alike."""
    decomposed = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return clean_text(stripped).casefold()
