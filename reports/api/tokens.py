"""Tokens of the JSON API: issued with a secret shown once, found by the secret's
digest, revoked for good, and every use on a token endpoint logged like a download."""

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User
from reports.models import ApiToken, ExportLog
from reports.services import export_log_create

# A recognisable start lets secret scanners and people tell a leaked token apart.
SECRET_PREFIX = "ctp_"
SECRET_BYTES = 32
# Longer than any secret we issue: a longer header is not worth hashing.
SECRET_MAX_LENGTH = 100
SHOWN_PREFIX_LENGTH = 12


def secret_digest(secret: str) -> str:
    # The secret carries 256 random bits: a fast hash is as safe as a slow one
    # here, and a request must not pay a password hash's CPU.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(
    *, token: ApiToken, by: User, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Save a new token with a fresh secret; the secret is returned, never stored."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token.prefix = secret[:SHOWN_PREFIX_LENGTH]
    token.digest = secret_digest(secret)
    token.created_by = by
    token.created_at = now or timezone.now()
    token.full_clean()
    token.save()
    return token, secret


def api_token_find(*, secret: str) -> ApiToken | None:
    """The token a request's secret names, revoked or expired ones included."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > SECRET_MAX_LENGTH:
        return None
    return ApiToken.objects.filter(digest=secret_digest(secret)).first()


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, by: User, now: datetime | None = None
) -> ApiToken:
    """Refuse the token from now on; revoking twice keeps the first revocation."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_roots(*, token: ApiToken) -> list[Unit] | None:
    """The units whose subtrees the token sees, none inside another; None for all."""
    if token.all_units:
        return None
    # A unit without its stored path would look like the root of every subtree.
    units = sorted((u for u in token.units.all() if u.path), key=lambda u: u.path)
    roots: list[Unit] = []
    for unit in units:
        if not any(unit.path.startswith(root.path) for root in roots):
            roots.append(unit)
    return roots


def unit_seen(*, roots: list[Unit] | None, unit: Unit) -> bool:
    """Whether a unit lies in one of the subtrees (paths end in "/": 5 is not 50)."""
    return roots is None or any(unit.path.startswith(root.path) for root in roots)


def api_token_use_log(
    *,
    token: ApiToken,
    kind: str,
    description: str,
    rows: int,
    personal: bool,
    now: datetime | None = None,
) -> ExportLog:
    """Record one read made with a token, in the log of downloads."""
    return export_log_create(
        user=None,
        api_token=token,
        kind=f"api-{kind}"[:40],
        description=description,
        rows=rows,
        includes_personal_data=personal,
        now=now,
    )
