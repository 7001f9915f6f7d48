"""The committee's Excel lists, streamed from queries into reports.xlsx sheets.

Each export takes the objects, a target (a path or binary file) and who asked,
writes one workbook and returns the number of data rows. Rows come from querysets
read with .iterator(), so memory stays flat however long the list; what every row
needs (unit names, revisions) is read once up front, never once per row.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, FloatField, Prefetch, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Unit, User
from awards import collective
from awards.eligibility_reasons import REASON_LABELS
from awards.models import ResultRow, RoundResult, UnitGroup, UnitResultRow
from quizzes.models import MAX_CHOICES, Choice, Question, QuestionRevision
from reports import xlsx
from reports.xlsx import Column
from rounds.models import Attempt, Contest, Round, RoundVoidedQuestion

# The question-bank import format (quizzes.importer reads these exact headers).
LETTERS = "ABCDEF"[:MAX_CHOICES]
BANK_HEADERS = (
    "Chủ đề",
    "Câu hỏi",
    *(f"Phương án {letter}" for letter in LETTERS),
    "Đáp án đúng",
    "Giải thích",
    "Đang sử dụng",
)
YES, NO = "Có", "Không"
NOT_RANKED_LABELS = {
    collective.BELOW_MIN_RATE: "Dưới tỷ lệ tham gia tối thiểu",
    collective.NO_HEADCOUNT: "Chưa có số biên chế",
    collective.NO_PARTICIPANTS: "Không có người dự thi",
}
NOBODY_RIGHT = "Không ai trả lời đúng"
EVERYBODY_RIGHT = "Tất cả đều trả lời đúng"
CHUNK = 2000
ID_BATCH = 500

VND = "#,##0"
SECONDS = "0.000"
PERCENT = "0.00"


# --- shared helpers ---------------------------------------------------------------


def _title(
    *,
    subject: str,
    by: User,
    now: datetime | None,
    contest: Contest | None = None,
    round_: Round | None = None,
) -> xlsx.Title:
    return xlsx.Title(
        subject=subject,
        generated_at=now or timezone.now(),
        generated_by=by.full_name,
        contest=contest.title if contest else "",
        round_name=round_.name if round_ else "",
    )


def _result_subject(subject: str, result: RoundResult) -> str:
    return f"{subject} ({result.get_status_display()})"


@dataclass(frozen=True, slots=True)
class _UnitNode:
    name: str
    level: str
    parent_id: int | None
    headcount: int
    path: str

    @property
    def ancestor_ids(self) -> list[int]:
        """Root first, the unit itself last."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


def _unit_tree(*, active_only: bool = False) -> dict[int, _UnitNode]:
    """Units by id with name, level, parent, headcount and path, in one query."""
    units = Unit.objects.filter(is_active=True) if active_only else Unit.objects.all()
    return {
        pk: _UnitNode(name, level, parent_id, headcount, path)
        for pk, name, level, parent_id, headcount, path in units.values_list(
            "pk", "name", "level", "parent_id", "headcount", "path"
        ).iterator(chunk_size=CHUNK)
    }


def _at_level(tree: dict[int, _UnitNode], unit_id: int | None, level: str) -> str:
    """The name of the unit itself or its nearest ancestor at `level`."""
    node = tree.get(unit_id) if unit_id else None
    for ancestor_id in reversed(node.ancestor_ids if node else []):
        ancestor = tree.get(ancestor_id)
        if ancestor and ancestor.level == level:
            return ancestor.name
    return ""


def _unit_columns() -> list[Column]:
    return [Column("Đơn vị", 30), Column("Cấp xã", 24), Column("Cấp huyện", 24)]


def _unit_cells(tree: dict[int, _UnitNode], unit_id: int | None, name: str) -> list:
    return [
        name,
        _at_level(tree, unit_id, Unit.Level.COMMUNE),
        _at_level(tree, unit_id, Unit.Level.DISTRICT),
    ]


