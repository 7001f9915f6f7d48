"""Compile every locale/<lang>/LC_MESSAGES/*.po next to it as a .mo, in pure Python.

Why not `manage.py compilemessages`: it shells out to GNU gettext's `msgfmt`, which
a fresh machine or the python:3.11-slim image does not have. The GNU .mo layout is
small (a header, two offset tables, the strings), and this is the algorithm of
CPython's own Tools/i18n/msgfmt.py, with message contexts and plural forms.
No third-party package either, so the Dockerfile's production install needs nothing
extra. The .mo files are built, not committed: `make test`, `make run` and the
Dockerfile run this script, and tests/test_admin_vietnamese.py fails when a .mo is
missing or older than its .po.

    python locale/msgfmt.py           # write the .mo files
    python locale/msgfmt.py --check   # exit 1 if one is missing or stale
"""

import ast
import struct
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent
MAGIC = 0x950412DE


def parse_po(text: str) -> dict[bytes, bytes]:
    """msgid (with "context\\x04" and "\\0plural") -> msgstr, translated entries only."""
    messages: dict[bytes, bytes] = {}
    entry: dict[str, str] = {}
    plural_forms: dict[int, str] = {}
    fuzzy = False
    field = ""

    def flush() -> None:
        nonlocal entry, plural_forms, fuzzy, field
        if "msgid" in entry and not fuzzy:
            key = entry["msgid"]
            if "msgid_plural" in entry:
                key += "\0" + entry["msgid_plural"]
                forms = [plural_forms[i] for i in sorted(plural_forms)]
                value = "\0".join(forms) if forms and all(forms) else ""
            else:
                value = entry.get("msgstr", "")
            if "msgctxt" in entry:
                key = entry["msgctxt"] + "\x04" + key
            # Untranslated entries are left out, so Django's own catalogue answers.
            if value or key == "":
                messages[key.encode()] = value.encode()
        entry, plural_forms, fuzzy, field = {}, {}, False, ""

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if field.startswith("msgstr"):
                flush()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        elif keyword in {"msgctxt", "msgid"} and field.startswith("msgstr"):
            flush()
        try:
            value = ast.literal_eval(rest)
        except (SyntaxError, ValueError) as error:
            raise ValueError(f"line {number}: cannot read {raw!r}") from error
        if not isinstance(value, str):
            raise ValueError(f"line {number}: expected a quoted string: {raw!r}")
        if keyword.startswith("msgstr["):
            field = keyword
            plural_forms[int(keyword[7:-1])] = value
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            field = keyword
            entry[field] = value
        elif keyword == "" and field.startswith("msgstr["):
            plural_forms[int(field[7:-1])] += value
        elif keyword == "" and field:
            entry[field] += value
        else:
            raise ValueError(f"line {number}: unexpected {raw!r}")
    flush()
    return messages


def mo_bytes(messages: dict[bytes, bytes]) -> bytes:
    """The GNU .mo layout, keys sorted, no hash table (gettext readers need none)."""
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_table: list[int] = []
    value_table: list[int] = []
    for id_offset, id_length, str_offset, str_length in offsets:
        key_table += [id_length, id_offset + key_start]
        value_table += [str_length, str_offset + value_start]
    header = struct.pack(
        "<Iiiiiii", MAGIC, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0
    )
    table = struct.pack(f"<{len(key_table) * 2}i", *key_table, *value_table)
    return header + table + ids + strs


def compile_po(po_path: Path) -> bytes:
    return mo_bytes(parse_po(po_path.read_text(encoding="utf-8")))


def catalogues(root: Path = LOCALE_DIR) -> list[Path]:
    return sorted(root.glob("*/LC_MESSAGES/*.po"))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        compiled = compile_po(po_path)
        if mo_path.exists() and mo_path.read_bytes() == compiled:
            continue
        if check:
            stale.append(mo_path)
        else:
            mo_path.write_bytes(compiled)
            print(f"compiled {mo_path.relative_to(LOCALE_DIR.parent)}")
    for mo_path in stale:
        print(f"missing or stale: {mo_path} (run: python locale/msgfmt.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
