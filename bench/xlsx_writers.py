"""Our streaming .xlsx writer against openpyxl's write-only mode, same rows, same
machine, same run: `python -m bench.xlsx_writers [rows]`. Prints seconds of CPU and
peak memory of each, and the ratios. openpyxl is the stack's named library; ours
stays for the long exports only while this shows it measurably ahead.
"""

import io
import resource
import sys
import tracemalloc
from datetime import datetime, timedelta

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
START = datetime(2024, 9, 10, 8, 0)  # noqa: DTZ001 (openpyxl takes naive times)


def rows():
    for n in range(ROWS):
        yield [
            n + 1,
            "Nhóm cán bộ",
            f"Nguyễn Thị Ánh Tuyết {n}",
            "UBND xã Lũng Cú",
            "UBND huyện Đồng Văn",
            18,
            20,
            123_456 + n,
            n % 97,
            61.234 + n,
            START + timedelta(seconds=n),
            1,
        ]


def ours() -> int:
    from reports import xlsx
    from reports.xlsx import Column

    columns = [Column(f"Cột {i}", 12) for i in range(12)]
    buffer = io.BytesIO()
    xlsx.write_sheet(buffer, columns=columns, rows=rows(), title=None)
    return buffer.tell()


def openpyxl_write_only() -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Bảng xếp hạng")
    sheet.append([f"Cột {i}" for i in range(12)])
    for row in rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.tell()


def cpu_seconds(write) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_SELF)
    size = write()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), size


def peak_mib(write) -> float:
    """Python allocations only, measured apart: tracing slows the writing down."""
    tracemalloc.start()
    write()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_portal.settings")
    django.setup()
    import openpyxl  # noqa: F401 (imported before anything is measured)

    from reports import xlsx  # noqa: F401

    results = {}
    for name, write in (("ours", ours), ("openpyxl", openpyxl_write_only)):
        cpu, size = cpu_seconds(write)
        results[name] = (cpu, peak_mib(write), size)
    print(f"{ROWS:,} rows × 12 columns (the output is in memory, in both)")
    for name, (cpu, peak, size) in results.items():
        print(
            f"{name:9} {cpu:6.2f} s CPU  {peak:7.1f} MiB peak  {size / 2**20:6.1f} MiB"
        )
    (c1, m1, _), (c2, m2, _) = results["ours"], results["openpyxl"]
    print(f"openpyxl / ours: CPU ×{c2 / c1:.2f}, peak memory ×{m2 / m1:.2f}")
