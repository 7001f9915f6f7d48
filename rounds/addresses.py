"""A contest's public address from its Vietnamese title."""

from collections.abc import Collection

from django.utils.text import slugify

from accounts.normalize import fold

SLUG_MAX_LENGTH = 100  # rounds.models.Contest.slug


def contest_slug_from_title(title: str, *, taken: Collection[str] = ()) -> str:
    """ "Chuyển đổi số" becomes "chuyen-doi-so": accents dropped, not the letters
    that carry them; "-2", "-3"… when the address is taken."""
    base = slugify(fold(title))[:SLUG_MAX_LENGTH].strip("-") or "cuoc-thi"
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = f"{base[: SLUG_MAX_LENGTH - len(suffix)].rstrip('-')}{suffix}"
    return slug
