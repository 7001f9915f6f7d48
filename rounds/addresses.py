"""A contest's public address from its Vietnamese title, and an attempt's addresses."""

import re
from collections.abc import Collection

from django.urls import reverse
from django.utils.text import slugify

from accounts.normalize import fold
from contest_portal.template_urls import kept_reverse

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


# What reverse() puts in an address unchanged: every public id the portal makes
# (rounds.models.new_public_id, URL-safe base64).
_URL_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")
_PLACEHOLDER = "0ATTEMPT-PUBLIC-ID0"


def attempt_url(view_name: str, public_id: str) -> str:
    """reverse(view_name, kwargs={"public_id": public_id}), for the views of one
    attempt (its page, save, submit, summary and result), without a reverse() per
    attempt: the view's address is reversed once per process with a placeholder id
    (kept_reverse) and the attempt's id put in its place, as reverse() would put it
    (unchanged, being URL-safe). Any other id is reversed as Django does."""
    if not _URL_SAFE_ID.fullmatch(public_id):
        return reverse(view_name, kwargs={"public_id": public_id})
    return kept_reverse(view_name, (), (("public_id", _PLACEHOLDER),)).replace(
        _PLACEHOLDER, public_id
    )
