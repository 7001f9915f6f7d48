"""A round's winners and full ranking."""

from collections.abc import Iterator
from datetime import datetime

from accounts.models import User
from awards.eligibility_reasons import REASON_LABELS
from awards.models import ResultRow, RoundResult
from awards.suspicion_selectors import flags_text, round_suspicion_flags
from reports import xlsx
from reports.exports.common import (
    CHUNK,
    SECONDS,
    VND,
    YES,
    mm_ss,
    result_subject,
    title_block,
    unit_cells,
    unit_columns,
    unit_tree,
)
from reports.xlsx import Column
from rounds.models import Round

# --- winners and ranking of a round ------------------------------------------------


def winners_export(
    *,
    result: RoundResult,
    target: xlsx.Target,
    by: User,
    include_personal: bool,
    now: datetime | None = None,
) -> int:
    """The round's prize winners in rank order; date of birth, phone and citizen ID
    only in the copy with personal data."""
    round_ = result.round
    prediction = round_.has_prediction or result.prediction_truth is not None
    columns = [
        Column("Hạng", 7),
        Column("Nhóm", 16),
        Column("Giải", 18),
        Column("Trị giá (đồng)", 14, VND),
        Column("Họ và tên", 28),
        *([Column("Ngày sinh", 12)] if include_personal else []),
        *unit_columns(),
    ]
    fields = [
        "rank",
        "group_name",
        "prize_name",
        "prize_amount_vnd",
        "full_name",
        "user__date_of_birth",
        "unit_id",
        "unit_name",
        "correct",
        "question_count",
        "prediction",
        "prediction_gap",
        "duration_ms",
        "submitted_at",
        "attempt_number",
    ]
    if include_personal:
        columns += [Column("Số điện thoại", 14), Column("Số CCCD", 16)]
        fields += ["user__phone", "user__citizen_id"]
    columns += [Column("Số câu đúng", 10), Column("Tổng số câu", 10)]
    if prediction:
        columns += [Column("Dự đoán", 12, VND), Column("Chênh lệch dự đoán", 12, VND)]
    columns += [
        Column("Thời gian làm bài (giây)", 14, SECONDS),
        Column("Thời gian (phút:giây)", 12),
        Column("Thời điểm nộp", 24),
        Column("Lượt thi thứ", 10),
    ]
    tree = unit_tree()
    rows = (
        result.rows.filter(prize_tier__isnull=False)
        .order_by("rank")
        .values(*fields)
        .iterator(chunk_size=CHUNK)
    )

    def lines() -> Iterator[list]:
        for row in rows:
            line = [
                row["rank"],
                row["group_name"],
                row["prize_name"],
                row["prize_amount_vnd"],
                row["full_name"],
                *([row["user__date_of_birth"]] if include_personal else []),
                *unit_cells(tree, row["unit_id"], row["unit_name"]),
            ]
            if include_personal:
                line += [row["user__phone"], row["user__citizen_id"]]
            line += [row["correct"], row["question_count"]]
            if prediction:
                has = row["prediction"] is not None
                line += [row["prediction"], row["prediction_gap"] if has else None]
            line += [
                row["duration_ms"] / 1000,
                mm_ss(row["duration_ms"]),
                row["submitted_at"],
                row["attempt_number"],
            ]
            yield line

    subject = "Danh sách đạt giải" + (
        " (bản có thông tin cá nhân)" if include_personal else ""
    )
    title = title_block(
        subject=result_subject(subject, result),
        by=by,
        now=now,
        contest=round_.contest,
        round_=round_,
    )
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Đạt giải"
    )


def ranking_export(
    *, result: RoundResult, target: xlsx.Target, by: User, now: datetime | None = None
) -> int:
    """Everyone ranked in the round with every ranking key and why a prize was skipped."""
    round_ = result.round
    qualifying = round_.stage == Round.Stage.QUALIFYING
    columns = [
        Column("Hạng", 7),
        Column("Nhóm", 16),
        Column("Hạng trong nhóm", 10),
        Column("Họ và tên", 28),
        Column("Đơn vị", 30),
        Column("Số câu đúng", 10),
        Column("Tổng số câu", 10),
        Column("Dự đoán", 12, VND),
        Column("Chênh lệch dự đoán", 12, VND),
        Column("Thời gian làm bài (giây)", 14, SECONDS),
        Column("Thời điểm nộp", 24),
        Column("Số lượt đã thi", 10),
        Column("Lượt thi được tính", 10),
        Column("Thời điểm đăng ký", 24),
        Column("Giải", 18),
        Column("Trị giá (đồng)", 14, VND),
        Column("Không xét giải vì", 28),
    ]
    if qualifying:
        columns.append(Column("Vào chung kết", 10))
    # For the judges to look into; flags never change a rank or a prize.
    columns.append(Column("Dấu hiệu bất thường", 40))
    flags = round_suspicion_flags(round_=round_)
    rows = (
        ResultRow.objects.filter(result=result)
        .order_by("rank")
        .values(
            "rank",
            "group_name",
            "rank_in_group",
            "full_name",
            "unit_name",
            "correct",
            "question_count",
            "prediction",
            "prediction_gap",
            "duration_ms",
            "submitted_at",
            "attempts_used",
            "attempt_number",
            "registered_at",
            "prize_name",
            "prize_amount_vnd",
            "skip_reason",
            "qualified",
            "user_id",
        )
        .iterator(chunk_size=CHUNK)
    )
    has_truth = result.prediction_truth is not None

    def lines() -> Iterator[list]:
        for row in rows:
            has_gap = has_truth and row["prediction"] is not None
            line = [
                row["rank"],
                row["group_name"],
                row["rank_in_group"],
                row["full_name"],
                row["unit_name"],
                row["correct"],
                row["question_count"],
                row["prediction"],
                row["prediction_gap"] if has_gap else None,
                row["duration_ms"] / 1000,
                row["submitted_at"],
                row["attempts_used"],
                row["attempt_number"],
                row["registered_at"],
                row["prize_name"],
                row["prize_amount_vnd"] or None,
                REASON_LABELS.get(row["skip_reason"], row["skip_reason"]),
            ]
            if qualifying:
                line.append(YES if row["qualified"] else "")
            line.append(flags_text(flags.get(row["user_id"])))
            yield line

    title = title_block(
        subject=result_subject("Bảng xếp hạng đầy đủ", result),
        by=by,
        now=now,
        contest=round_.contest,
        round_=round_,
    )
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Xếp hạng"
    )
