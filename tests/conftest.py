import time

import pytest
from django.core.cache import cache
from django.db import connection

from contest_portal import ratelimit
from rounds.page_cache import pages_forget
from rounds.selectors import draw_pools_forget, revisions_forget
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.factories import RoundFactory, UserFactory, make_bank
from tests.sms_gateway import sms_gateway  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and spent challenges must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_windows_pinned(monkeypatch):
    """Rate-limit windows are fixed slices of the clock: a test that crossed a
    slice's edge would see its counters start again. Pinned just after the start of
    a day, every window (a minute, an hour, a day) has barely begun."""
    day_start = time.time() // 86400 * 86400
    monkeypatch.setattr(ratelimit, "clock", lambda: day_start + 1.0)


@pytest.fixture
def browser():
    """Debian's headless Chromium (tests/browser.py), one per test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def bank():
    """Two topics of ten published questions each."""
    return make_bank(topics=2, per_topic=10)


@pytest.fixture
def round_(bank):
    """A round open now, drawing 5 questions from the bank, no prediction."""
    round_ = RoundFactory()
    round_.contest.topics.set(bank)
    return round_


@pytest.fixture
def contestant():
    return UserFactory()


def requires_postgres() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; SQLite serialises every write anyway",
    )


@pytest.fixture(autouse=True)
def _fresh_worker_caches():
    """Rolled-back ids come back in the next test: start each with empty worker caches."""
    revisions_forget()
    draw_pools_forget()
    pages_forget()
