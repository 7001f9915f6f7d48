import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.normalize import (
    clean_text,
    fold,
    normalize_citizen_id,
    normalize_email,
    normalize_phone,
)

# --- phone ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "+84912345678",
        "84912345678",
        "0084912345678",
        "0912.345.678",
        "0912-345-678",
        "(+84) 912-345-678",
        " 0912 345 678 ",
        "０９１２３４５６７８",
        "＋８４９１２３４５６７８",
    ],
    ids=[
        "national",
        "spaces",
        "plus-84",
        "84-prefix",
        "0084-prefix",
        "dots",
        "dashes",
        "brackets-and-dashes",
        "surrounding-spaces",
        "full-width-digits",
        "full-width-plus",
    ],
)
def test_phone_forms_give_the_national_form(typed):
    result = normalize_phone(typed)

    assert result == "0912345678"


@pytest.mark.parametrize(
    "typed",
    [
        "091234567",
        "09123456789",
        "09123456ab",
        "abcdefghij",
        "1234567890",
        "0012345678",
        "+8512345678",
        "",
        None,
        "   ",
        "٠٩١٢٣٤٥٦٧٨",
    ],
    ids=[
        "too-short",
        "too-long",
        "letters",
        "only-letters",
        "no-leading-zero",
        "zero-after-zero",
        "unassigned-country-code",
        "empty",
        "none",
        "blank",
        "arabic-indic-digits",
    ],
)
def test_invalid_phones_give_none(typed):
    result = normalize_phone(typed)

    assert result is None


STORED_PHONE = re.compile(r"0[1-9][0-9]{8,9}|\+[1-9][0-9]{6,14}")


@given(
    st.one_of(st.text(max_size=20), st.from_regex(r"\+?[0-9]{6,16}", fullmatch=True))
)
def test_a_normalized_phone_is_always_a_stored_form_and_stable(typed):
    result = normalize_phone(typed)

    if result is not None:
        assert STORED_PHONE.fullmatch(result)
        assert not result.startswith("+84")
        assert normalize_phone(result) == result


# --- citizen id ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["001090012345", "001 090 012 345", "001.090.012.345", "００１０９００１２３４５"],
    ids=["plain", "spaces", "dots", "full-width"],
)
def test_twelve_digit_citizen_ids_are_accepted(typed):
    result = normalize_citizen_id(typed)

    assert result == "001090012345"


@pytest.mark.parametrize(
    "typed",
    ["00109001234", "0010900123456", "00109001234a", "", None],
    ids=["eleven-digits", "thirteen-digits", "letter", "empty", "none"],
)
def test_other_citizen_ids_give_none(typed):
    result = normalize_citizen_id(typed)

    assert result is None


# --- text ------------------------------------------------------------------------


def test_clean_text_turns_decomposed_vietnamese_into_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn")

    result = clean_text(decomposed)

    assert decomposed != "Nguyễn"
    assert result == "Nguyễn"
    assert unicodedata.is_normalized("NFC", result)


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u200e", "\u202e", "\u2060", "\u2066", "\ufeff"],
    ids=[
        "zero-width-space",
        "zero-width-non-joiner",
        "zero-width-joiner",
        "left-to-right-mark",
        "right-to-left-override",
        "word-joiner",
        "left-to-right-isolate",
        "byte-order-mark",
    ],
)
def test_clean_text_removes_invisible_characters(invisible):
    result = clean_text(f"Trần{invisible} Văn{invisible}{invisible} An")

    assert result == "Trần Văn An"


def test_clean_text_collapses_and_trims_whitespace():
    result = clean_text("  Lê \t Thị\n\n Mai\u00a0 ")

    assert result == "Lê Thị Mai"


def test_clean_text_removes_nul():
    result = clean_text("Phạm\x00 Minh")

    assert result == "Phạm Minh"


@pytest.mark.parametrize("empty", ["", None], ids=["empty", "none"])
def test_clean_text_of_nothing_is_the_empty_string(empty):
    result = clean_text(empty)

    assert result == ""


def test_normalize_email_lowercases_and_trims():
    result = normalize_email("  Nguyen.An@Example.COM ")

    assert result == "nguyen.an@example.com"


def test_fold_strips_accents_and_the_vietnamese_d():
    result = fold("Đặng Thị Hồng")

    assert result == "dang thi hong"


def test_fold_matches_decomposed_and_composed_spellings():
    composed = "Nguyễn Đức Thắng"

    result = fold(unicodedata.normalize("NFD", composed))

    assert result == fold(composed) == "nguyen duc thang"