def _mm_ss(duration_ms: int) -> str:
    minutes, seconds = divmod(duration_ms // 1000, 60)
    return f"{minutes:02d}:{seconds:02d}"


def _in_batches(ids: Iterable[int]) -> Iterator[list[int]]:
    """Id lists short enough for any database's parameter limit."""
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == ID_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# --- winners and ranking of a round ------------------------------------------------


def winners_export(
    *,
    result: RoundResult,
    target: xlsx.Target,
    by: User,
    include_personal: bool,
    now: datetime | None = None,
) -> int:
    """The round's prize winners in rank order; phone and citizen ID only when asked."""
    round_ = result.round
    prediction = round_.has_prediction or result.prediction_truth is not None
    columns = [
        Column("Hạng", 7),
        Column("Nhóm", 16),
        Column("Giải", 18),
        Column("Trị giá (đồng)", 14, VND),
        Column("Họ và tên", 28),
        Column("Ngày sinh", 12),
        *_unit_columns(),
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
    tree = _unit_tree()
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
                row["user__date_of_birth"],
                *_unit_cells(tree, row["unit_id"], row["unit_name"]),
            ]
            if include_personal:
                line += [row["user__phone"], row["user__citizen_id"]]
            line += [row["correct"], row["question_count"]]
            if prediction:
                has = row["prediction"] is not None
                line += [row["prediction"], row["prediction_gap"] if has else None]
            line += [
                row["duration_ms"] / 1000,
                _mm_ss(row["duration_ms"]),
                row["submitted_at"],
                row["attempt_number"],
            ]
            yield line

    subject = "Danh sách đạt giải" + (
        " (bản có thông tin cá nhân)" if include_personal else ""
    )
    title = _title(
        subject=_result_subject(subject, result),
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
            yield line

    title = _title(
        subject=_result_subject("Bảng xếp hạng đầy đủ", result),
        by=by,
        now=now,
        contest=round_.contest,
        round_=round_,
    )
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Xếp hạng"
    )


# --- unit participation ------------------------------------------------------------


def units_export(
    *, contest: Contest, target: xlsx.Target, by: User, now: datetime | None = None
) -> int:
    """Participation of every unit counting its sub-units, in a constant number of queries."""
    tree = _unit_tree(active_only=True)
    finished = Attempt.objects.filter(
        round__contest=contest, status=Attempt.Status.FINISHED, is_practice=False
    )
    people: Counter[int] = Counter()
    attempts: Counter[int] = Counter()
    for unit_id, n_people, n_attempts in (
        finished.values("user__unit_id")
        .annotate(people=Count("user_id", distinct=True), attempts=Count("pk"))
        .values_list("user__unit_id", "people", "attempts")
    ):
        _roll_up(tree, unit_id, people, n_people)
        _roll_up(tree, unit_id, attempts, n_attempts)
    # The counted attempt of each person and round is the ranked row.
    score_sum: defaultdict[int, float] = defaultdict(float)
    scored: Counter[int] = Counter()
    for unit_id, share, n in (
        ResultRow.objects.filter(
            result__round__contest=contest, question_count__gt=0, unit__isnull=False
        )
        .values("unit_id")
        .annotate(
            share=Sum(
                Cast("correct", FloatField()) / Cast("question_count", FloatField())
            ),
            n=Count("pk"),
        )
        .values_list("unit_id", "share", "n")
    ):
        for ancestor_id in _ancestors_in(tree, unit_id):
            score_sum[ancestor_id] += share or 0.0
            scored[ancestor_id] += n
    groups = list(UnitGroup.objects.filter(contest=contest).order_by("pk"))
    standings: dict[int, dict] = {}
    for row in (
        UnitResultRow.objects.filter(
            result__contest=contest, result__status=RoundResult.Status.APPROVED
        )
        .order_by("group_name", "rank", "pk")
        .values(
            "unit_id", "rank", "prize_name", "prize_amount_vnd", "not_ranked_because"
        )
    ):
        standings.setdefault(row["unit_id"], row)
    levels = dict(Unit.Level.choices)
    columns = [
        Column("Đơn vị", 34),
        Column("Cấp", 18),
        Column("Đơn vị cấp trên", 30),
    ]
    if groups:
        columns.append(Column("Nhóm đơn vị", 18))
    columns += [
        Column("Biên chế", 10, VND),
        Column("Số người dự thi", 12, VND),
        Column("Tỷ lệ tham gia (%)", 12, PERCENT),
        Column("Số lượt thi", 12, VND),
        Column("Điểm trung bình (% câu đúng)", 14, PERCENT),
        Column("Hạng tập thể", 10),
        Column("Giải tập thể", 18),
        Column("Trị giá (đồng)", 14, VND),
        Column("Ghi chú", 26),
    ]

    def lines() -> Iterator[list]:
        for unit_id, node in sorted(tree.items(), key=lambda item: item[1].path):
            parent = tree.get(node.parent_id) if node.parent_id else None
            line = [
                node.name,
                levels.get(node.level, node.level),
                parent.name if parent else "",
            ]
            if groups:
                line.append(", ".join(g.name for g in groups if node.level in g.levels))
            standing = standings.get(unit_id, {})
            line += [
                node.headcount,
                people[unit_id],
                round(100 * people[unit_id] / node.headcount, 2)
                if node.headcount
                else None,
                attempts[unit_id],
                round(100 * score_sum[unit_id] / scored[unit_id], 2)
                if scored[unit_id]
                else None,
                standing.get("rank"),
                standing.get("prize_name", ""),
                standing.get("prize_amount_vnd") or None,
                NOT_RANKED_LABELS.get(standing.get("not_ranked_because", ""), ""),
            ]
            yield line

    title = _title(
        subject="Tình hình tham gia theo đơn vị", by=by, now=now, contest=contest
    )
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Đơn vị"
    )


