"""`make bench`: the deadline rush, measured. See bench/README.md."""

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


def _bench_env(args) -> tuple[dict[str, str], str]:
    """Production settings against a database of the benchmark's own."""
    env = dict(os.environ)
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url:
        base, _, name = database_url.rpartition("/")
        name = name.split("?")[0] or "postgres"
        bench_url = f"{base}/{name}_bench"
        kind = f"PostgreSQL ({base.split('@')[-1]}/{name}_bench)"
    else:
        bench_url = f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}"
        kind = "SQLite (bench/bench.sqlite3)"
    redis_url = os.environ.get("REDIS_URL", "")
    kind += ", Redis" if redis_url else ", local-memory cache (no REDIS_URL)"
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "contest_portal.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_CACHE_KEY_PREFIX": "cpbench",
            "DJANGO_QUERY_COUNT_HEADER": "true",
            "DJANGO_LOG_LEVEL": "WARNING",
            # Rate limits on, as in production: each simulated contestant connects
            # from its own loopback address (bench/load.py), and with no proxy in
            # front the socket's address is the client's, as production trusts it.
            "DJANGO_RATE_LIMIT_ENABLED": "true",
            "DJANGO_TRUSTED_PROXY_COUNT": "0",
            "DATABASE_URL": bench_url,
        }
    )
    if args.replica:
        env["DATABASE_REPLICA_URL"] = bench_url
    return env, kind


