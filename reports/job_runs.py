"""A queued export job run by the background worker: the one writer of a job's
result (status, rows, file, error)."""

import tempfile
from datetime import datetime

from django.core.files import File
from django.utils import timezone

from contest_portal.db_router import replica_reads
from reports import catalogue
from reports.models import ExportJob


def export_job_run(*, job_id: int, now: datetime | None = None) -> ExportJob:
    """Write a queued job's file (a workbook, or the ranking's PDF) to storage; the
    one writer of its result."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    try:
        prepared = catalogue.prepare(
            kind=job.kind, key=job.key, personal=job.personal, by=job.user
        )
        with tempfile.TemporaryFile() as target, replica_reads():
            rows = prepared.write(target)
            target.seek(0)
            name = f"bao-cao-{job.pk}.{prepared.extension}"
            job.file.save(name, File(target), save=False)
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
