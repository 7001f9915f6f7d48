"""The sweeper: no attempt stays open past deadline + grace, none is closed early."""

import os
import signal
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rounds import services
from rounds.models import Attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def started_ago(round_, seconds: float) -> Attempt:
    began = timezone.now() - timedelta(seconds=seconds)
    return services.attempt_start(user=UserFactory(), round_=round_, now=began).attempt


@pytest.fixture
def late_and_in_time(round_):
    """Attempts past deadline + grace, past the deadline only, and running."""
    limit, grace = round_.time_limit_seconds, round_.grace_seconds
    return {
        "long-gone": started_ago(round_, limit + 3600),
        "just-past-grace": started_ago(round_, limit + grace + 2),
        "inside-grace": started_ago(round_, limit + grace - 7),
        "running": started_ago(round_, 5),
    }


def statuses(attempts: dict[str, Attempt]) -> dict[str, str]:
    return {
        name: Attempt.objects.get(pk=attempt.pk).status
        for name, attempt in attempts.items()
    }


EXPECTED = {
    "long-gone": "finished",
    "just-past-grace": "finished",
    "inside-grace": "open",
    "running": "open",
}


def test_one_pass_finishes_only_attempts_past_deadline_and_grace(late_and_in_time):
    out = StringIO()

    call_command("finish_expired_attempts", stdout=out)

    assert statuses(late_and_in_time) == EXPECTED
    assert "Đã nộp tự động 2 bài thi quá hạn." in out.getvalue()
    assert not Attempt.objects.filter(
        status=Attempt.Status.OPEN,
        deadline__lt=timezone.now() - timedelta(seconds=10),
    ).exists()


def test_the_loop_sweeps_until_sigterm_then_stops(late_and_in_time):
    out = StringIO()
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        call_command("finish_expired_attempts", every=0.2, stdout=out)
    finally:
        timer.cancel()

    lines = out.getvalue().splitlines()
    assert statuses(late_and_in_time) == EXPECTED
    assert lines[0] == "Đã nộp tự động 2 bài thi quá hạn."
    assert lines[-1] == "Đã dừng."
    assert len(lines) >= 4  # it kept sweeping until told to stop
    assert signal.getsignal(signal.SIGTERM) == before


def test_the_loop_refuses_an_interval_that_could_exceed_two_minutes(round_):
    with pytest.raises(CommandError, match="--every"):
        call_command("finish_expired_attempts", every=600)
