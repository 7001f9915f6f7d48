"""The export worker outlives a database outage (reports/management/commands/db_worker).

These run without PostgreSQL: the library's loop is made to fail as it does when the
database goes away. tests/test_faults.py restarts a real PostgreSQL under the real
`manage.py db_worker` process.
"""

from unittest import mock

import pytest
from django.core.management import get_commands
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker as library
from django_tasks_db.models import DBTaskResult

from reports.management.commands import db_worker
from reports.tasks import run_export_job

# The worker closes every connection while it waits: no test-wide transaction.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def make_worker(*, batch: bool = False) -> db_worker.Worker:
    return db_worker.Worker(
        queue_names=["default"],
        interval=1,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_manage_py_db_worker_is_the_command_that_survives_outages():
    app = get_commands()["db_worker"]

    assert app == "reports", (
        "INSTALLED_APPS must list reports before django_tasks_db, or `manage.py "
        "db_worker` is the library's worker, which exits when the database restarts"
    )


def test_a_database_error_makes_the_worker_wait_and_carry_on():
    worker = make_worker()
    passes = [OperationalError("server closed the connection unexpectedly"), None]

    def library_run(self) -> None:
        if error := passes.pop(0):
            raise error

    with (
        mock.patch.object(library.Worker, "run", library_run),
        mock.patch.object(db_worker.time, "sleep") as sleep,
    ):
        worker.run()

    assert passes == []
    sleep.assert_called_once_with(db_worker.RETRY_FIRST_SECONDS)


def test_the_wait_backs_off_while_the_database_stays_away():
    worker = make_worker()
    probes = [OperationalError("refused")] * 5 + [None]

    def probe() -> None:
        if error := probes.pop(0):
            raise error

    with (
        mock.patch.object(worker, "_probe", probe),
        mock.patch.object(db_worker.time, "sleep") as sleep,
    ):
        worker._wait_for_database()

    assert [call.args[0] for call in sleep.call_args_list] == [1, 2, 4, 8, 15, 15]


def test_a_batch_run_still_stops_at_a_database_error():
    worker = make_worker(batch=True)
    error = OperationalError("refused")

    with (
        mock.patch.object(library.Worker, "run", side_effect=error),
        pytest.raises(OperationalError),
    ):
        worker.run()


def test_a_task_the_outage_interrupted_is_stored_as_failed_once_the_database_is_back():
    task_result = DBTaskResult.objects.get(id=run_export_job.enqueue(job_id=1).id)
    worker = make_worker()
    outage = OperationalError("terminating connection due to administrator command")

    with (
        mock.patch.object(library.Worker, "run_task", side_effect=outage),
        pytest.raises(OperationalError),
    ):
        worker.run_task(task_result)
    with mock.patch.object(db_worker.time, "sleep"):
        worker._wait_for_database()

    task_result.refresh_from_db()
    assert task_result.status == "FAILED"
    assert task_result.exception_class_path == "django.db.utils.OperationalError"
    assert worker._unrecorded is None
