"""Numbers as Vietnamese readers write them in running text: 1.234.567."""


def thousands(value: int) -> str:
    """An integer with dots between the groups of three digits."""
    return f"{value:,}".replace(",", ".")
