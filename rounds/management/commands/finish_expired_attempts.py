import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from rounds.services import attempts_finish_expired

logger = logging.getLogger(__name__)

# A sweep at least this often keeps every late attempt open for under two minutes.
MAX_EVERY_SECONDS = 110


class Command(BaseCommand):
    help = (
        "Nộp tự động mọi bài thi đã quá hạn nộp (kể cả thời gian gia hạn). "
        "Với --every N: lặp lại mỗi N giây cho đến khi nhận SIGTERM/SIGINT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="GIÂY",
            help="Chạy liên tục, quét lại sau mỗi GIÂY giây (ví dụ 30).",
        )

    def handle(self, *args: Any, every: float = 0, **options: Any) -> None:
        if not every:
            self._sweep()
            return
        if not 0 < every <= MAX_EVERY_SECONDS:
            raise CommandError(
                f"--every phải trong khoảng (0, {MAX_EVERY_SECONDS}] giây."
            )
        stop = threading.Event()
        previous = {
            sig: signal.signal(sig, lambda *_: stop.set())
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while not stop.is_set():
                try:
                    self._sweep()
                except DatabaseError:
                    # The database is away (restart, failover): try again next pass.
                    logger.exception("finish_expired_attempts: database error")
                finally:
                    close_old_connections()
                stop.wait(every)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Đã dừng.")

    def _sweep(self) -> None:
        finished = attempts_finish_expired()
        self.stdout.write(f"Đã nộp tự động {finished} bài thi quá hạn.")
