"""Normalisation of what people type: pure functions, no Django.

Every text a person enters is NFC-normalised and trimmed, so "Nguyễn" typed on two
keyboards is one name. Phone numbers are checked against Google's numbering plans
(the `phonenumbers` library, the one import from outside the standard library).
A Vietnamese number is stored in its national form, "0" and the significant
number: "0912 345 678", "+84912345678" and "84912345678" are one login,
0912345678, and a landline such as 024 3825 1234 is 02438251234. Any other
country's number is stored in E.164, "+12025550123"; it must be typed with its
country code, since digits alone are read as a Vietnamese number.
"""

import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberType

_SPACES = re.compile(r"\s+")
# Zero-width and bidirectional controls hide in pasted text and make two
# identical-looking names differ.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Only digits and a leading plus: the library would also read letters
# ("1-800-FLOWERS"), extensions and trailing junk ("0912345678x").
_PHONE_TYPED = re.compile(r"\+?[0-9]{1,20}")
# The two stored forms; the user table's check constraint holds the same patterns.
_NATIONAL_PHONE = re.compile(r"0[1-9][0-9]{8,9}")
_E164_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_LEGACY_NATIONAL_PHONE = re.compile(r"0[1-9]\d{8}")
_VIETNAM = "VN"
_VIETNAM_CALLING_CODE = 84
# Numbers a person answers. Toll-free, premium-rate, shared-cost, pager, UAN and
# voicemail numbers are valid but belong to no one contestant (and Vietnamese
# 1800/1900 numbers have no national "0" form).
_PERSONAL_TYPES = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.VOIP,
    }
)
_CITIZEN_ID = re.compile(r"\d{12}")


def clean_text(value: str | None) -> str:
    """NFC, invisible characters removed, runs of whitespace collapsed, trimmed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value.replace("\x00", ""))
    value = _INVISIBLE.sub("", value)
    return _SPACES.sub(" ", value).strip()


def normalize_phone(value: str | None) -> str | None:
    """The stored form of a valid personal number, or None when it is not one.

    Vietnamese numbers give the national form (0912345678, 02438251234), all
    others E.164 (+12025550123). Digits without a "+" are read as Vietnamese;
    "00" is Vietnam's international prefix, so 001 202 555 0123 is +12025550123.
    """
    if not value:
        return None
    # NFKC turns full-width digits and the full-width plus into ASCII.
    typed = _PHONE_SEPARATORS.sub("", _digits_text(value))
    if not typed.isascii() or not _PHONE_TYPED.fullmatch(typed):
        return None
    try:
        number = phonenumbers.parse(typed, _VIETNAM)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in _PERSONAL_TYPES:
        return None
    if number.country_code == _VIETNAM_CALLING_CODE:
        stored = "0" + phonenumbers.national_significant_number(number)
        return stored if _NATIONAL_PHONE.fullmatch(stored) else None
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return stored if _E164_PHONE.fullmatch(stored) else None


def legacy_national_phone(value: str | None) -> str | None:
    """The 10-digit form the old, looser check stored, for finding old accounts.

    Accounts made before numbers were checked against the numbering plans may
    hold a number the plans call invalid (an old prefix, a typo); their owners
    still log in with it. Never use this to accept a new number.
    """
    if not value:
        return None
    digits = _PHONE_SEPARATORS.sub("", _digits_text(value))
    if digits.startswith("+84"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0084"):
        digits = "0" + digits[4:].removeprefix("0")
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not digits.isascii() or not _LEGACY_NATIONAL_PHONE.fullmatch(digits):
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
