"""Export one approved ranking to .xlsx in a fresh process; print time and memory as JSON.

Memory is the peak resident size (VmHWM) minus the size just before the export, so
what Django and openpyxl cost to import is not counted, and what the rows cost is.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(result_id: int) -> None:
    import django

    django.setup()
    from accounts.models import User
    from awards.models import RoundResult
    from reports.exports.results import ranking_export

    result = RoundResult.objects.select_related("round__contest").get(pk=result_id)
    by = User.objects.filter(is_superuser=True).first()
    # Reset the peak so it starts from here (Linux: write 5 to clear_refs).
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_mb("VmRSS")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "xep-hang.xlsx"
        started = time.perf_counter()
        rows = ranking_export(result=result, target=path, by=by)
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    peak = _status_mb("VmHWM")
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": round(seconds, 2),
                "rss_before_mb": round(before, 1),
                "rss_peak_mb": round(peak, 1),
                "rss_growth_mb": round(peak - before, 1),
                "file_mb": round(size / 1e6, 1),
                "pid": os.getpid(),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
