"""The bench's servers: gunicorn with production's kind of workers (the worker class
and threads of deploy/gunicorn.conf.py), and what their workers spend."""

import contextlib
import os
import runpy
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Production's worker model, read from its own settings file (one definition).
_DEPLOY = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", _DEPLOY["worker_class"])
THREADS = int(os.environ.get("BENCH_THREADS", _DEPLOY.get("threads", 1)))


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User + system CPU of each process, in clock ticks, from /proc/<pid>/stat."""
    ticks = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            # The command name may hold spaces: fields count from after its ")".
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_delta_s(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds spent between two readings (a worker born in between counts whole)."""
    return sum(t - before.get(pid, 0) for pid, t in after.items()) / CLOCK_TICKS


class Server:
    """gunicorn with the workers production runs (WORKER_CLASS, THREADS)."""

    def __init__(
        self,
        env: dict[str, str],
        port: int,
        workers: int,
        app: str = "contest_portal.wsgi:application",
        probe: str = "/healthz",
    ) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                app,
                "--workers",
                str(workers),
                "--worker-class",
                WORKER_CLASS,
                "--threads",
                str(THREADS),
                "--bind",
                f"127.0.0.1:{port}",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # it answers: a refusal is an answer
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def cpu(self) -> dict[int, int]:
        return cpu_ticks(self.worker_pids())

    def memory_mb(self) -> dict[str, float]:
        def rss(pid: int) -> float:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
            return 0.0

        workers = [rss(pid) for pid in self.worker_pids()]
        return {
            "master_mb": round(rss(self.proc.pid), 1),
            "worker_max_mb": round(max(workers, default=0), 1),
            "workers_total_mb": round(sum(workers), 1),
        }

    def warm(self, paths: list[str]) -> None:
        for _ in range(20):
            for path in paths:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
