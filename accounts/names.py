"""What a person's name may contain: pure, standard library only.

Contract: `name_problem` takes a name already cleaned by normalize.clean_text (NFC,
no invisible characters) and returns None when it may be stored, else a code:

- NO_LETTERS: nothing in it is a letter ("12345", "...").
- SYMBOLS: a character that is neither a letter, a combining mark, a digit, a space
  nor one of ' ’ - . (emoji, "<", ";", "=", currency and maths signs).
- STACKED_MARKS: more than two combining marks on one letter. Vietnamese needs at
  most two (ệ = e + circumflex + dot), and NFC leaves none; long stacks only blur
  how the name looks on screen and on a certificate.
- MIXED_SCRIPTS: letters from more than one script, e.g. a Cyrillic "А" inside a
  Vietnamese name: it looks the same and defeats every search and duplicate check.
  A name wholly in another script (a foreign resident's) is accepted.
"""

import unicodedata

NO_LETTERS = "invalid_name"
SYMBOLS = "name_symbols"
STACKED_MARKS = "name_stacked_marks"
MIXED_SCRIPTS = "name_mixed_scripts"

_ALLOWED_PUNCTUATION = frozenset(" '’-.")
_MAX_MARKS_PER_LETTER = 2


def _script(letter: str) -> str:
    """The script of a letter from its Unicode name: LATIN, CYRILLIC, GREEK..."""
    name = unicodedata.name(letter, "")
    for prefix in ("CJK", "HANGUL", "HIRAGANA", "KATAKANA"):
        if name.startswith(prefix):
            return prefix
    return name.split(" ", 1)[0]


def name_problem(name: str) -> str | None:
    """None when the name may be stored, else why not (a code above)."""
    scripts: set[str] = set()
    marks = 0
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("L"):
            scripts.add(_script(char))
            marks = 0
        elif category.startswith("M"):
            marks += 1
            if marks > _MAX_MARKS_PER_LETTER:
                return STACKED_MARKS
        elif category == "Nd" or char in _ALLOWED_PUNCTUATION:
            marks = 0
        else:
            return SYMBOLS
    if not scripts:
        return NO_LETTERS
    if len(scripts) > 1:
        return MIXED_SCRIPTS
    return None
