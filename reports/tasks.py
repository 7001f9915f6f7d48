from django_tasks import task

from reports.job_runs import export_job_run


@task()
def run_export_job(job_id: int) -> int:
    """Background entry point of an export job; returns the number of rows."""
    return export_job_run(job_id=job_id).rows
