"""The full ranking as a PDF, however long: written page by page with flat memory,
while the official waits up to a threshold and by the background worker past it,
every row once and in order, the table's header and "Trang x/y" on every page."""

import io
import re
import tracemalloc
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from awards.models import ResultRow, RoundResult
from awards.paper import OfficialHeader, Signature
from reports.models import ExportJob, ExportLog
from reports.printed import long_paper_pdf
from reports.printed.lists import Column, Paper
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

HEADER = "Hạng Họ và tên Đơn vị Số câu đúng Thời gian làm bài Giải"
RANK = re.compile(r"^(\d+) Thí sinh số \d+ ", re.MULTILINE)


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def add_rows(result: RoundResult, count: int) -> None:
    """`count` more ranked people after the fixture's eight, written in bulk."""
    template = result.rows.order_by("rank").last()
    start = template.rank
    ResultRow.objects.bulk_create(
        [
            ResultRow(
                result=result,
                rank=start + n,
                group_name="",
                rank_in_group=start + n,
                user_id=1_000_000 + n,
                attempt_id=1_000_000 + n,
                attempt_number=1,
                full_name=f"Thí sinh số {start + n - 1}",
                unit_id=template.unit_id,
                unit_name=template.unit_name,
                correct=1,
                question_count=5,
                prediction=None,
                prediction_gap=0,
                duration_ms=90_000 + n,
                submitted_at=template.submitted_at + timedelta(seconds=n),
                attempts_used=1,
                registered_at=template.registered_at,
                share_token=f"t{n:031d}",
            )
            for n in range(1, count + 1)
        ],
        batch_size=1000,
    )


def assert_every_row_once_in_order(texts: list[str], rows: int) -> None:
    ranks = [int(rank) for text in texts for rank in RANK.findall(text)]
    assert ranks == list(range(1, rows + 1))
    for number, text in enumerate(texts, start=1):
        # The page count is a form drawn on every page: pypdf reads it on its line.
        assert re.search(rf"Trang {number}/\s*{len(texts)}\b", text)


def test_a_ranking_of_6000_people_prints_whole_while_the_official_waits(approved):
    add_rows(approved, 6000)
    client = Client()
    client.force_login(staff_in("Ban Giám khảo"))

    response = client.get(
        reverse("reports:export-ranking-pdf", args=[approved.round_id])
    )

    texts = pages_text(b"".join(response.streaming_content))
    assert response["Content-Type"] == "application/pdf"
    assert_every_row_once_in_order(texts, 6008)
    # Every page after the first repeats the header above its rows.
    table_pages = [text for text in texts if RANK.search(text)]
    assert all(HEADER in text for text in table_pages)
    assert 150 < len(texts) < 250  # about 32 rows to an A4 landscape page
    last_row = [text for text in texts if "6008 Thí sinh số 6007" in text]
    assert last_row == [table_pages[-1]]
    assert "Nguyễn Văn Sơn" in texts[-1]
    assert approved.checksum in texts[-1].replace("\n", "")
    log = ExportLog.objects.get(kind="ranking-pdf")
    assert log.rows == 6008


def test_past_the_threshold_the_pdf_is_offered_as_a_background_job(approved, settings):
    settings.RANKING_PDF_INLINE_MAX_ROWS = 5
    client = Client()
    client.force_login(staff_in("Ban Giám khảo"))

    response = client.get(
        reverse("reports:export-ranking-pdf", args=[approved.round_id])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tạo bản PDF trong nền" in page
    assert 'name="kind" value="ranking-pdf"' in page
    assert not ExportLog.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_builds_the_long_pdf_and_its_owner_downloads_it(approved, settings):
    settings.RANKING_PDF_INLINE_MAX_ROWS = 5
    add_rows(approved, 300)
    judge = staff_in("Ban Giám khảo")
    client = Client()
    client.force_login(judge)

    client.post(
        reverse("reports:export-job-start"),
        {"kind": "ranking-pdf", "key": str(approved.round_id)},
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job = ExportJob.objects.get()
    done = client.get(reverse("reports:export-job", args=[job.pk]))
    download = client.get(reverse("reports:export-job-download", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.rows) == (ExportJob.Status.DONE, 308)
    assert job.file.name.endswith(".pdf")
    assert "Tải tệp PDF" in done.content.decode()
    assert download["Content-Type"] == "application/pdf"
    assert ".pdf" in download["Content-Disposition"]
    texts = pages_text(b"".join(download.streaming_content))
    assert_every_row_once_in_order(texts, 308)
    assert "308 Thí sinh số 307" in texts[-2] + texts[-1]
    assert ExportLog.objects.filter(user=judge, kind="ranking-pdf").count() == 1


# --- memory ------------------------------------------------------------------------

COLUMNS = (
    Column("Hạng", 6, numeric=True),
    Column("Họ và tên", 26),
    Column("Đơn vị", 34),
    Column("Số câu đúng", 10, numeric=True),
    Column("Thời gian làm bài", 14, numeric=True),
    Column("Giải", 14),
)


def synthetic(count: int, samples: list[int]) -> Paper:
    """A ranking of `count` rows that notes the memory in use every 1,000 rows."""

    def rows():
        for n in range(1, count + 1):
            if n % 1_000 == 0:
                samples.append(tracemalloc.get_traced_memory()[0])
            yield (
                str(n),
                f"Nguyễn Thị Ánh Tuyết {n}",
                "UBND xã Lũng Cú",
                "18/20",
                "12:34",
                "",
            )

    return Paper(
        header=OfficialHeader(
            "UBND TỈNH HÀ GIANG",
            "BAN TỔ CHỨC CUỘC THI",
            "Hà Giang, ngày 05 tháng 12 năm 2026",
            (Signature("Người lập biểu", "Lò Thị Mai"),),
        ),
        title="BẢNG XẾP HẠNG",
        subtitle="Tìm hiểu Đề án 06 — Tuần 1",
        columns=COLUMNS,
        rows=rows(),
        summary=f"Bảng gồm {count} người dự thi.",
        draft=False,
        checksum="a" * 64,
        check_url="https://cuocthi.hagiang.gov.vn/ket-qua/kiem-tra/" + "a" * 64 + "/",
        filename="Bảng xếp hạng",
    )


class NullFile:
    """A file that forgets what it is given, so only the writer's memory counts."""

    def write(self, data: bytes) -> int:
        return len(data)


@pytest.mark.django_db(False)
def test_memory_stays_flat_while_10000_rows_are_written():
    samples: list[int] = []
    tracemalloc.start()
    try:
        rows = long_paper_pdf(synthetic(10_000, samples), NullFile())
    finally:
        tracemalloc.stop()

    assert rows == 10_000
    # What is held after 1,000 rows is what is held after 10,000, give or take the
    # page numbers of the page tree (a few bytes a page).
    growth = (max(samples) - samples[0]) / 2**20
    assert growth < 0.2, [round(s / 2**20, 2) for s in samples]
