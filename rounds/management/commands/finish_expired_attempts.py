from typing import Any

from django.core.management.base import BaseCommand

from rounds.services import attempts_finish_expired


class Command(BaseCommand):
    help = "Nộp tự động mọi bài thi đã quá hạn nộp (kể cả thời gian gia hạn)."

    def handle(self, *args: Any, **options: Any) -> None:
        finished = attempts_finish_expired()
        self.stdout.write(f"Đã nộp tự động {finished} bài thi quá hạn.")
