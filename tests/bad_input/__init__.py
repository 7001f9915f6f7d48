"""The bad-input suite: every hostile or malformed value the portal must survive.

Each test records the inputs it really tried with `tried(...)`; the suite's
conftest prints the total at the end of the run ("N bad inputs tried").
"""

TRIED: list[str] = []


def tried(*labels: object) -> None:
    """Count inputs as tried; call it where the input is actually sent."""
    TRIED.extend(repr(label)[:80] for label in labels)
