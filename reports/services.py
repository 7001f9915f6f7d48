import tempfile
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contest_portal.db_router import replica_reads
from reports import jobs, xlsx
from reports.models import ExportJob, ExportLog


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


@transaction.atomic
def export_job_start(
    *, user: User, kind: str, key: str, personal: bool, now: datetime | None = None
) -> ExportJob:
    """Queue a background export the user may take; it runs in `manage.py db_worker`."""
    from reports.tasks import run_export_job

    if kind not in jobs.KINDS:
        raise ValidationError(_("Loại danh sách không hợp lệ."), code="unknown_kind")
    personal = personal or kind in jobs.PERSONAL_KINDS
    if personal and not user.has_perm("reports.export_personal_data"):
        raise PermissionDenied
    prepared = jobs.prepare(kind=kind, key=key, personal=personal, by=user)
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


def export_job_run(*, job_id: int, now: datetime | None = None) -> ExportJob:
    """Write a queued job's workbook to storage; the one writer of its result."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    try:
        prepared = jobs.prepare(
            kind=job.kind, key=job.key, personal=job.personal, by=job.user
        )
        with tempfile.TemporaryFile() as target, replica_reads():
            rows = prepared.write(target)
            target.seek(0)
            job.file.save(f"bao-cao-{job.pk}.xlsx", File(target), save=False)
    except Exception as error:  # the job page must say it failed, whatever the cause
        job.status = ExportJob.Status.FAILED
        job.error = str(error)[:2000]
        job.finished_at = now or timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.rows = rows
    job.status = ExportJob.Status.DONE
    job.finished_at = now or timezone.now()
    job.save(update_fields=["rows", "status", "file", "finished_at"])
    return job
