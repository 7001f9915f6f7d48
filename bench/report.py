"""The benchmark's table and its verdict on each target of the deadline-rush issue."""

from collections.abc import Callable

# endpoint name in the load driver -> minimum req/s
THROUGHPUT_TARGETS = {
    "start": 600,
    "save": 1000,
    "submit": 600,
    "result": 800,
    "home (anonymous)": 2000,
}
START_RATIO = 0.09
FLOW_ATTEMPTS_PER_S = 40
FLOW_P99_MS = 300


def _endpoint(report: dict, name: str, phase: str | None = None) -> dict | None:
    for row in report.get("endpoints", []):
        wanted = row["phase"] == phase if phase else row["phase"] != "flow"
        if row["endpoint"] == name and wanted:
            return row
    return None


def verdicts(report: dict) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for every target the run measured."""
    out: list[tuple[str, str, bool]] = []
    ceiling = _endpoint(report, "healthz")
    if ceiling:
        for name, minimum in THROUGHPUT_TARGETS.items():
            row = _endpoint(report, name)
            if row:
                out.append(
                    (
                        f"{name} >= {minimum} req/s",
                        f"{row['req_per_s']:.0f} req/s",
                        row["req_per_s"] >= minimum,
                    )
                )
        start = _endpoint(report, "start")
        if start and ceiling["req_per_s"]:
            ratio = start["req_per_s"] / ceiling["req_per_s"]
            out.append(
                (
                    f"start >= {START_RATIO} of /healthz",
                    f"{ratio:.3f}",
                    ratio >= START_RATIO,
                )
            )
    flow = report.get("flow")
    if flow and flow.get("seconds"):
        rate = flow["attempts"] / flow["seconds"]
        out.append(
            (
                f"whole attempts >= {FLOW_ATTEMPTS_PER_S}/s",
                f"{rate:.1f}/s",
                rate >= FLOW_ATTEMPTS_PER_S,
            )
        )
        rows = [r for r in report["endpoints"] if r["phase"] == "flow"]
        worst = max((r["p99_ms"] for r in rows), default=0)
        out.append(
            (f"flow p99 < {FLOW_P99_MS} ms", f"{worst:.0f} ms", worst < FLOW_P99_MS)
        )
        errors = sum(r["errors"] for r in rows)
        out.append(("flow errors = 0", str(errors), errors == 0))
    errors = sum(r["errors"] for r in report.get("endpoints", []))
    if report.get("endpoints"):
        out.append(("errors in the whole run = 0", str(errors), errors == 0))
    page = report.get("two_instances", {}).get("attempt_page_gzip_kb")
    if page is not None:
        out.append(
            ("attempt page (30 q, gzip, with CSS+JS) < 60 KB", f"{page} KB", page < 60)
        )
    off = report.get("offline")
    if off:
        out.append(
            (
                "ranking + allocation + stored snapshot < 5 s",
                f"{off['result_compute_s']} s",
                off["result_compute_s"] < 5,
            )
        )
        out.append(
            (
                "public top 100 < 20 ms",
                f"{off['top_100']['median_ms']} ms",
                off["top_100"]["median_ms"] < 20,
            )
        )
        out.append(
            (
                "own rank < 20 ms",
                f"{off['own_rank']['median_ms']} ms",
                off["own_rank"]["median_ms"] < 20,
            )
        )
        export = off["export"]
        out.append(
            (
                f"export of {export['rows']} rows < 15 s",
                f"{export['seconds']} s",
                export["seconds"] < 15,
            )
        )
        out.append(
            (
                "export memory growth < 100 MB",
                f"+{export['rss_growth_mb']} MB",
                export["rss_growth_mb"] < 100,
            )
        )
        big = off["export_big"]
        flat = big["rss_growth_mb"] - export["rss_growth_mb"] < 25
        out.append(
            (
                "export memory flat in the row count",
                f"{export['rows']} rows +{export['rss_growth_mb']} MB, "
                f"{big['rows']} rows +{big['rss_growth_mb']} MB",
                flat,
            )
        )
    return out


def show(report: dict, log: Callable[[str], None]) -> None:
    rows = report.get("endpoints", [])
    ceiling = _endpoint(report, "healthz")
    base = ceiling["req_per_s"] if ceiling else 0
    if rows:
        log("")
        log(
            f"{'phase':<13}{'endpoint':<19}{'req':>7}{'err':>5}{'req/s':>9}{'ratio':>7}"
            f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'SQL':>6}"
        )
        for r in rows:
            ratio = f"{r['req_per_s'] / base:.3f}" if base else "-"
            sql = "-" if r["sql_per_request"] is None else f"{r['sql_per_request']:g}"
            log(
                f"{r['phase']:<13}{r['endpoint']:<19}{r['requests']:>7}{r['errors']:>5}"
                f"{r['req_per_s']:>9.1f}{ratio:>7}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
                f"{r['p99_ms']:>9.1f}{sql:>6}"
            )
        flow = report.get("flow", {})
        if flow.get("seconds"):
            log(
                f"Whole attempts: {flow['attempts']} in {flow['seconds']} s = "
                f"{flow['attempts'] / flow['seconds']:.1f}/s"
            )
        worst = max(
            report.get("memory", {}).values(),
            key=lambda m: m["worker_max_mb"],
            default=None,
        )
        if worst:
            log(
                f"Worker memory (largest worker, at the end of a phase): "
                f"{worst['worker_max_mb']} MB; all workers {worst['workers_total_mb']} MB"
            )
    log("")
    for target, measured, met in verdicts(report):
        log(f"  [{'met' if met else 'MISSED'}] {target}: {measured}")
    report["verdicts"] = [
        {"target": t, "measured": m, "met": ok} for t, m, ok in verdicts(report)
    ]
