from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from reports import catalogue, xlsx
from reports.models import ApiToken, ExportJob, ExportLog
from reports.tasks import run_export_job


def export_log_create(
    *,
    user: User | None,
    kind: str,
    description: str,
    rows: int,
    includes_personal_data: bool,
    api_token: ApiToken | None = None,
    now: datetime | None = None,
) -> ExportLog:
    """Record one download: who (or which API token), when, which list, how many
    rows, personal or not."""
    log = ExportLog(
        user=user,
        api_token=api_token,
        at=now or timezone.now(),
        kind=kind,
        description=xlsx.text(description)[:255],
        rows=rows,
        includes_personal_data=includes_personal_data,
    )
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def export_job_start(
    *, user: User, kind: str, key: str, personal: bool, now: datetime | None = None
) -> ExportJob:
    """Queue a background export the user may take; it runs in `manage.py db_worker`."""
    if kind not in catalogue.KINDS:
        raise ValidationError(_("Loại danh sách không hợp lệ."), code="unknown_kind")
    personal = personal or kind in catalogue.PERSONAL_KINDS
    if personal and not user.has_perm("reports.export_personal_data"):
        raise PermissionDenied
    prepared = catalogue.prepare(kind=kind, key=key, personal=personal, by=user)
    job = ExportJob.objects.create(
        user=user,
        kind=kind,
        key=key,
        personal=personal,
        description=xlsx.text(prepared.description)[:255],
        created_at=now or timezone.now(),
    )
    transaction.on_commit(lambda: run_export_job.enqueue(job_id=job.pk))
    return job
