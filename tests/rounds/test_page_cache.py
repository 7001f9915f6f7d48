"""Anonymous visitors share a few-seconds-old contest page; nobody else ever does."""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from rounds import page_cache
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def contest_url(round_):
    return reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})


def test_a_second_anonymous_visitor_gets_the_page_without_a_query(
    client, contest_url, django_assert_num_queries
):
    first = client.get(contest_url)

    with django_assert_num_queries(0):
        second = client.get(contest_url)

    assert second.status_code == 200
    assert _without_now(second.text) == _without_now(first.text)
    assert len(_cache_keys()) == 1


def test_the_countdown_of_a_kept_page_starts_from_the_present(
    client, contest_url, monkeypatch
):
    client.get(contest_url)
    later = timezone.now() + timedelta(seconds=7)
    monkeypatch.setattr(timezone, "now", lambda: later)

    page = client.get(contest_url).text

    shown = set(re.findall(r'data-now="([^"]+)"', page))
    assert shown
    assert all(
        abs(datetime.fromisoformat(s) - later) < timedelta(seconds=1) for s in shown
    )


def test_a_signed_in_contestant_always_gets_a_fresh_page(client, contest_url):
    client.get(contest_url)  # kept for anonymous visitors
    client.force_login(UserFactory())

    page = client.get(contest_url).text

    assert "Vào thi" in page or "vao-thi" in page
    assert "Đăng ký dự thi" not in page


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(
    client, contest_url, django_assert_max_num_queries
):
    client.get(contest_url)
    client.cookies["messages"] = "pending"

    with django_assert_max_num_queries(10) as queries:
        client.get(contest_url)

    assert len(queries) > 0


@pytest.mark.parametrize(
    ("seconds_to_boundary", "kept"),
    [(3600, 10), (4.5, 4), (0.5, 0)],
    ids=["far", "soon", "now"],
)
def test_a_page_is_never_kept_past_a_round_opening_or_closing(
    seconds_to_boundary, kept
):
    now = datetime(2026, 11, 23, 23, 59, 0, tzinfo=VN)

    seconds = page_cache.fresh_for(
        boundaries=[
            now - timedelta(days=1),
            now + timedelta(seconds=seconds_to_boundary),
        ],
        now=now,
    )

    assert seconds == kept


def test_a_round_closing_within_the_cache_time_is_shown_closed_at_once(client):
    round_ = RoundFactory(closes_at=timezone.now() + timedelta(milliseconds=600))
    url = reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})

    client.get(url)
    assert _cache_keys() == []  # under a second to the close: not kept at all


def _without_now(html: str) -> str:
    return re.sub(r'data-now="[^"]*"', "", html)


def _cache_keys() -> list[str]:
    from django.core.cache import cache

    return [k for k in getattr(cache, "_cache", {}) if "page:" in k]


def test_a_worker_serves_its_own_copy_until_the_shared_one_expires(
    client, contest_url, monkeypatch
):
    from django.core.cache import cache

    client.get(contest_url)  # rendered and kept
    client.get(contest_url)  # read from the shared cache, copied by this worker
    reads = []
    original_get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda *a, **k: reads.append(a) or original_get(*a, **k)
    )

    again = client.get(contest_url)

    assert again.status_code == 200
    assert reads == []  # this worker's copy: no cache round trip
    # Past the shared copy's expiry, the worker's copy is not used either.
    later = time.time() + page_cache.PAGE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    cache.clear()
    fresh = client.get(contest_url)
    assert fresh.status_code == 200
    assert len(reads) == 1  # looked for the shared copy, found none, rendered
