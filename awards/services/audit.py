"""The append-only decision log: every decision about results, who, when, why."""

from datetime import datetime

from django.utils import timezone

from accounts.models import User
from awards.models import AuditEntry
from rounds.models import Contest, Round


def audit(
    *,
    actor: User,
    action: str,
    contest: Contest | None,
    round_: Round | None = None,
    reason: str = "",
    data: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one decision to the audit log."""
    return AuditEntry.objects.create(
        actor=actor,
        at=now or timezone.now(),
        action=action,
        contest=contest,
        round=round_,
        reason=reason,
        data=data or {},
    )
