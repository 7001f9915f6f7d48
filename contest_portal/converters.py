import re

# A database id as requests carry it: ASCII digits, at most 18 (2**63 and beyond,
# "²", "1e5" or "abc" are no id at all). URLs and query parameters share it.
ROW_ID = "[0-9]{1,18}"
_ROW_ID = re.compile(ROW_ID)


def row_id(value: object) -> int | None:
    """The id a request parameter names, or None when it names none."""
    if not isinstance(value, str) or not _ROW_ID.fullmatch(value):
        return None
    return int(value)


class RowIdConverter:
    """A database id in a URL: at most 18 digits, so 2**63 and beyond are a 404, not a 500."""

    regex = ROW_ID

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
