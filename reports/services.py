from datetime import datetime

from django.utils import timezone

from accounts.models import User
from reports import xlsx
from reports.models import ExportLog


def export_log_create(
    *,
    user: User,
    kind: str,
    description: str,
    rows: int,
    includes_personal_data: bool,
    now: datetime | None = None,
) -> ExportLog:
    """Record one download: who, when, which list, how many rows, personal or not."""
    log = ExportLog(
        user=user,
        at=now or timezone.now(),
        kind=kind,
        description=xlsx.text(description)[:255],
        rows=rows,
        includes_personal_data=includes_personal_data,
    )
    log.full_clean()
    log.save()
    return log
