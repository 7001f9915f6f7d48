"""When another SMS code may go (accounts.code_policy, pure)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.code_policy import send_wait

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def wait(*ago_seconds: int, per_day: int = 5) -> int | None:
    sent = [NOW - timedelta(seconds=s) for s in ago_seconds]
    return send_wait(sent=sent, now=NOW, cooldown=MINUTE, per_day=per_day)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        pytest.param((), None, id="first-code"),
        pytest.param((10,), 50, id="cooldown-left"),
        pytest.param((60,), None, id="cooldown-over"),
        pytest.param((59.5,), 1, id="part-of-a-second-is-one"),
        pytest.param((100, 200, 300, 400), None, id="four-today"),
        pytest.param((100, 200, 300, 400, 500), 86400 - 500, id="fifth-waits-a-day"),
        pytest.param((86400, 86401, 90000, 99000, 99999), None, id="yesterday-free"),
    ],
)
def test_send_wait(ago, expected):
    assert wait(*ago) == expected


def test_the_longer_of_the_two_waits_counts():
    assert wait(10, 20, 30, 40, 50) == 86400 - 50


def test_no_codes_at_all_when_the_day_allows_none():
    assert wait(per_day=0) == 86400


@given(st.lists(st.integers(min_value=0, max_value=3 * 86400), max_size=12))
def test_waiting_the_answer_always_allows_the_next_code(ago):
    sent = [NOW - timedelta(seconds=s) for s in ago]
    seconds = send_wait(sent=sent, now=NOW, cooldown=MINUTE, per_day=5)

    later = NOW + timedelta(seconds=seconds or 0)

    assert send_wait(sent=sent, now=later, cooldown=MINUTE, per_day=5) is None
    if seconds and seconds > 1:
        earlier = later - timedelta(seconds=1)
        assert send_wait(sent=sent, now=earlier, cooldown=MINUTE, per_day=5)