def _ancestors_in(tree: dict[int, _UnitNode], unit_id: int | None) -> list[int]:
    """The unit and every unit above it that the tree holds."""
    node = tree.get(unit_id) if unit_id else None
    return [pk for pk in node.ancestor_ids if pk in tree] if node else []


def _roll_up(
    tree: dict[int, _UnitNode], unit_id: int | None, totals: Counter[int], n: int
) -> None:
    for ancestor_id in _ancestors_in(tree, unit_id):
        totals[ancestor_id] += n


# --- question statistics -----------------------------------------------------------


def questions_export(
    *,
    target: xlsx.Target,
    by: User,
    round_: Round | None = None,
    contest: Contest | None = None,
    now: datetime | None = None,
) -> int:
    """How often each question was drawn and answered right, from the attempts' JSON."""
    if (round_ is None) == (contest is None):
        raise ValueError("give a round or a contest")
    contest = contest or round_.contest
    attempts = Attempt.objects.filter(status=Attempt.Status.FINISHED, is_practice=False)
    voids = RoundVoidedQuestion.objects.all()
    if round_ is not None:
        attempts = attempts.filter(round=round_)
        voids = voids.filter(round=round_)
    else:
        attempts = attempts.filter(round__contest=contest)
        voids = voids.filter(round__contest=contest)
    drawn: Counter[int] = Counter()
    answered: Counter[int] = Counter()
    chosen: Counter[tuple[int, int]] = Counter()
    for draw, answers in attempts.values_list("draw", "answers").iterator(
        chunk_size=CHUNK
    ):
        for position, (revision_id, _permutation) in enumerate(draw):
            drawn[revision_id] += 1
            answer = answers[position] if position < len(answers) else None
            if answer is not None:
                answered[revision_id] += 1
                chosen[revision_id, answer[0]] += 1
    stats: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for batch in _in_batches(drawn):
        for revision_id, question_id, correct_index in QuestionRevision.objects.filter(
            pk__in=batch
        ).values_list("pk", "question_id", "correct_index"):
            counts = stats[question_id]
            counts[0] += drawn[revision_id]
            counts[1] += answered[revision_id]
            counts[2] += chosen[revision_id, correct_index]
    voided = set(voids.values_list("question_id", flat=True))
    questions = []
    for batch in _in_batches(stats):
        questions += Question.objects.filter(pk__in=batch).values_list(
            "pk", "topic__order", "topic__name", "text"
        )
    questions.sort(key=lambda q: (q[1], q[2], q[0]))
    columns = [
        Column("Mã câu hỏi", 10),
        Column("Chủ đề", 24),
        Column("Câu hỏi", 60),
        Column("Số lần được rút", 12, VND),
        Column("Số lần trả lời", 12, VND),
        Column("Số lần trả lời đúng", 12, VND),
        Column("Tỷ lệ đúng (%)", 12, PERCENT),
        Column("Nhận xét", 26),
    ]

    def lines() -> Iterator[list]:
        for pk, _order, topic, text in questions:
            n_drawn, n_answered, n_correct = stats[pk]
            notes = []
            if n_drawn and n_correct == 0:
                notes.append(NOBODY_RIGHT)
            elif n_drawn and n_correct == n_drawn:
                notes.append(EVERYBODY_RIGHT)
            if pk in voided:
                notes.append("Câu hỏi đã bị hủy")
            yield [
                pk,
                topic,
                text,
                n_drawn,
                n_answered,
                n_correct,
                round(100 * n_correct / n_drawn, 2) if n_drawn else None,
                "; ".join(notes),
            ]

    title = _title(
        subject="Thống kê câu hỏi", by=by, now=now, contest=contest, round_=round_
    )
    return xlsx.write_sheet(
        target, columns=columns, rows=lines(), title=title, name="Câu hỏi"
    )


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
    tree = _unit_tree()
    columns = [
        Column("STT", 7),
        Column("Họ và tên", 28),
        Column("Ngày sinh", 12),
        Column("Giới tính", 9),
        Column("Số điện thoại", 14),
        Column("Email", 28),
        Column("Số CCCD", 16),
        Column("Đối tượng", 26),
        *_unit_columns(),
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
                *_unit_cells(tree, unit_id, unit_name or ""),
                row[9],
                row[10],
            ]

    title = _title(
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
                title=_title(subject="Ngân hàng câu hỏi", by=by, now=now),
            ),
        ],
    )
    return counts[0]
