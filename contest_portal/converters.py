class RowIdConverter:
    """A database id in a URL: at most 18 digits, so 2**63 and beyond are a 404, not a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
