"""Whose personal data has outlived its purpose (settings.PERSONAL_DATA_RETENTION_DAYS)."""

from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from accounts.models import User
from rounds.models import Attempt, Contest, ContestCommitteeMember


def contestant_list_due_for_anonymisation(
    *, now: datetime, retention_days: int
) -> QuerySet[User]:
    """Contestants not yet anonymised whose every contest closed before the window.

    A contest closes with its last round. Someone who never took part is due once
    their registration is older than the window. Nobody who logged in within the
    window is due: they may be about to enter a new contest. Staff, committee
    members and unit managers are never due: their accounts are roles, not entries.
    """
    cutoff = now - timedelta(days=retention_days)
    recent_contests = (
        Contest.objects.annotate(last_close=Max("rounds__closes_at"))
        .filter(Q(last_close__gte=cutoff) | Q(last_close__isnull=True))
        .values("pk")
    )
    took_part = Attempt.objects.filter(user=OuterRef("pk"))
    in_recent = took_part.filter(round__contest__in=recent_contests)
    idle = Q(last_login__isnull=True) | Q(last_login__lt=cutoff)
    return (
        User.objects.filter(
            anonymised_at__isnull=True,
            is_staff=False,
            is_superuser=False,
            managed_unit__isnull=True,
        )
        .exclude(Exists(ContestCommitteeMember.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(in_recent))
        .filter(idle)
        .filter(Exists(took_part) | Q(date_joined__lt=cutoff))
        .order_by("pk")
    )
