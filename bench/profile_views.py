"""CPU per request of each step of an attempt, by cProfile in one process.

Run explicitly (it is not in the test suite), on PostgreSQL and Redis as production:

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/8 \
    .venv/bin/python -m pytest bench/profile_views.py -q -s -p no:cacheprovider

Production's cache (Redis, sessions in it), DEBUG off and the rate limits on (raised,
so the repetitions are not refused). Prints the CPU milliseconds per request of each
step and its SQL count; PROFILE_TOP=<step> also prints that step's hottest functions.
"""

import cProfile
import gc
import io
import os
import pstats
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import QuestionRevision
from rounds.selectors import revisions_get
from tests.factories import RoundFactory, UserFactory, make_bank

pytestmark = pytest.mark.django_db

REPEAT = int(os.environ.get("PROFILE_REPEAT", "30"))
TOP = os.environ.get("PROFILE_TOP", "")


class _Off:
    """Stands in for the profiler of the steps not asked for: plain CPU time."""

    def enable(self) -> None:
        pass

    def disable(self) -> None:
        pass


def _profiler(label: str):
    return cProfile.Profile(time.process_time) if label == TOP else _Off()


@pytest.fixture
def production_like(settings):
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
    settings.CACHES = {
        "default": {
            "BACKEND": "contest_portal.ops.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "cpprofile",
        }
    }
    settings.SESSION_ENGINE = "contest_portal.session_cache"
    settings.DEBUG = False
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {
        scope: {kind: (10**9, seconds) for kind, (_n, seconds) in limits.items()}
        for scope, limits in settings.RATE_LIMITS.items()
    }
    from django.core.cache import cache

    cache.clear()
    return settings


def _cpu_ms(label: str, fn, results: dict) -> None:
    fn()  # warm
    with CaptureQueriesContext(connection) as queries:
        fn()
    profiler = _profiler(label)
    start = time.process_time()
    profiler.enable()
    for _ in range(REPEAT):
        fn()
    profiler.disable()
    spent = (time.process_time() - start) * 1000 / REPEAT
    results[label] = (spent, len(queries))
    if os.environ.get("PROFILE_TOP") == label:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(
            os.environ.get("PROFILE_SORT", "cumulative")
        )
        stats.print_stats(45)
        print(out.getvalue())


def test_cpu_per_request(client, production_like):
    if os.environ.get("PROFILE_NO_GC"):
        # The collector runs wherever allocations cross its threshold, which
        # varies between two trees: off, the same calls cost the same.
        gc.collect()
        gc.disable()
    round_ = RoundFactory(question_count=30, max_attempts=0)
    round_.contest.topics.set(make_bank(topics=3, per_topic=12))
    revisions_get(QuestionRevision.objects.values_list("pk", flat=True))
    results: dict = {}
    anon = type(client)()
    contest_url = reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})
    _cpu_ms("contest anon", lambda: anon.get(contest_url), results)
    _cpu_ms("healthz", lambda: anon.get("/healthz"), results)

    client.force_login(UserFactory())
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    urls: list[str] = []

    def start():
        response = client.post(start_url)
        assert response.status_code == 302
        urls.append(response["Location"])
        # A new attempt each time: submit the open one first (not measured).

    def start_fresh():
        if urls:
            client.post(urls[-1] + "nop-bai/", {})
        start()

    # Start is measured with the submit of the previous attempt outside the clock.
    for _ in range(2):
        start_fresh()
    profiler = _profiler("start")
    spent = 0.0
    for _ in range(REPEAT):
        client.post(urls[-1] + "nop-bai/", {})
        t0 = time.process_time()
        profiler.enable()
        start()
        profiler.disable()
        spent += time.process_time() - t0
    with CaptureQueriesContext(connection) as queries:
        client.post(urls[-1] + "nop-bai/", {})
        start()
    results["start"] = (spent * 1000 / REPEAT, len(queries))
    if os.environ.get("PROFILE_TOP") == "start":
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)

    url = urls[-1]
    page = client.get(url)
    positions = sorted({int(p) for p in re.findall(r'name="q(\d+)"', page.text)})
    _cpu_ms("page", lambda: client.get(url), results)
    seq = iter(range(1, 10**6))
    _cpu_ms(
        "save",
        # Form-encoded, as the page's script sends it (not the test client's
        # multipart default, whose parser would be most of what is measured).
        lambda: client.post(
            url + "luu/",
            f"seq={next(seq)}&position={positions[0]}&choice=1",
            content_type="application/x-www-form-urlencoded",
        ),
        results,
    )
    # Submit: each one on a fresh attempt, started outside the clock.
    profiler = _profiler("submit")
    spent = 0.0
    answers = {f"q{p}": "2" for p in positions}
    for _ in range(REPEAT):
        target = client.post(start_url)["Location"]
        t0 = time.process_time()
        profiler.enable()
        response = client.post(target + "nop-bai/", answers)
        profiler.disable()
        spent += time.process_time() - t0
        assert response.status_code == 302, response.status_code
    target = client.post(start_url)["Location"]
    with CaptureQueriesContext(connection) as queries:
        client.post(target + "nop-bai/", answers)
    results["submit"] = (spent * 1000 / REPEAT, len(queries))
    if os.environ.get("PROFILE_TOP") == "submit":
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    # The result of a contestant who has sat the round once, as most have: the
    # harness's own user has sat it hundreds of times above, which the result page
    # (it lists one's attempts in the round) would make its figure.
    once = type(client)()
    once.force_login(UserFactory())
    target = once.post(start_url)["Location"]
    assert once.post(target + "nop-bai/", answers).status_code == 302
    _cpu_ms("result", lambda: once.get(target + "ket-qua/"), results)

    print()
    for label, (ms, count) in results.items():
        print(f"{label:14s} {ms:7.2f} ms CPU  {count:2d} queries")
