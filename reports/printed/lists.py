"""The printed lists' content, read from an approved (or, marked as a draft, a
provisional) result."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from awards.models import RoundResult, UnitResult
from awards.paper import OfficialHeader, list_check_url, official_header
from contest_portal.numbers import thousands
from rounds.scoring import format_duration


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    width: int  # in characters of a spreadsheet column; the PDF scales them
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Paper:
    header: OfficialHeader
    title: str  # "DANH SÁCH CÁ NHÂN ĐẠT GIẢI"
    subtitle: str  # the contest and the round
    columns: tuple[Column, ...]
    # A tuple for the short lists; the ranking's rows are read from the database
    # as they are printed, once.
    rows: Iterable[tuple[str, ...]]
    summary: str  # "Danh sách gồm 6 người, tổng trị giá 12.000.000 đồng."
    draft: bool  # not approved: printed as a draft, without a checksum
    checksum: str
    check_url: str
    filename: str  # without extension


def _today(day: date | None) -> date:
    return day or timezone.localdate()


def round_winners_paper(*, result: RoundResult, day: date | None = None) -> Paper:
    """The prize winners of a round, in rank order, without personal data."""
    round_ = result.round
    rows = list(
        result.rows.filter(prize_tier__isnull=False)
        .order_by("rank")
        .values_list(
            "group_name",
            "prize_name",
            "full_name",
            "unit_name",
            "correct",
            "question_count",
            "duration_ms",
            "prize_amount_vnd",
        )
    )
    grouped = any(row[0] for row in rows)
    columns = [
        Column("STT", 5, numeric=True),
        *([Column("Nhóm", 16)] if grouped else []),
        Column("Giải", 14),
        Column("Họ và tên", 26),
        Column("Đơn vị", 34),
        Column("Số câu đúng", 10, numeric=True),
        Column("Thời gian làm bài", 14, numeric=True),
        Column("Trị giá (đồng)", 14, numeric=True),
    ]
    lines = []
    for number, (group, prize, name, unit, correct, total, ms, amount) in enumerate(
        rows, start=1
    ):
        lines.append(
            (
                str(number),
                *((group,) if grouped else ()),
                prize,
                name,
                unit,
                f"{correct}/{total}",
                format_duration(ms),
                thousands(amount),
            )
        )
    total = sum(row[-1] for row in rows)
    approved = result.status == RoundResult.Status.APPROVED
    return Paper(
        header=official_header(contest=round_.contest, day=_today(day)),
        title="DANH SÁCH CÁ NHÂN ĐẠT GIẢI",
        subtitle=f"{round_.contest.title} — {round_.name}"
        + (f" (phiên bản {result.version})" if result.version > 1 else ""),
        columns=tuple(columns),
        rows=tuple(lines),
        summary=f"Danh sách gồm {len(lines)} người, tổng trị giá {thousands(total)} đồng.",
        draft=not approved,
        checksum=result.checksum if approved else "",
        check_url=list_check_url(result.checksum) if approved else "",
        filename=f"Danh sách đạt giải - {round_.name}",
    )


def unit_winners_paper(*, result: UnitResult, day: date | None = None) -> Paper:
    """The units awarded a collective prize, by group and rank."""
    contest = result.contest
    rows = list(
        result.rows.filter(prize_tier__isnull=False)
        .order_by("group_name", "rank", "unit_name")
        .values_list(
            "group_name",
            "rank",
            "prize_name",
            "unit_name",
            "participants",
            "rate_percent",
            "prize_amount_vnd",
        )
    )
    grouped = any(row[0] for row in rows)
    columns = [
        Column("STT", 5, numeric=True),
        *([Column("Nhóm đơn vị", 18)] if grouped else []),
        Column("Hạng", 6, numeric=True),
        Column("Giải", 14),
        Column("Đơn vị", 40),
        Column("Số người dự thi", 12, numeric=True),
        Column("Tỷ lệ tham gia", 12, numeric=True),
        Column("Trị giá (đồng)", 14, numeric=True),
    ]
    lines = []
    for number, (group, rank, prize, unit, people, rate, amount) in enumerate(
        rows, start=1
    ):
        lines.append(
            (
                str(number),
                *((group,) if grouped else ()),
                str(rank),
                prize,
                unit,
                str(people),
                "—" if rate is None else f"{rate}%".replace(".", ","),
                thousands(amount),
            )
        )
    total = sum(row[-1] for row in rows)
    approved = result.status == UnitResult.Status.APPROVED
    return Paper(
        header=official_header(contest=contest, day=_today(day)),
        title="DANH SÁCH TẬP THỂ ĐẠT GIẢI",
        subtitle=contest.title,
        columns=tuple(columns),
        rows=tuple(lines),
        summary=f"Danh sách gồm {len(lines)} đơn vị, tổng trị giá {thousands(total)} đồng.",
        draft=not approved,
        checksum=result.checksum if approved else "",
        check_url=list_check_url(result.checksum) if approved else "",
        filename=f"Danh sách tập thể đạt giải - {contest.title}",
    )


# Up to this many rows the ranking's PDF is written while the official waits (about
# a second); a longer one is built by the background worker (reports.job_runs).
RANKING_PDF_INLINE_MAX_ROWS = 10_000


def ranking_pdf_inline_max_rows() -> int:
    """The longest ranking printed while the official waits; a setting can lower it."""
    return getattr(settings, "RANKING_PDF_INLINE_MAX_ROWS", RANKING_PDF_INLINE_MAX_ROWS)


def round_ranking_paper(*, result: RoundResult, day: date | None = None) -> Paper:
    """Everyone ranked in a round, in rank order, without personal data; the rows
    are read lazily, a chunk at a time, when the paper is printed."""
    round_ = result.round
    rows = (
        result.rows.order_by("rank")
        .values_list(
            "rank",
            "full_name",
            "unit_name",
            "correct",
            "question_count",
            "prediction",
            "duration_ms",
            "prize_name",
        )
        .iterator(chunk_size=2000)
    )
    predicted = round_.has_prediction or result.prediction_truth is not None
    columns = [
        Column("Hạng", 6, numeric=True),
        Column("Họ và tên", 26),
        Column("Đơn vị", 34),
        Column("Số câu đúng", 10, numeric=True),
        *([Column("Dự đoán", 12, numeric=True)] if predicted else []),
        Column("Thời gian làm bài", 14, numeric=True),
        Column("Giải", 14),
    ]
    lines = (
        (
            str(rank),
            name,
            unit,
            f"{correct}/{total}",
            *((("—" if guess is None else thousands(guess)),) if predicted else ()),
            format_duration(ms),
            prize,
        )
        for rank, name, unit, correct, total, guess, ms, prize in rows
    )
    approved = result.status == RoundResult.Status.APPROVED
    return Paper(
        header=official_header(contest=round_.contest, day=_today(day)),
        title="BẢNG XẾP HẠNG",
        subtitle=f"{round_.contest.title} — {round_.name}",
        columns=tuple(columns),
        rows=lines,
        summary=f"Bảng gồm {thousands(result.participants)} người dự thi.",
        draft=not approved,
        checksum=result.checksum if approved else "",
        check_url=list_check_url(result.checksum) if approved else "",
        filename=f"Bảng xếp hạng - {round_.name}",
    )
