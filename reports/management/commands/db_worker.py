"""`manage.py db_worker`: django_tasks_db's export worker, kept alive across outages.

The library's worker exits on the first database error other than a locked SQLite
file, so one PostgreSQL restart stopped every export until someone restarted the
worker by hand. This command has the library's options and runs its Worker loop, but
waits for the database with back-off and carries on. It shadows the library's command
because reports comes before django_tasks_db in INSTALLED_APPS.
"""

import os
import time
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.management.base import CommandError
from django.db import DatabaseError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as library
from django_tasks_db.models import DBTaskResult

logger = library.logger  # the library's, so --verbosity sets its level

RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 15.0


class Worker(library.Worker):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # A task the outage interrupted, and the error, until its failure is stored.
        self._unrecorded: tuple[DBTaskResult, DatabaseError] | None = None

    def run(self) -> None:
        while True:
            try:
                super().run()
            except DatabaseError:
                # A batch run is retried by whoever scheduled it.
                if self.batch or not self.running:
                    raise
                logger.exception(
                    "Database error; worker_id=%s waits for the database.",
                    self.worker_id,
                )
                # The first start's random delay already spread a pool of workers.
                self.startup_delay = False
                self._wait_for_database()
            else:
                return

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except DatabaseError as error:
            # The task ended but the database refused its result: store it later,
            # or the task would show as running for ever.
            self._unrecorded = (db_task_result, error)
            raise

    def _wait_for_database(self) -> None:
        """Sleep with back-off until the task table answers again."""
        delay = RETRY_FIRST_SECONDS
        while self.running:
            connections.close_all()
            time.sleep(delay)
            try:
                self._probe()
            except DatabaseError as error:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                logger.warning(
                    "Database still unavailable (%s); worker_id=%s retries in %.0f s.",
                    (str(error).strip() or type(error).__name__).splitlines()[0],
                    self.worker_id,
                    delay,
                )
            else:
                logger.info("Database back; worker_id=%s resumes.", self.worker_id)
                return

    def _probe(self) -> None:
        """Read the task table as the worker does; then store an interrupted result."""
        DBTaskResult.objects.filter(backend_name=self.backend_name).exists()
        if self._unrecorded is not None:
            task_result, error = self._unrecorded
            task_result.set_failed(error)
            self._unrecorded = None
            # As the library does after storing a failure (its log line included).
            try:
                sender = type(task_result.task.get_backend())
            except (ImportError, SuspiciousOperation):
                logger.exception("Task id=%s failed unexpectedly", task_result.id)
            else:
                library.task_finished.send(
                    sender=sender, task_result=task_result.task_result
                )


class Command(library.Command):
    help = (
        "Chạy các việc nền (tạo báo cáo); tiếp tục chạy khi cơ sở dữ liệu "
        "khởi động lại."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        # Mirrors django_tasks_db 0.13's Command.handle with our Worker.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning(
                "Warning: --reload and --batch cannot be specified together. "
                "Disabling autoreload."
            )
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")

        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
