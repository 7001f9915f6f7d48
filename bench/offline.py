"""What officials wait for: ranking the big round, reading the top and one's own rank,
exporting the full ranking. Measured in this process, exports in a fresh one."""

import hashlib
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(fn: Callable, repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
        "repeat": repeat,
    }


def _checksum(result) -> str:
    """A digest of the stored ranking, row by row: (rank, user, attempt, prize), to
    compare two computes of the same data."""
    digest = hashlib.sha256()
    rows = (
        result.rows.order_by("rank")
        .values_list("rank", "user_id", "attempt_id", "prize_name")
        .iterator(chunk_size=5000)
    )
    for row in rows:
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def _export(result_id: int, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.export_probe", str(result_id)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(built, *, env: dict[str, str], log: Callable[[str], None]) -> dict:
    from django.db import connection

    from accounts.models import User
    from awards import ranking, selectors, services
    from awards.models import RoundResult
    from rounds.models import Round

    judge = User.objects.get(pk=built.judge_id)
    big = Round.objects.select_related("contest").get(pk=built.big_round_id)
    export_round = Round.objects.get(pk=built.export_round_id)
    report: dict = {}
    # A rerun on the same data (--reuse) starts from rounds not yet ranked, and from
    # the table of ranked rows as the first run found it: without the last run's
    # deleted rows, which slow writing the new ones (7.5 s against 5.9 s measured
    # here for the big round) until a vacuum.
    RoundResult.objects.filter(round__in=[big, export_round]).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM FULL ANALYZE awards_resultrow")

    log("Offline: ranking the closed round")
    rules = selectors.ranking_rules_get(contest=big.contest)
    order = ranking.validate_order(rules.order)
    started = time.perf_counter()
    rows = list(
        selectors.round_ranking_rows(
            round_=big, order=order, policy=rules.counted_attempt, truth=2500
        )
    )
    report["ranking_query_s"] = round(time.perf_counter() - started, 2)
    report["ranked_people"] = len(rows)
    del rows
    started = time.perf_counter()
    result = services.result_compute(round_=big, actor=judge)
    report["result_compute_s"] = round(time.perf_counter() - started, 2)
    report["result_checksum"] = _checksum(result)
    started = time.perf_counter()
    result = services.result_approve(result=result, actor=judge)
    report["result_approve_s"] = round(time.perf_counter() - started, 2)
    report["attempts_in_round"] = result.attempts
    log(
        f"  {result.attempts} attempts, {report['ranked_people']} people: ranking query "
        f"{report['ranking_query_s']} s, compute and store {report['result_compute_s']} s"
    )

    report["top_100"] = _timed(
        lambda: list(selectors.result_rows_public(result=result, limit=100)), 200
    )
    user_ids = list(result.rows.values_list("user_id", flat=True)[:20000])
    rng = random.Random(1)
    report["own_rank"] = _timed(
        lambda: selectors.result_row_of_user(
            result=result, user_id=rng.choice(user_ids)
        ),
        500,
    )
    log(
        f"  top 100: {report['top_100']['median_ms']} ms, "
        f"own rank: {report['own_rank']['median_ms']} ms (medians)"
    )

    # The live top while the round is open: ranked by one worker once a minute.
    from django.core.cache import cache

    cache.delete(f"leaderboard:{big.pk}")
    started = time.perf_counter()
    selectors.leaderboard_top(round_=big)
    report["live_leaderboard_rank_s"] = round(time.perf_counter() - started, 2)
    report["live_leaderboard_read"] = _timed(
        lambda: selectors.leaderboard_top(round_=big), 200
    )
    log(
        f"  live top 20: ranked in {report['live_leaderboard_rank_s']} s once a "
        f"minute, read in {report['live_leaderboard_read']['median_ms']} ms (median)"
    )

    log("Offline: exports of the full ranking")
    export_result = services.result_approve(
        result=services.result_compute(round_=export_round, actor=judge), actor=judge
    )
    report["export"] = _export(export_result.pk, env)
    report["export_big"] = _export(result.pk, env)
    log(
        f"  {report['export']['rows']} rows: {report['export']['seconds']} s, "
        f"+{report['export']['rss_growth_mb']} MB; "
        f"{report['export_big']['rows']} rows: {report['export_big']['seconds']} s, "
        f"+{report['export_big']['rss_growth_mb']} MB"
    )
    report["database"] = connection.vendor
    return report