def _recreate_database(env: dict[str, str]) -> None:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _manage(env: dict[str, str], *argv: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def _sessions(user_ids: list[int]) -> list[tuple[int, str]]:
    """Logged-in sessions, as a login earlier in the week left them (14 days long)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.middleware import CREDENTIAL_SESSION_KEY, user_credential
    from accounts.models import User

    engine = import_module(settings.SESSION_ENGINE)
    first = User.objects.get(pk=user_ids[0])
    auth_hash = first.get_session_auth_hash()
    credential = user_credential(first.password)  # kept by the login (log_in)
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    sessions = []
    for user_id in user_ids:
        store = engine.SessionStore()
        store[SESSION_KEY] = str(user_id)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = auth_hash  # every bench account has the same password
        store[CREDENTIAL_SESSION_KEY] = credential
        store.save()
        sessions.append((user_id, store.session_key))
    return sessions


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(round(q * (len(sorted_values) - 1)), len(sorted_values) - 1)
    return sorted_values[index]


def _summarise(merged: dict, walls: dict[str, float]) -> tuple[list[dict], dict]:
    rows: list[dict] = []
    flows: dict = {}
    for phase, data in merged.items():
        wall = walls[phase]
        for endpoint, samples in data["samples"].items():
            latencies = sorted(s[0] for s in samples)
            queries = [s[2] for s in samples if s[2] >= 0]
            rows.append(
                {
                    "phase": phase,
                    "endpoint": endpoint,
                    "requests": len(samples),
                    "errors": sum(1 for s in samples if not s[1]),
                    "req_per_s": round(len(samples) / wall, 1) if wall else 0,
                    "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
                    "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
                    "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
                    "sql_per_request": round(sum(queries) / len(queries), 1)
                    if queries
                    else None,
                    "error_examples": data["errors"].get(endpoint, []),
                }
            )
        if phase == "flow":
            flows = {"attempts": data["flows"], "seconds": round(wall, 1)}
    return rows, flows


def _cpu_report(rows: list[dict], cpu: dict[str, float], flows: dict) -> dict:
    """Server CPU per request of each phase, per whole attempt, and their ratios to
    the raw hello's CPU per request."""
    per_request = {}
    for row in rows:
        if row["phase"] in cpu and row["requests"]:
            requests = sum(r["requests"] for r in rows if r["phase"] == row["phase"])
            per_request[row["phase"]] = round(cpu[row["phase"]] / requests * 1000, 3)
    hello = [per_request[p] for p in ("ref_hello", "ref_hello_end") if p in per_request]
    hello_ms = sum(hello) / len(hello) if hello else 0.0
    out: dict = {"phase_cpu_s": cpu, "cpu_ms_per_request": per_request}
    out["hello_cpu_ms_per_request"] = round(hello_ms, 4)
    if flows.get("attempts") and "flow" in cpu:
        attempt_ms = cpu["flow"] / flows["attempts"] * 1000
        out["cpu_ms_per_attempt"] = round(attempt_ms, 1)
        out["cpu_per_attempt_ratio"] = (
            round(attempt_ms / hello_ms, 1) if hello_ms else None
        )
    return out


def _merge(results: list[dict]) -> dict:
    merged: dict = {}
    for result in results:
        for phase, data in result.items():
            target = merged.setdefault(phase, {"samples": {}, "errors": {}, "flows": 0})
            target["flows"] += data["flows"]
            for endpoint, samples in data["samples"].items():
                target["samples"].setdefault(endpoint, []).extend(samples)
            for endpoint, errors in data["errors"].items():
                target["errors"].setdefault(endpoint, []).extend(errors)
    return merged


def run_load(args, env, built, port: int, log) -> dict:
    from bench import dataset, load, loadkit
    from bench.server import Server, cpu_delta_s

    first = built.first_user_id
    n_start = args.start_actors
    start_ids = list(range(first, first + n_start))
    n_flow = args.flow_actors
    flow_ids = list(range(first + n_start, first + n_start + n_flow))
    login_phones = [
        f"0{dataset.PHONE_BASE + i:09d}"
        for i in range(n_start + n_flow, n_start + n_flow + 500)
    ]
    log(f"Creating {n_start + n_flow} logged-in sessions")
    start_sessions = _sessions(start_ids)
    flow_sessions = _sessions(flow_ids)
    from django.conf import settings

    from bench import refapps

    refapps.create_table(start_ids)
    ref_ports = {"hello": port + 3, "session_update": port + 4}
    servers = {
        name: Server(env, ref_port, args.workers, f"bench.refapps:{name}", "/")
        for name, ref_port in ref_ports.items()
    }
    server = servers["portal"] = Server(env, port, args.workers)
    try:
        server.warm(["/healthz", "/", f"/cuoc-thi/{built.contest_slug}/"])
        # Each worker of a reference sets Django up on its first request: before
        # the clock starts, as the portal's workers are warmed.
        servers["hello"].warm(["/"])
        servers["session_update"].warm(["/"])
        log(
            f"Load: {args.connections} connections in {args.clients} client processes, "
            f"{args.duration:g} s per phase, {args.flow_duration:g} s of whole attempts"
        )
        plan = loadkit.Plan(
            base=f"http://127.0.0.1:{port}",
            contest_path=f"/cuoc-thi/{built.contest_slug}/",
            duration=args.duration,
            flow_duration=args.flow_duration,
            connections=args.connections,
            password=dataset.PASSWORD,
            session_cookie=settings.SESSION_COOKIE_NAME,
            login_phones=login_phones,
            start_actors=start_sessions,
            flow_actors=flow_sessions,
            ref_hello_base=f"http://127.0.0.1:{ref_ports['hello']}",
            ref_session_base=f"http://127.0.0.1:{ref_ports['session_update']}",
        )
        barrier, out, procs = load.start_clients(plan, args.clients)
        walls, memory, cpu = {}, {}, {}
        for phase in load.PHASES:
            measured = servers[load.REFERENCE_PHASES.get(phase, "portal")]
            barrier.wait()
            before = measured.cpu()
            started = time.perf_counter()
            barrier.wait()
            walls[phase] = time.perf_counter() - started
            cpu[phase] = round(cpu_delta_s(before, measured.cpu()), 3)
            memory[phase] = measured.memory_mb()
            log(f"  {phase}: {walls[phase]:.1f} s, server CPU {cpu[phase]:.1f} s")
        results = [out.get(timeout=120)[1] for _ in procs]
        for proc in procs:
            proc.join(timeout=30)
    finally:
        for each in servers.values():
            each.stop()
    rows, flows = _summarise(_merge(results), walls)
    return {
        "endpoints": rows,
        "flow": flows,
        "memory": memory,
        "cpu": _cpu_report(rows, cpu, flows),
    }


def two_instances(args, env, built, log) -> dict:
    """Start an attempt through one gunicorn and save and submit it through another."""
    import re

    from bench import loadkit
    from bench.server import Server

    user_id = built.first_user_id + args.start_actors + args.flow_actors + 600
    [(_, key)] = _sessions([user_id])
    a = Server(env, args.port + 1, 2)
    b = Server(env, args.port + 2, 2)
    from django.conf import settings

    def call(port, method, path, data=None, headers=None, csrf_cookie=""):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            data=urllib.parse.urlencode(data).encode() if data else None,
            method=method,
            headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}; csrftoken={csrf_cookie}",
                **(headers or {}),
            },
        )

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, response.read().decode(), response.headers

    import urllib.error
    import urllib.parse

    try:
        status, body, headers = call(a.port, "GET", f"/cuoc-thi/{built.contest_slug}/")
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
        token = loadkit.CSRF_INPUT.search(body).group(1)
        start = loadkit.START_FORM.search(body).group(1)
        status, _, headers = call(
            a.port, "POST", start, {"csrfmiddlewaretoken": token}, csrf_cookie=cookie
        )
        attempt = headers["Location"]
        status, body, _ = call(b.port, "GET", attempt, csrf_cookie=cookie)
        page_ok = status == 200
        page_kb = _page_weight_kb(b.port, body)
        radios = loadkit.RADIO.findall(body)
        token = loadkit.CSRF_INPUT.search(body).group(1)
        saves = []
        for position, value in radios[::4]:
            status, body, _ = call(
                b.port,
                "POST",
                attempt + "luu/",
                {"seq": position, "position": position, "choice": value},
                {"X-CSRFToken": token},
                csrf_cookie=cookie,
            )
            saves.append(status)
        status, _, headers = call(
            a.port,
            "POST",
            attempt + "nop-bai/",
            {"csrfmiddlewaretoken": token, "prediction": "100"},
            csrf_cookie=cookie,
        )
        result_status, body, _ = call(
            b.port, "GET", headers["Location"], csrf_cookie=cookie
        )
    finally:
        a.stop()
        b.stop()
    from rounds.models import Attempt

    stored = Attempt.objects.get(public_id=attempt.strip("/").split("/")[-1])
    ok = (
        page_ok
        and all(s == 200 for s in saves)
        and result_status == 200
        and stored.status == "finished"
        and sum(1 for a in stored.answers if a) == len(saves)
    )
    log(
        f"Two instances: start on :{a.port}, page/{len(saves)} saves on :{b.port}, "
        f"submit on :{a.port}, result on :{b.port}: {'OK' if ok else 'FAILED'}"
    )
    return {
        "ok": ok,
        "saves": len(saves),
        "answers_stored": sum(1 for a in stored.answers if a),
        "attempt_page_gzip_kb": page_kb,
    }


