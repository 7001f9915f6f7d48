"""Contestants' registration details and the question bank."""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, F, Prefetch, Q

from accounts.models import User
from quizzes.models import Choice, Question
from reports import xlsx
from reports.exports.common import (
    BANK_HEADERS,
    CHUNK,
    LETTERS,
    NO,
    YES,
    title_block,
    unit_cells,
    unit_columns,
    unit_tree,
)
from reports.xlsx import Column
from rounds.models import Attempt, Contest

# --- contestants and the question bank ----------------------------------------------


def contestants_export(
    *, contest: Contest, target: xlsx.Target, by: User, now: datetime | None = None
) -> int:
    """Everyone with a finished ranked attempt in the contest, with registration details."""
    in_contest = Q(
        attempts__round__contest=contest,
        attempts__status=Attempt.Status.FINISHED,
        attempts__is_practice=False,
    )
    ranked = Attempt.objects.filter(
        round__contest=contest, status=Attempt.Status.FINISHED, is_practice=False
    ).values("user_id")
    rows = (
        User.objects.filter(pk__in=ranked)
        .annotate(finished=Count("attempts", filter=in_contest))
        .order_by(F("unit__path").asc(nulls_last=True), "full_name", "pk")
        .values_list(
            "full_name",
            "date_of_birth",
            "gender",
            "phone",
            "email",
            "citizen_id",
            "occupation",
            "unit_id",
            "unit__name",
            "date_joined",
            "finished",
        )
        .iterator(chunk_size=CHUNK)
    )
    genders = dict(User.Gender.choices)
    occupations = dict(User.Occupation.choices)
    tree = unit_tree()
    columns = [
        Column("STT", 7),
        Column("Họ và tên", 28),
        Column("Ngày sinh", 12),
        Column("Giới tính", 9),
        Column("Số điện thoại", 14),
        Column("Email", 28),
        Column("Số CCCD", 16),
        Column("Đối tượng", 26),
        *unit_columns(),
        Column("Thời điểm đăng ký", 24),
        Column("Số lượt thi", 10),
    ]

    def lines() -> Iterator[list]:
        for number, row in enumerate(rows, start=1):
            name, born, gender, phone, email, cccd, occupation, unit_id, unit_name = (
                row[:9]
            )
            yield [
                number,
                name,
                born,
                str(genders.get(gender, gender)),
                phone,
                email,
                cccd,
                str(occupations.get(occupation, occupation)),
                *unit_cells(tree, unit_id, unit_name or ""),
                row[9],
                row[10],
            ]

    title = title_block(
        subject="Danh sách thí sinh (có thông tin cá nhân)",
        by=by,
        now=now,
        contest=contest,
    )
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Thí sinh"
    )


def bank_export(*, target: xlsx.Target, by: User, now: datetime | None = None) -> int:
    """The whole question bank in the import format, headers on the first row."""
    questions = (
        Question.objects.select_related("topic")
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "id"))
        )
        .order_by("topic__order", "topic__name", "pk")
        .iterator(chunk_size=500)
    )

    def lines() -> Iterator[list]:
        for question in questions:
            choices = list(question.choices.all())[: len(LETTERS)]
            correct = next(
                (LETTERS[i] for i, choice in enumerate(choices) if choice.is_correct),
                "",
            )
            texts = [choice.text for choice in choices]
            texts += [None] * (len(LETTERS) - len(texts))
            yield [
                question.topic.name,
                question.text,
                *texts,
                correct,
                question.explanation,
                YES if question.is_active else NO,
            ]

    columns = [Column(header, 16) for header in BANK_HEADERS]
    columns[1] = Column(BANK_HEADERS[1], 60)
    # The importer reads the header from row 1: the title goes to a second sheet.
    counts = xlsx.write_workbook(
        target,
        [
            xlsx.Sheet(name="Câu hỏi", columns=columns, rows=lines()),
            xlsx.Sheet(
                name="Thông tin",
                columns=[],
                title=title_block(subject="Ngân hàng câu hỏi", by=by, now=now),
            ),
        ],
    )
    return counts[0]