def _page_weight_kb(port: int, html: str) -> float:
    """What a phone downloads for the attempt page: HTML, CSS and scripts, gzipped."""
    import gzip
    import re

    total = len(gzip.compress(html.encode(), 6))
    for path in re.findall(r'(?:src|href)="(/static/[^"]+\.(?:css|js))"', html):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
            total += len(gzip.compress(response.read(), 6))
    return round(total / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds per phase"
    )
    parser.add_argument("--flow-duration", type=float, default=None)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--clients", type=int, default=2, help="load client processes")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of the last run"
    )
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-offline", action="store_true")
    parser.add_argument(
        "--replica", action="store_true", help="reports read the replica alias"
    )
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    small = args.size == "small"
    args.duration = args.duration or (3.0 if small else 10.0)
    args.flow_duration = args.flow_duration or (5.0 if small else 30.0)
    args.start_actors = 1_500 if small else 8_000
    args.flow_actors = 800 if small else 4_000

    def log(text: str) -> None:
        print(text, flush=True)

    env, kind = _bench_env(args)
    from bench.server import THREADS, WORKER_CLASS

    log(
        f"Benchmark ({args.size}) on {kind}; gunicorn {WORKER_CLASS} workers: "
        f"{args.workers} x {THREADS} thread(s)"
    )
    meta_file = ROOT / "bench" / f".built-{args.size}.json"
    if not (args.reuse and meta_file.exists()):
        log("Creating the database and migrating")
        _recreate_database(env)
    # Reused data is brought to the code's schema too: a run measures what it ships.
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput")
    _setup_django(env)
    from bench import dataset

    load_seconds = None  # with --reuse: loaded by an earlier run
    if args.reuse and meta_file.exists():
        built = dataset.Built(**json.loads(meta_file.read_text()))
        removed = dataset.reset_open_round(built)
        log(
            f"Reusing the data of the last run ({removed} attempts of the last run's "
            "load phases removed from the open round)"
        )
    else:
        log("Loading the data set in bulk")
        started = time.perf_counter()
        built = dataset.build(dataset.SIZES[args.size], log=log)
        load_seconds = round(time.perf_counter() - started, 1)
        log(f"Data loaded in {load_seconds:.0f} s")
        meta_file.write_text(dataset.built_to_json(built))
    report: dict = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "size": args.size,
        "stack": kind,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "gunicorn_workers": args.workers,
        "gunicorn_worker_class": WORKER_CLASS,
        "gunicorn_threads": THREADS,
        "connections": args.connections,
        "data": dataset.SIZES[args.size].__dict__,
        "data_load_s": load_seconds,
    }
    if not args.skip_load:
        load_report = run_load(args, env, built, args.port, log)
        report.update(load_report)
        report["two_instances"] = two_instances(args, env, built, log)
    if not args.skip_offline:
        from bench import offline

        report["offline"] = offline.measure(built, env=env, log=log)
    from bench import report as printer

    printer.show(report, log)
    out = (
        args.output
        or RESULTS / f"{datetime.now().astimezone():%Y-%m-%d}-{args.size}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    log(f"Written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    failed = [r for r in report.get("endpoints", []) if r["errors"]]
    return 1 if failed or not report.get("two_instances", {"ok": True})["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
